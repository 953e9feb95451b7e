//! The architecture picture: where a synthesised template puts each resource.
//!
//! [`Architecture::read`] reads the placement from the template itself — never from
//! the builder: a subnet is *public* when its route table sends `0.0.0.0/0` to an
//! internet gateway; a NAT gateway sits in the subnet its `SubnetId` names; a database
//! or cache sits in the subnets its subnet group lists; a resource with no subnet at
//! all is regional, outside the VPC. Connections are the template's own wiring:
//! security-group ingress rules (the app tier to a data store, on a port), a private
//! route table's default route (subnet to NAT gateway), and references between the
//! regional services (the CDN reads the bucket, the queue redrives to its DLQ).
//! [`Architecture::to_svg`] draws it on a [`kit::svg::Canvas`].

use std::collections::{BTreeMap, BTreeSet};

use kit::svg::{Canvas, PALETTE};
use serde_json::Value;

use crate::graph::Resource;
use crate::template::Template;

/// One subnet of the VPC.
#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    /// Logical id (`PublicSubnet1`).
    pub id: String,
    /// `CidrBlock`.
    pub cidr: String,
    /// Index into [`Architecture::zones`].
    pub zone: usize,
    /// Its route table's default route goes to an internet gateway.
    pub public: bool,
    /// NAT gateways placed in it (`SubnetId`).
    pub nat_gateways: Vec<String>,
    /// The NAT gateway its default route goes to, if any.
    pub routes_to_nat: Option<String>,
}

/// A resource the template places in subnets (through a subnet group).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Logical id (`ProductsDb`).
    pub id: String,
    /// CloudFormation type.
    pub resource_type: String,
    /// What it is (`RDS postgres 14.19, db.t3.medium`).
    pub what: String,
    /// How many nodes and where (`Multi-AZ: primary + standby`).
    pub nodes: String,
    /// The subnets it may run in, in template order.
    pub subnets: Vec<String>,
}

/// A security-group rule from a group with nothing in it yet (the app tier) to a
/// placed resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The source security group (`AppSecurityGroup`).
    pub from_group: String,
    /// The placed resource whose group admits it.
    pub to: String,
    /// `tcp 5432`.
    pub port: String,
    /// The ingress rule's logical id.
    pub rule: String,
}

/// A regional service, outside the VPC.
#[derive(Debug, Clone, PartialEq)]
pub struct Regional {
    /// Logical id (`ImagesBucket`).
    pub id: String,
    /// CloudFormation type.
    pub resource_type: String,
}

/// What the picture shows, read from a template.
#[derive(Debug, Clone, PartialEq)]
pub struct Architecture {
    /// `ecommerce-platform (production, us-east-1)`.
    pub name: String,
    /// The VPC's logical id and CIDR.
    pub vpc: Option<(String, String)>,
    /// Internet gateways attached to the VPC.
    pub internet_gateways: Vec<String>,
    /// Availability zones, in order (`GetAZs[0]`, … or literal names).
    pub zones: Vec<String>,
    /// Subnets, by zone then public before private.
    pub subnets: Vec<Subnet>,
    /// Security groups that are the source of ingress rules but hold no placed
    /// resource: the tier where the application's compute would go.
    pub app_tiers: Vec<String>,
    /// Resources in subnets (databases, caches).
    pub placed: Vec<Placed>,
    /// App tier → placed resource, from ingress rules.
    pub links: Vec<Link>,
    /// Regional services outside the VPC.
    pub regional: Vec<Regional>,
    /// `(from, to)` indexes into `regional`: `from` references `to`.
    pub regional_links: Vec<(usize, usize)>,
    /// Resources not drawn, counted by AWS service.
    pub not_drawn: BTreeMap<String, usize>,
}

/// The regional resource types drawn, in drawing order (the rest are counted).
const REGIONAL: &[&str] = &[
    "AWS::CloudFront::Distribution",
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::SES::EmailIdentity",
    "AWS::SNS::Topic",
];

/// The logical id a `Ref` or `Fn::GetAtt` names.
fn target(v: &Value) -> Option<&str> {
    if let Some(t) = v.get("Ref").and_then(Value::as_str) {
        return Some(t);
    }
    match v.get("Fn::GetAtt") {
        Some(Value::Array(parts)) => parts.first().and_then(Value::as_str),
        Some(Value::String(s)) => s.split('.').next(),
        _ => None,
    }
}

fn prop<'a>(r: &'a Resource, key: &str) -> Option<&'a Value> {
    r.properties.get(key)
}

fn prop_str(r: &Resource, key: &str) -> String {
    match prop(r, key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => "?".into(),
    }
}

/// `(sort key, label)` of a subnet's `AvailabilityZone`.
fn zone_of(r: &Resource) -> (u64, String) {
    match prop(r, "AvailabilityZone") {
        Some(Value::String(s)) => (u64::MAX, s.clone()),
        Some(v) => match v
            .get("Fn::Select")
            .and_then(|s| s.get(0))
            .and_then(Value::as_u64)
        {
            Some(i) => (i, format!("GetAZs[{i}]")),
            None => (u64::MAX, "?".into()),
        },
        None => (u64::MAX, "?".into()),
    }
}

impl Architecture {
    /// Read the picture's content from `template`.
    pub fn read(template: &Template) -> Architecture {
        let res = template.resources();
        let of_type = |t: &'static str| res.values().filter(move |r| r.resource_type == t);
        let mut drawn: BTreeSet<String> = BTreeSet::new();

        let vpc = of_type("AWS::EC2::VPC")
            .next()
            .map(|v| (v.logical_id.clone(), prop_str(v, "CidrBlock")));
        let vpc_id = vpc.as_ref().map(|(id, _)| id.clone()).unwrap_or_default();
        drawn.insert(vpc_id.clone());
        let internet_gateways: Vec<String> = of_type("AWS::EC2::VPCGatewayAttachment")
            .filter(|a| prop(a, "VpcId").and_then(target) == Some(vpc_id.as_str()))
            .filter_map(|a| prop(a, "InternetGatewayId").and_then(target))
            .map(str::to_string)
            .collect();
        drawn.extend(internet_gateways.iter().cloned());

        // Route tables: where each one's default route goes.
        let mut default_route: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
        for route in of_type("AWS::EC2::Route") {
            if prop(route, "DestinationCidrBlock").and_then(Value::as_str) != Some("0.0.0.0/0") {
                continue;
            }
            let Some(table) = prop(route, "RouteTableId").and_then(target) else {
                continue;
            };
            for key in ["GatewayId", "NatGatewayId"] {
                if let Some(to) = prop(route, key).and_then(target) {
                    default_route.insert(table, (key, to));
                }
            }
        }
        let mut subnet_route: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
        for assoc in of_type("AWS::EC2::SubnetRouteTableAssociation") {
            let subnet = prop(assoc, "SubnetId").and_then(target);
            let table = prop(assoc, "RouteTableId").and_then(target);
            if let (Some(s), Some(Some(route))) = (subnet, table.map(|t| default_route.get(t))) {
                subnet_route.insert(s, *route);
            }
        }
        let mut nats_in: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for nat in of_type("AWS::EC2::NatGateway") {
            if let Some(s) = prop(nat, "SubnetId").and_then(target) {
                nats_in.entry(s).or_default().push(nat.logical_id.clone());
                drawn.insert(nat.logical_id.clone());
            }
        }

        // Subnets of the VPC, grouped by zone.
        let mut zone_keys: BTreeSet<(u64, String)> = BTreeSet::new();
        let vpc_subnets: Vec<&Resource> = of_type("AWS::EC2::Subnet")
            .filter(|s| prop(s, "VpcId").and_then(target) == Some(vpc_id.as_str()))
            .collect();
        for s in &vpc_subnets {
            zone_keys.insert(zone_of(s));
        }
        let zone_keys: Vec<(u64, String)> = zone_keys.into_iter().collect();
        let mut subnets: Vec<Subnet> = vpc_subnets
            .iter()
            .map(|s| {
                let id = s.logical_id.as_str();
                let route = subnet_route.get(id);
                let is_igw = |to: &str| internet_gateways.iter().any(|g| g == to);
                Subnet {
                    id: id.to_string(),
                    cidr: prop_str(s, "CidrBlock"),
                    zone: zone_keys.iter().position(|z| *z == zone_of(s)).unwrap_or(0),
                    public: matches!(route, Some(("GatewayId", to)) if is_igw(to)),
                    nat_gateways: nats_in.get(id).cloned().unwrap_or_default(),
                    routes_to_nat: match route {
                        Some(("NatGatewayId", to)) => Some((*to).to_string()),
                        _ => None,
                    },
                }
            })
            .collect();
        subnets.sort_by(|a, b| (a.zone, !a.public, &a.id).cmp(&(b.zone, !b.public, &b.id)));
        drawn.extend(subnets.iter().map(|s| s.id.clone()));
        let is_subnet = |id: &str| subnets.iter().any(|s| s.id == id);

        // Subnet groups, and the resources they place.
        let mut group_subnets: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for r in res
            .values()
            .filter(|r| r.resource_type.ends_with("SubnetGroup"))
        {
            if let Some(Value::Array(ids)) = prop(r, "SubnetIds") {
                let list: Vec<String> = ids
                    .iter()
                    .filter_map(target)
                    .filter(|id| is_subnet(id))
                    .map(str::to_string)
                    .collect();
                group_subnets.insert(r.logical_id.as_str(), list);
            }
        }
        let mut placed = Vec::new();
        for r in res.values() {
            let mut in_subnets: Vec<String> = Vec::new();
            for (_, to) in r.references() {
                if let Some(list) = group_subnets.get(to.as_str()) {
                    in_subnets.extend(list.iter().cloned());
                }
            }
            if in_subnets.is_empty() {
                continue;
            }
            let (what, nodes) = describe(r);
            placed.push(Placed {
                id: r.logical_id.clone(),
                resource_type: r.resource_type.clone(),
                what,
                nodes,
                subnets: in_subnets,
            });
            drawn.insert(r.logical_id.clone());
        }

        // Security groups: who uses which, and the ingress rules between them.
        let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in &placed {
            if let Some(r) = res.get(&p.id) {
                for (path, to) in r.references() {
                    let is_sg = res
                        .get(&to)
                        .is_some_and(|t| t.resource_type == "AWS::EC2::SecurityGroup");
                    if is_sg && path.contains("SecurityGroup") {
                        members.entry(to).or_default().push(p.id.clone());
                    }
                }
            }
        }
        let mut app_tiers: Vec<String> = Vec::new();
        let mut links = Vec::new();
        for rule in of_type("AWS::EC2::SecurityGroupIngress") {
            let from = prop(rule, "SourceSecurityGroupId").and_then(target);
            let to = prop(rule, "GroupId").and_then(target);
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            if members.contains_key(from) {
                continue;
            }
            for member in members.get(to).into_iter().flatten() {
                links.push(Link {
                    from_group: from.to_string(),
                    to: member.clone(),
                    port: format!(
                        "{} {}",
                        prop_str(rule, "IpProtocol"),
                        prop_str(rule, "FromPort")
                    ),
                    rule: rule.logical_id.clone(),
                });
            }
            if !app_tiers.iter().any(|t| t == from) {
                app_tiers.push(from.to_string());
            }
        }
        app_tiers.sort();
        drawn.extend(app_tiers.iter().cloned());

        // Regional services, and the references between them.
        let mut regional: Vec<Regional> = Vec::new();
        for ty in REGIONAL {
            for r in res.values().filter(|r| r.resource_type == *ty) {
                regional.push(Regional {
                    id: r.logical_id.clone(),
                    resource_type: r.resource_type.clone(),
                });
                drawn.insert(r.logical_id.clone());
            }
        }
        let mut regional_links = Vec::new();
        for (i, a) in regional.iter().enumerate() {
            let Some(r) = res.get(&a.id) else { continue };
            let targets: BTreeSet<String> = r.references().into_iter().map(|(_, t)| t).collect();
            for (j, b) in regional.iter().enumerate() {
                if i != j && targets.contains(&b.id) {
                    regional_links.push((i, j));
                }
            }
        }

        let mut not_drawn: BTreeMap<String, usize> = BTreeMap::new();
        for r in res.values().filter(|r| !drawn.contains(&r.logical_id)) {
            *not_drawn.entry(r.service().to_string()).or_default() += 1;
        }
        let name = template
            .description()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string();
        Architecture {
            name,
            vpc,
            internet_gateways,
            zones: zone_keys.into_iter().map(|(_, label)| label).collect(),
            subnets,
            app_tiers,
            placed,
            links,
            regional,
            regional_links,
            not_drawn,
        }
    }

    /// The picture, as one `<svg>` element.
    pub fn to_svg(&self) -> String {
        draw(self)
    }
}

/// What a placed resource is, and how many nodes it runs where.
fn describe(r: &Resource) -> (String, String) {
    let id = &r.logical_id;
    match r.resource_type.as_str() {
        "AWS::RDS::DBInstance" => (
            format!(
                "{id}: RDS {} {}, {}",
                prop_str(r, "Engine"),
                prop_str(r, "EngineVersion"),
                prop_str(r, "DBInstanceClass")
            ),
            if prop(r, "MultiAZ") == Some(&Value::Bool(true)) {
                "Multi-AZ: primary + standby, in two of these subnets".into()
            } else {
                "single-AZ: one instance in one of these subnets, no standby".into()
            },
        ),
        "AWS::ElastiCache::ReplicationGroup" => (
            format!(
                "{id}: ElastiCache {} {}, {}",
                prop_str(r, "Engine"),
                prop_str(r, "EngineVersion"),
                prop_str(r, "CacheNodeType")
            ),
            format!(
                "{} nodes, Multi-AZ {}, automatic failover {}",
                prop_str(r, "NumCacheClusters"),
                prop_str(r, "MultiAZEnabled"),
                prop_str(r, "AutomaticFailoverEnabled")
            ),
        ),
        other => (format!("{id}: {other}"), String::new()),
    }
}

// ---- drawing -------------------------------------------------------------------------

const W: f64 = 800.0;
const H: f64 = 500.0;
const VPC_X: f64 = 20.0;
const VPC_W: f64 = 540.0;
const VPC_Y: f64 = 66.0;
const VPC_BOTTOM: f64 = 468.0;
const COL_TOP: f64 = 90.0;
const PUB_Y: f64 = 114.0;
const PUB_H: f64 = 78.0;
const TIER_Y: f64 = 204.0;
const TIER_H: f64 = 40.0;
const PRIV_Y: f64 = 256.0;
const REG_X: f64 = 580.0;
const REG_W: f64 = 200.0;
const INK: &str = "#333";
const SOFT: &str = "#555";

fn text_attrs(size: u32, colour: &str, extra: &str) -> String {
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" {extra}")
    };
    format!(r#"font-size="{size}" fill="{colour}"{extra}"#)
}

/// A line from `a` to `b` with an arrowhead at `b`.
fn arrow(c: &mut Canvas, a: (f64, f64), b: (f64, f64), colour: &str, tip: &str) {
    c.polyline(
        &[a, b],
        &format!(r#"stroke="{colour}" stroke-width="1.5""#),
        Some(tip),
    );
    head(c, a, b, colour);
}

fn head(c: &mut Canvas, a: (f64, f64), b: (f64, f64), colour: &str) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let back = (b.0 - 7.0 * ux, b.1 - 7.0 * uy);
    let left = (back.0 - 4.0 * uy, back.1 + 4.0 * ux);
    let right = (back.0 + 4.0 * uy, back.1 - 4.0 * ux);
    c.polyline(
        &[left, b, right],
        &format!(r#"stroke="{colour}" stroke-width="1.5""#),
        None,
    );
}

fn draw(a: &Architecture) -> String {
    let title = format!("{}: where the template puts each resource", a.name);
    let mut c = Canvas::new(W, H, &title);
    c.title(&title);

    // The VPC and its internet gateway on the top edge.
    let (vpc_id, vpc_cidr) = a.vpc.clone().unwrap_or_default();
    c.rect(
        (VPC_X, VPC_Y),
        (VPC_W, VPC_BOTTOM - VPC_Y),
        r##"fill="none" stroke="#555" stroke-width="1.5" rx="6""##,
        Some(&format!("{vpc_id} (AWS::EC2::VPC) {vpc_cidr}")),
    );
    c.text(
        VPC_X + 8.0,
        VPC_Y + 16.0,
        &text_attrs(12, INK, r#"font-weight="bold""#),
        &format!("{vpc_id} {vpc_cidr}"),
    );
    let mid = VPC_X + VPC_W / 2.0;
    for (i, igw) in a.internet_gateways.iter().enumerate() {
        let x = mid - 60.0 + 130.0 * i as f64;
        c.text(
            x + 60.0,
            40.0,
            &text_attrs(11, SOFT, r#"text-anchor="middle""#),
            "internet",
        );
        arrow(
            &mut c,
            (x + 60.0, 44.0),
            (x + 60.0, VPC_Y - 10.0),
            SOFT,
            "internet traffic",
        );
        c.rect(
            (x, VPC_Y - 10.0),
            (120.0, 20.0),
            &format!(
                r##"fill="white" stroke="{}" stroke-width="1.5" rx="3""##,
                PALETTE[2]
            ),
            Some(&format!(
                "{igw} (AWS::EC2::InternetGateway), attached to {vpc_id}"
            )),
        );
        c.text(
            x + 60.0,
            VPC_Y + 4.0,
            &text_attrs(11, INK, r#"text-anchor="middle""#),
            igw,
        );
    }

    // One column per availability zone.
    let n = a.zones.len().max(1) as f64;
    let gap = 10.0;
    let col_w = (VPC_W - 20.0 - gap * (n - 1.0)) / n;
    let col_x = |z: usize| VPC_X + 10.0 + (col_w + gap) * z as f64;
    for (z, label) in a.zones.iter().enumerate() {
        c.rect(
            (col_x(z), COL_TOP),
            (col_w, VPC_BOTTOM - 8.0 - COL_TOP),
            r##"fill="none" stroke="#999" stroke-dasharray="4 3" rx="4""##,
            Some(&format!("availability zone {}: {label}", z + 1)),
        );
        c.text(
            col_x(z) + col_w / 2.0,
            COL_TOP + 15.0,
            &text_attrs(11, SOFT, r#"text-anchor="middle""#),
            &format!("zone {} ({label})", z + 1),
        );
    }

    // Subnets: public row on top, private row below; NAT gateways inside the public ones.
    let mut nat_box: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let mut subnet_box: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let private_h = VPC_BOTTOM - 16.0 - PRIV_Y;
    for s in &a.subnets {
        let x = col_x(s.zone) + 6.0;
        let w = col_w - 12.0;
        let (y, h, colour, kind) = if s.public {
            (PUB_Y, PUB_H, PALETTE[2], "public")
        } else {
            (PRIV_Y, private_h, PALETTE[0], "private")
        };
        c.rect(
            (x, y),
            (w, h),
            &format!(
                r#"fill="{colour}" fill-opacity="0.10" stroke="{colour}" stroke-width="1.5" rx="4""#
            ),
            Some(&format!("{} (AWS::EC2::Subnet, {kind}) {}", s.id, s.cidr)),
        );
        // Public: name on top (the NAT gateway below it); private: at the bottom, so the
        // data stores and the arrows into them have the top.
        let ly = if s.public { y + 16.0 } else { y + h - 22.0 };
        c.text(
            x + 8.0,
            ly,
            &text_attrs(12, INK, r#"font-weight="bold""#),
            &s.id,
        );
        c.text(
            x + 8.0,
            ly + 14.0,
            &text_attrs(11, SOFT, ""),
            &format!("{kind} {}", s.cidr),
        );
        subnet_box.insert(s.id.as_str(), (x, w));
        if s.public {
            if s.nat_gateways.is_empty() {
                c.text(
                    x + 8.0,
                    y + 58.0,
                    &text_attrs(11, SOFT, r#"font-style="italic""#),
                    "no NAT gateway",
                );
            }
            for (k, nat) in s.nat_gateways.iter().enumerate() {
                let ny = y + 40.0 + 26.0 * k as f64;
                c.rect(
                    (x + 8.0, ny),
                    (w - 16.0, 24.0),
                    &format!(
                        r#"fill="white" stroke="{}" stroke-width="1.5" rx="3""#,
                        PALETTE[4]
                    ),
                    Some(&format!("{nat} (AWS::EC2::NatGateway) in {}", s.id)),
                );
                c.text(x + 16.0, ny + 16.0, &text_attrs(11, INK, ""), nat);
                nat_box.insert(nat.as_str(), (x + w - 14.0, ny + 24.0));
            }
        }
    }
    // The app tier: a security group nothing is in yet.
    let tier_x = VPC_X + 16.0;
    let tier_w = VPC_W - 32.0;
    for (t, tier) in a.app_tiers.iter().enumerate() {
        let y = TIER_Y + (TIER_H + 4.0) * t as f64;
        c.rect(
            (tier_x, y),
            (tier_w, TIER_H),
            r##"fill="white" fill-opacity="0.85" stroke="#555" stroke-dasharray="6 3" rx="4""##,
            Some(&format!(
                "{tier} (AWS::EC2::SecurityGroup): the data stores admit only this group"
            )),
        );
        c.text(
            tier_x + 8.0,
            y + 16.0,
            &text_attrs(12, INK, r#"font-weight="bold""#),
            &format!("{tier}: the app tier"),
        );
        c.text(
            tier_x + 8.0,
            y + 31.0,
            &text_attrs(11, SOFT, ""),
            "a security group only: the template has no compute",
        );
    }

    // Private default routes, up to the NAT gateway they use (along the column's right edge).
    for s in a.subnets.iter().filter(|s| !s.public) {
        let (Some(nat), Some(&(x, w))) = (&s.routes_to_nat, subnet_box.get(s.id.as_str())) else {
            continue;
        };
        let Some(&(nx, ny)) = nat_box.get(nat.as_str()) else {
            continue;
        };
        let sx = x + w - 14.0;
        let lane = TIER_Y - 6.0;
        let pts = if (sx - nx).abs() < 0.5 {
            vec![(sx, PRIV_Y), (nx, ny)]
        } else {
            vec![(sx, PRIV_Y), (sx, lane), (nx, lane), (nx, ny)]
        };
        let tip = format!("{}: 0.0.0.0/0 via {nat}", s.id);
        c.polyline(
            &pts,
            &format!(r#"stroke="{}" stroke-width="1.5""#, PALETTE[4]),
            Some(&tip),
        );
        head(&mut c, (nx, ny + 10.0), (nx, ny), PALETTE[4]);
    }

    // Databases and caches, as bands across the subnets their subnet group lists.
    let mut band_y = PRIV_Y + 30.0;
    let colours = [PALETTE[1], PALETTE[3], PALETTE[5], PALETTE[7]];
    let mut band_top: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, p) in a.placed.iter().enumerate() {
        let xs: Vec<(f64, f64)> = p
            .subnets
            .iter()
            .filter_map(|s| subnet_box.get(s.as_str()).copied())
            .collect();
        let (Some(left), Some(right)) = (
            xs.iter().map(|(x, _)| *x).reduce(f64::min),
            xs.iter().map(|(x, w)| x + w).reduce(f64::max),
        ) else {
            continue;
        };
        let colour = colours[i % colours.len()];
        // A white underlay, so the subnet borders it crosses do not run through its text.
        c.rect(
            (left + 4.0, band_y),
            (right - left - 36.0, 44.0),
            r#"fill="white" rx="4""#,
            None,
        );
        c.rect(
            (left + 4.0, band_y),
            (right - left - 36.0, 44.0),
            &format!(
                r#"fill="{colour}" fill-opacity="0.18" stroke="{colour}" stroke-width="1.5" rx="4""#
            ),
            Some(&format!(
                "{} ({}) in {}",
                p.id,
                p.resource_type,
                p.subnets.join(", ")
            )),
        );
        c.text(
            left + 12.0,
            band_y + 17.0,
            &text_attrs(12, INK, r#"font-weight="bold""#),
            &p.what,
        );
        c.text(
            left + 12.0,
            band_y + 33.0,
            &text_attrs(11, SOFT, ""),
            &p.nodes,
        );
        band_top.insert(p.id.as_str(), band_y);
        band_y += 56.0;
    }
    // Ingress rules: app tier → data store, each arrow in its own lane, labelled.
    for (k, l) in a.links.iter().enumerate() {
        let (Some(&ty), Some(t)) = (
            band_top.get(l.to.as_str()),
            a.app_tiers.iter().position(|t| *t == l.from_group),
        ) else {
            continue;
        };
        let from_y = TIER_Y + (TIER_H + 4.0) * t as f64 + TIER_H;
        let x = tier_x + tier_w - 134.0 + 50.0 * k as f64;
        arrow(
            &mut c,
            (x, from_y),
            (x, ty),
            INK,
            &format!("{}: {} from {} to {}", l.rule, l.port, l.from_group, l.to),
        );
        c.text(x + 4.0, ty - 4.0, &text_attrs(10, INK, ""), &l.port);
    }

    // Regional services, outside the VPC.
    c.text(
        REG_X,
        VPC_Y + 16.0,
        &text_attrs(12, INK, r#"font-weight="bold""#),
        "regional, outside the VPC",
    );
    let mut reg_y: Vec<f64> = Vec::new();
    for (i, r) in a.regional.iter().enumerate() {
        let y = VPC_Y + 28.0 + 46.0 * i as f64;
        reg_y.push(y);
        let short = r
            .resource_type
            .trim_start_matches("AWS::")
            .replace("::", " ");
        c.rect(
            (REG_X, y),
            (REG_W, 36.0),
            &format!(
                r#"fill="{}" fill-opacity="0.12" stroke="{}" stroke-width="1.5" rx="4""#,
                PALETTE[4], PALETTE[0]
            ),
            Some(&format!("{} ({})", r.id, r.resource_type)),
        );
        c.text(
            REG_X + 10.0,
            y + 15.0,
            &text_attrs(12, INK, r#"font-weight="bold""#),
            &r.id,
        );
        c.text(REG_X + 10.0, y + 29.0, &text_attrs(11, SOFT, ""), &short);
    }
    for (k, &(from, to)) in a.regional_links.iter().enumerate() {
        let (ya, yb) = (reg_y[from] + 18.0, reg_y[to] + 18.0);
        let lane = REG_X + REG_W + 8.0 + 6.0 * (k % 2) as f64;
        c.polyline(
            &[
                (REG_X + REG_W, ya),
                (lane, ya),
                (lane, yb),
                (REG_X + REG_W, yb),
            ],
            &format!(r#"stroke="{INK}" stroke-width="1.5""#),
            Some(&format!(
                "{} refers to {}",
                a.regional[from].id, a.regional[to].id
            )),
        );
        head(&mut c, (REG_X + REG_W + 6.0, yb), (REG_X + REG_W, yb), INK);
    }
    let total: usize = a.not_drawn.values().sum();
    let mut y = VPC_Y + 28.0 + 46.0 * a.regional.len() as f64 + 10.0;
    c.text(
        REG_X,
        y,
        &text_attrs(11, SOFT, ""),
        &format!("not drawn: {total} more resources,"),
    );
    let mut line = String::new();
    for (service, count) in &a.not_drawn {
        let item = format!("{service} {count}");
        if !line.is_empty() && line.len() + item.len() + 2 > 32 {
            y += 14.0;
            c.text(REG_X, y, &text_attrs(11, SOFT, ""), &format!("{line},"));
            line.clear();
        }
        if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str(&item);
    }
    if !line.is_empty() {
        c.text(REG_X, y + 14.0, &text_attrs(11, SOFT, ""), &line);
    }
    c.finish()
}

/// Read `template` and draw it: the page's picture.
pub fn architecture_svg(template: &Template) -> String {
    Architecture::read(template).to_svg()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::ecommerce_platform;

    fn seed() -> Template {
        ecommerce_platform().synth().expect("the seed synthesises")
    }

    fn count_type(t: &Template, ty: &str) -> usize {
        t.resources()
            .values()
            .filter(|r| r.resource_type == ty)
            .count()
    }

    /// The `x` of the first `<rect>` whose tooltip starts with `label`.
    fn rect_x(svg: &str, label: &str) -> f64 {
        let line = svg
            .lines()
            .find(|l| l.starts_with("<rect") && l.contains(&format!("<title>{label} ")))
            .unwrap_or_else(|| panic!("no rect for {label}"));
        line.split("x=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.parse().ok())
            .expect("x")
    }

    #[test]
    fn the_seed_is_read_from_its_template() {
        let t = seed();
        let a = Architecture::read(&t);
        assert_eq!(a.vpc, Some(("Vpc".into(), "10.0.0.0/16".into())));
        assert_eq!(a.internet_gateways, ["InternetGateway"]);
        assert_eq!(a.zones, ["GetAZs[0]", "GetAZs[1]", "GetAZs[2]"]);
        let public: Vec<(&str, &str, usize)> = a
            .subnets
            .iter()
            .filter(|s| s.public)
            .map(|s| (s.id.as_str(), s.cidr.as_str(), s.zone))
            .collect();
        assert_eq!(
            public,
            [
                ("PublicSubnet1", "10.0.0.0/20", 0),
                ("PublicSubnet2", "10.0.16.0/20", 1),
                ("PublicSubnet3", "10.0.32.0/20", 2)
            ]
        );
        for s in a.subnets.iter().filter(|s| !s.public) {
            let i = s.id.trim_start_matches("PrivateSubnet");
            assert_eq!(s.routes_to_nat, Some(format!("NatGateway{i}")), "{}", s.id);
        }
        let placed: Vec<(&str, Vec<&str>)> = a
            .placed
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.subnets.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        let private = vec!["PrivateSubnet1", "PrivateSubnet2", "PrivateSubnet3"];
        assert_eq!(
            placed,
            [("ProductsDb", private.clone()), ("SessionCache", private)]
        );
        let links: Vec<(&str, &str, &str)> = a
            .links
            .iter()
            .map(|l| (l.from_group.as_str(), l.to.as_str(), l.port.as_str()))
            .collect();
        assert_eq!(
            links,
            [
                ("AppSecurityGroup", "ProductsDb", "tcp 5432"),
                ("AppSecurityGroup", "SessionCache", "tcp 6379")
            ]
        );
        let cdn = a
            .regional
            .iter()
            .position(|r| r.id == "ImagesCdn")
            .expect("cdn");
        let bucket = a
            .regional
            .iter()
            .position(|r| r.id == "ImagesBucket")
            .expect("bucket");
        assert!(a.regional_links.contains(&(cdn, bucket)));
        // Every resource is either drawn or counted.
        let drawn = 1 + 1 + 6 + 3 + 2 + 1 + a.regional.len();
        assert_eq!(
            drawn + a.not_drawn.values().sum::<usize>(),
            t.resources().len()
        );
    }

    #[test]
    fn one_mark_per_resource_in_data_order_and_one_svg_element() {
        let t = seed();
        let svg = architecture_svg(&t);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert_eq!(
            svg.matches("(AWS::EC2::Subnet, ").count(),
            count_type(&t, "AWS::EC2::Subnet")
        );
        assert_eq!(
            svg.matches("(AWS::EC2::NatGateway)").count(),
            count_type(&t, "AWS::EC2::NatGateway")
        );
        assert_eq!(
            svg.matches(": 0.0.0.0/0 via NatGateway").count(),
            3,
            "one route per private subnet"
        );
        assert_eq!(
            svg.matches("(AWS::RDS::DBInstance)").count(),
            count_type(&t, "AWS::RDS::DBInstance")
        );
        assert_eq!(
            svg.matches("from AppSecurityGroup to ").count(),
            2,
            "one arrow per ingress rule"
        );
        // Zones left to right in the template's order, public above private.
        let xs: Vec<f64> = (1..=3)
            .map(|i| rect_x(&svg, &format!("PublicSubnet{i}")))
            .collect();
        assert!(xs[0] < xs[1] && xs[1] < xs[2], "{xs:?}");
        assert_eq!(rect_x(&svg, "PrivateSubnet2"), xs[1]);
        assert!(svg.contains("Multi-AZ: primary + standby"));
        // Within the 800 x 500 box.
        assert!(svg.contains(r#"viewBox="0 0 800 500""#));
    }

    #[test]
    fn opt_outs_change_the_picture() {
        let app = crate::App::new("shop")
            .add_database(crate::Database::postgres("orders-db", "16.9").multi_az(false))
            .nat_gateways(1);
        let t = app.synth().expect("synth");
        let a = Architecture::read(&t);
        assert!(
            a.subnets
                .iter()
                .filter(|s| !s.public)
                .all(|s| s.routes_to_nat.as_deref() == Some("NatGateway1"))
        );
        let svg = a.to_svg();
        assert_eq!(svg.matches("no NAT gateway").count(), 2);
        assert!(svg.contains("single-AZ: one instance"));
        assert!(!svg.contains("SessionCache"));
    }

    #[test]
    fn placement_comes_from_the_route_tables_and_text_is_escaped() {
        let mut json = seed().to_json();
        // Send PrivateSubnet1 through the public route table: now it is public.
        json["Resources"]["PrivateSubnet1RouteTableAssociation"]["Properties"]["RouteTableId"] =
            serde_json::json!({"Ref": "PublicRouteTable"});
        json["Resources"]["Vpc"]["Properties"]["CidrBlock"] = serde_json::json!("10.0.0.0/16 <b>&");
        let t = Template::from_json_str(&json.to_string(), "<test>").expect("valid");
        let a = Architecture::read(&t);
        let s1 = a
            .subnets
            .iter()
            .find(|s| s.id == "PrivateSubnet1")
            .expect("subnet");
        assert!(s1.public && s1.routes_to_nat.is_none());
        let svg = a.to_svg();
        assert!(svg.contains("10.0.0.0/16 &lt;b&gt;&amp;") && !svg.contains("<b>"));
        assert_eq!(svg.matches(": 0.0.0.0/0 via NatGateway").count(), 2);
    }
}
