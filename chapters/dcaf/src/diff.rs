//! The diff between a previous template and the next one — DCAF's `cdk diff`.
//!
//! Each resource is created, deleted, updated in place, or **replaced**: a new physical
//! resource is created and the old one deleted, because a property that can only be set
//! at creation changed (a bucket's name, a database's subnet group). For a database or a
//! bucket, replace means the data does not come along.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::template::Template;

/// What happens to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// New in the next template.
    Create,
    /// Changed properties, all updatable in place.
    Update,
    /// A create-only property (or the type) changed: new resource, old one deleted.
    Replace,
    /// Gone from the next template.
    Delete,
}

impl ChangeKind {
    /// `cdk diff`-style marker.
    pub fn marker(self) -> &'static str {
        match self {
            ChangeKind::Create => "[+]",
            ChangeKind::Update => "[~]",
            ChangeKind::Replace => "[-/+]",
            ChangeKind::Delete => "[-]",
        }
    }
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Replace => "replace",
            ChangeKind::Delete => "delete",
        }
    }
}

/// One changed property (or `Type`, `DependsOn`, `DeletionPolicy`).
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    /// The property name.
    pub property: String,
    /// The previous value (`None`: absent).
    pub before: Option<Value>,
    /// The next value (`None`: absent).
    pub after: Option<Value>,
    /// Why this change forces replacement, if it does.
    pub replacement: Option<&'static str>,
}

/// The change to one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Logical id.
    pub logical_id: String,
    /// Type (the next one, or the previous one for a delete).
    pub resource_type: String,
    /// Create, update, replace or delete.
    pub kind: ChangeKind,
    /// Property changes (updates and replacements only).
    pub properties: Vec<PropertyChange>,
    /// For a replacement: the custom-name property that did not change. CloudFormation
    /// refuses to replace a resource with a fixed name unless the name changes too.
    pub fixed_name: Option<&'static str>,
    /// What becomes of the old resource (`Retain` keeps it, `Snapshot` takes a final
    /// snapshot): its `DeletionPolicy` for a delete, its `UpdateReplacePolicy` for a
    /// replacement ([`Change::policy_attribute`] names which).
    pub old_copy_policy: Option<String>,
}

impl Change {
    /// The attribute that decides what becomes of the old resource: `UpdateReplacePolicy`
    /// when an update replaces it, `DeletionPolicy` when it leaves the template.
    pub fn policy_attribute(&self) -> &'static str {
        if self.kind == ChangeKind::Replace {
            "UpdateReplacePolicy"
        } else {
            "DeletionPolicy"
        }
    }
}

/// All changes between two templates, by kind then logical id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diff {
    /// The changes.
    pub changes: Vec<Change>,
    /// Unchanged resources that refer to a replaced one: CloudFormation updates them
    /// with the replacement's new id.
    pub dependents_of_replaced: Vec<String>,
}

impl Diff {
    /// How many changes of `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }
    /// True when the templates describe the same resources.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Top-level properties that can only be set when a resource is created, for the types
/// DCAF emits — from the CloudFormation registry schemas' `createOnlyProperties`
/// (as bundled with cfn-lint 1.58.0).
pub fn create_only_properties(resource_type: &str) -> &'static [&'static str] {
    match resource_type {
        "AWS::RDS::DBInstance" => &[
            "CharacterSetName",
            "DBClusterIdentifier",
            "DBInstanceIdentifier",
            "DBName",
            "DBSubnetGroupName",
            "KmsKeyId",
            "MasterUsername",
            "StorageEncrypted",
            "Timezone",
        ],
        "AWS::S3::Bucket" => &["BucketName"],
        "AWS::SQS::Queue" => &["FifoQueue", "QueueName"],
        "AWS::ElastiCache::ReplicationGroup" => &[
            "AtRestEncryptionEnabled",
            "CacheSubnetGroupName",
            "KmsKeyId",
            "Port",
            "ReplicationGroupId",
        ],
        "AWS::ElastiCache::ParameterGroup" => &["CacheParameterGroupFamily"],
        "AWS::EC2::VPC" => &["CidrBlock"],
        "AWS::EC2::Subnet" => &["AvailabilityZone", "CidrBlock", "VpcId"],
        "AWS::EC2::SecurityGroup" => &["GroupDescription", "GroupName", "VpcId"],
        "AWS::EC2::SecurityGroupIngress" => &[
            "CidrIp",
            "FromPort",
            "GroupId",
            "IpProtocol",
            "SourceSecurityGroupId",
            "ToPort",
        ],
        "AWS::EC2::SecurityGroupEgress" => &[
            "CidrIp",
            "DestinationSecurityGroupId",
            "FromPort",
            "GroupId",
            "IpProtocol",
            "ToPort",
        ],
        "AWS::EC2::NatGateway" => &["AllocationId", "SubnetId"],
        "AWS::EC2::RouteTable" => &["VpcId"],
        "AWS::EC2::Route" => &["DestinationCidrBlock", "RouteTableId"],
        "AWS::EC2::SubnetRouteTableAssociation" => &["RouteTableId", "SubnetId"],
        "AWS::EC2::FlowLog" => &[
            "DeliverLogsPermissionArn",
            "LogDestinationType",
            "LogGroupName",
            "ResourceId",
            "ResourceType",
            "TrafficType",
        ],
        "AWS::RDS::DBSubnetGroup" => &["DBSubnetGroupName"],
        "AWS::Logs::LogGroup" => &["LogGroupName"],
        "AWS::SES::EmailIdentity" => &["EmailIdentity"],
        "AWS::KMS::Alias" => &["AliasName"],
        "AWS::CloudWatch::Dashboard" => &["DashboardName"],
        "AWS::CloudWatch::Alarm" => &["AlarmName"],
        "AWS::S3::BucketPolicy" => &["Bucket"],
        "AWS::IAM::Role" => &["Path", "RoleName"],
        "AWS::SNS::Topic" => &["FifoTopic", "TopicName"],
        _ => &[],
    }
}

/// Why changing `property` of `resource_type` from `before` to `after` replaces the resource.
fn replacement_reason(
    resource_type: &str,
    property: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Option<&'static str> {
    if property == "Type" {
        return Some("type changed");
    }
    if create_only_properties(resource_type).contains(&property) {
        return Some("create-only");
    }
    // The registry schema lets `Engine` change in place (for Oracle's non-CDB → CDB
    // conversion), but RDS cannot turn one engine family into another: postgres → mysql
    // needs a new instance and a data migration.
    if resource_type == "AWS::RDS::DBInstance" && property == "Engine" {
        let family = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .map(|s| s.split('-').next().unwrap_or(s).to_string())
        };
        if family(before) != family(after) {
            return Some("engine family");
        }
    }
    None
}

/// The changes that turn `previous` into `next`.
pub fn diff(previous: &Template, next: &Template) -> Diff {
    let mut changes = Vec::new();
    let ids: BTreeSet<&String> = previous
        .resources()
        .keys()
        .chain(next.resources().keys())
        .collect();
    for id in ids {
        match (previous.resource(id), next.resource(id)) {
            (None, Some(n)) => changes.push(Change {
                logical_id: id.clone(),
                resource_type: n.resource_type.clone(),
                kind: ChangeKind::Create,
                properties: vec![],
                fixed_name: None,
                old_copy_policy: None,
            }),
            (Some(p), None) => changes.push(Change {
                logical_id: id.clone(),
                resource_type: p.resource_type.clone(),
                kind: ChangeKind::Delete,
                properties: vec![],
                fixed_name: None,
                old_copy_policy: p.deletion_policy.clone(),
            }),
            (Some(p), Some(n)) => {
                let mut props = Vec::new();
                if p.resource_type != n.resource_type {
                    props.push(PropertyChange {
                        property: "Type".into(),
                        before: Some(Value::String(p.resource_type.clone())),
                        after: Some(Value::String(n.resource_type.clone())),
                        replacement: Some("type changed"),
                    });
                }
                let keys: BTreeSet<&String> =
                    p.properties.keys().chain(n.properties.keys()).collect();
                for key in keys {
                    let (b, a) = (p.properties.get(key), n.properties.get(key));
                    if b != a {
                        props.push(PropertyChange {
                            property: key.clone(),
                            before: b.cloned(),
                            after: a.cloned(),
                            replacement: replacement_reason(&n.resource_type, key, b, a),
                        });
                    }
                }
                let deps = |r: &crate::graph::Resource| {
                    let mut d = r.depends_on.clone();
                    d.sort();
                    d.dedup();
                    d
                };
                if deps(p) != deps(n) {
                    props.push(PropertyChange {
                        property: "DependsOn".into(),
                        before: Some(serde_json::json!(deps(p))),
                        after: Some(serde_json::json!(deps(n))),
                        replacement: None,
                    });
                }
                for (attribute, before, after) in [
                    ("DeletionPolicy", &p.deletion_policy, &n.deletion_policy),
                    (
                        "UpdateReplacePolicy",
                        &p.update_replace_policy,
                        &n.update_replace_policy,
                    ),
                ] {
                    if before != after {
                        props.push(PropertyChange {
                            property: attribute.into(),
                            before: before.clone().map(Value::String),
                            after: after.clone().map(Value::String),
                            replacement: None,
                        });
                    }
                }
                if !props.is_empty() {
                    let kind = if props.iter().any(|c| c.replacement.is_some()) {
                        ChangeKind::Replace
                    } else {
                        ChangeKind::Update
                    };
                    let fixed_name = name_property(&n.resource_type).filter(|name| {
                        kind == ChangeKind::Replace
                            && n.properties.contains_key(*name)
                            && !props.iter().any(|c| c.property == *name)
                    });
                    changes.push(Change {
                        logical_id: id.clone(),
                        resource_type: n.resource_type.clone(),
                        kind,
                        properties: props,
                        fixed_name,
                        old_copy_policy: if kind == ChangeKind::Replace {
                            p.update_replace_policy.clone()
                        } else {
                            None
                        },
                    });
                }
            }
            (None, None) => {}
        }
    }
    changes.sort_by(|a, b| (a.kind, &a.logical_id).cmp(&(b.kind, &b.logical_id)));
    let replaced: BTreeSet<&str> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Replace)
        .map(|c| c.logical_id.as_str())
        .collect();
    let changed: BTreeSet<&str> = changes.iter().map(|c| c.logical_id.as_str()).collect();
    let dependents_of_replaced = next
        .resources()
        .iter()
        .filter(|(id, _)| !changed.contains(id.as_str()))
        .filter(|(_, r)| {
            r.references()
                .iter()
                .any(|(_, t)| replaced.contains(t.as_str()))
        })
        .map(|(id, _)| id.clone())
        .collect();
    Diff {
        changes,
        dependents_of_replaced,
    }
}

/// The property that holds a resource's custom physical name, for the types DCAF emits.
pub fn name_property(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "AWS::RDS::DBInstance" => "DBInstanceIdentifier",
        "AWS::RDS::DBSubnetGroup" => "DBSubnetGroupName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::ElastiCache::ReplicationGroup" => "ReplicationGroupId",
        "AWS::EC2::SecurityGroup" => "GroupName",
        "AWS::CloudWatch::Alarm" => "AlarmName",
        "AWS::CloudWatch::Dashboard" => "DashboardName",
        "AWS::IAM::Role" => "RoleName",
        "AWS::KMS::Alias" => "AliasName",
        "AWS::SES::EmailIdentity" => "EmailIdentity",
        _ => return None,
    })
}

/// Two values on one line each, cut to `max` characters; when they share a long prefix,
/// both start a little before the first difference.
fn short_pair(before: Option<&Value>, after: Option<&Value>, max: usize) -> (String, String) {
    let text = |v: Option<&Value>| v.map_or_else(|| "(absent)".to_string(), Value::to_string);
    let (b, a) = (text(before), text(after));
    let common = b.chars().zip(a.chars()).take_while(|(x, y)| x == y).count();
    let skip = if common > 12 { common - 6 } else { 0 };
    let cut = |s: &str| {
        let tail: Vec<char> = s.chars().skip(skip).collect();
        let mut out = if skip > 0 {
            "…".to_string()
        } else {
            String::new()
        };
        if tail.len() + out.chars().count() <= max {
            out.extend(tail);
        } else {
            out.extend(tail.iter().take(max - 1 - out.chars().count()));
            out.push('…');
        }
        out
    };
    (cut(&b), cut(&a))
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return write!(f, "No changes.");
        }
        for c in &self.changes {
            writeln!(
                f,
                "{:<5} {:<7} {} ({})",
                c.kind.marker(),
                c.kind.name(),
                c.logical_id,
                c.resource_type
            )?;
            for p in &c.properties {
                let tag = match p.replacement {
                    Some(why) => format!("  [replaces: {why}]"),
                    None => String::new(),
                };
                writeln!(f, "        {}{tag}", p.property)?;
                let (b, a) = short_pair(p.before.as_ref(), p.after.as_ref(), 32);
                writeln!(f, "          {b} → {a}")?;
            }
            if let Some(name) = c.fixed_name {
                writeln!(
                    f,
                    "        ! {name} unchanged: CloudFormation will not replace a"
                )?;
                writeln!(f, "          custom-named resource; give it a new name")?;
            }
            let attribute = c.policy_attribute();
            match c.old_copy_policy.as_deref() {
                Some("Retain") => writeln!(f, "        ({attribute} Retain: the old one is kept)")?,
                Some("Snapshot") => writeln!(
                    f,
                    "        ({attribute} Snapshot: a final snapshot is taken)"
                )?,
                _ => {}
            }
        }
        if !self.dependents_of_replaced.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "Also updated by CloudFormation (they refer to a replaced resource):"
            )?;
            writeln!(
                f,
                "  {}",
                crate::plan::wrap(&self.dependents_of_replaced.join(", "), 76, "  ")
            )?;
        }
        writeln!(f)?;
        write!(
            f,
            "{} to create, {} to update, {} to replace, {} to delete.",
            self.count(ChangeKind::Create),
            self.count(ChangeKind::Update),
            self.count(ChangeKind::Replace),
            self.count(ChangeKind::Delete)
        )
    }
}
