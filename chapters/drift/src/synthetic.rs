//! Seeded synthetic estates for the benchmark and the property tests: an intended
//! inventory of `n` resources and an actual one with a known share of drift.

use kit::rng::{Rng, seeded};
use serde_json::{Value, json};

use crate::inventory::{Attributes, Inventory, Origin, Resource, ResourceKey, SourceFormat};

const TYPES: [&str; 5] = [
    "web_server",
    "database",
    "s3_bucket",
    "iam_role",
    "load_balancer",
];
const SIZES: [&str; 5] = [
    "t3.small",
    "t3.medium",
    "t3.large",
    "m5.large",
    "db.t3.large",
];
const GROUPS: [&str; 8] = [
    "allow-http-443",
    "allow-ssh-from-vpn",
    "allow-mysql-3306",
    "allow-all-from-office",
    "custom-sg-1",
    "custom-sg-2",
    "allow-ssh-from-anywhere",
    "allow-metrics-9100",
];

/// How much of the generated estate drifts.
#[derive(Debug, Clone, Copy)]
pub struct DriftMix {
    /// Share of resources with attribute changes (0–1).
    pub changed: f64,
    /// Share of resources deleted from reality (missing).
    pub missing: f64,
    /// Extra resources in reality, as a share of `n` (unmanaged).
    pub unmanaged: f64,
}

impl Default for DriftMix {
    fn default() -> Self {
        Self {
            changed: 0.10,
            missing: 0.01,
            unmanaged: 0.02,
        }
    }
}

fn attributes(rng: &mut impl Rng, i: usize) -> Attributes {
    let mut groups: Vec<Value> = GROUPS
        .iter()
        .filter(|_| rng.random_bool(0.4))
        .map(|g| json!(g))
        .collect();
    if groups.is_empty() {
        groups.push(json!(GROUPS[0]));
    }
    let listeners: Vec<Value> = (0..rng.random_range(0..3))
        .map(|k| json!({"port": 443 + k * 1000, "protocol": "HTTPS", "certificate": format!("arn:aws:acm:cert-{}", rng.random_range(0..50))}))
        .collect();
    let v = json!({
        "type": SIZES[rng.random_range(0..SIZES.len())],
        "ami": format!("ami-{:05}", rng.random_range(0..100)),
        "security_groups": groups,
        "backup": if rng.random_bool(0.9) { "enabled" } else { "disabled" },
        "listeners": listeners,
        "tags": {"team": format!("team-{}", i % 17), "cost-center": format!("cc-{}", i % 5)},
    });
    match v {
        Value::Object(m) => m,
        _ => Attributes::new(),
    }
}

fn mutate(rng: &mut impl Rng, attrs: &mut Attributes) {
    match rng.random_range(0..5) {
        0 => {
            attrs.insert(
                "type".into(),
                json!(SIZES[rng.random_range(0..SIZES.len())]),
            );
        }
        1 => {
            if let Some(Value::Array(g)) = attrs.get_mut("security_groups") {
                g.push(json!(GROUPS[rng.random_range(0..GROUPS.len())]));
            }
        }
        2 => {
            attrs.remove("backup");
        }
        3 => {
            attrs.insert("notes".into(), json!("changed by hand"));
        }
        _ => {
            if let Some(Value::Array(l)) = attrs.get_mut("listeners") {
                l.push(json!({"port": 9000, "protocol": "HTTP"}));
            }
        }
    }
}

fn resource(i: usize, attributes: Attributes) -> (ResourceKey, Resource) {
    let rtype = TYPES[i % TYPES.len()];
    let name = format!("r{i:06}");
    (
        ResourceKey::new(rtype, format!("bench/{name}")),
        Resource {
            attributes,
            origin: Origin::Named {
                env: "bench".into(),
                section: format!("{rtype}s"),
                name,
            },
        },
    )
}

/// An intended estate of `n` resources and reality with `mix` of drift, from `seed`.
pub fn estate(seed: u64, n: usize, mix: DriftMix) -> (Inventory, Inventory) {
    let mut rng = seeded(seed);
    let mut intended = Inventory::new(SourceFormat::Environments);
    let mut actual = Inventory::new(SourceFormat::Environments);
    for i in 0..n {
        let attrs = attributes(&mut rng, i);
        let (key, res) = resource(i, attrs);
        intended.resources.insert(key.clone(), res.clone());
        if rng.random_bool(mix.missing) {
            continue;
        }
        let mut res = res;
        if rng.random_bool(mix.changed) {
            mutate(&mut rng, &mut res.attributes);
        }
        actual.resources.insert(key, res);
    }
    let extra = (n as f64 * mix.unmanaged).round() as usize;
    for j in 0..extra {
        let attrs = attributes(&mut rng, n + j);
        let (key, res) = resource(n + j, attrs);
        actual.resources.insert(key, res);
    }
    (intended, actual)
}
