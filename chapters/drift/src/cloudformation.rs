//! CloudFormation templates as inventories: the seam other chapters (and other tools)
//! use to hand this crate an intended or actual state.
//!
//! Each entry of the template's `Resources` map becomes one resource: type = its `Type`
//! (`AWS::RDS::DBInstance`), id = its logical id (`Database`), attributes = its
//! `Properties` (an empty map when absent). `DependsOn`, `Condition`, `DeletionPolicy`
//! and the template's other sections are not compared: CloudFormation's own drift
//! detection also compares properties only. Intrinsic functions (`{"Ref": …}`) are
//! compared as written.
//!
//! ```
//! let t = serde_json::json!({"Resources": {"Db": {
//!     "Type": "AWS::RDS::DBInstance",
//!     "Properties": {"DBInstanceClass": "db.t3.large", "BackupRetentionPeriod": 7}}}});
//! let inv = drift::cloudformation::inventory_from_template(&t).unwrap();
//! let db = inv.get("AWS::RDS::DBInstance", "Db").unwrap();
//! assert_eq!(db.attributes["BackupRetentionPeriod"], 7);
//! ```

use serde_json::{Map, Value};

use crate::error::DriftError;
use crate::inventory::{
    Inventory, Origin, Resource, ResourceKey, SourceFormat, canonical, describe, sorted_keys,
};

/// Read a template's `Resources` into an inventory (errors name the file `<template>`).
pub fn inventory_from_template(template: &Value) -> Result<Inventory, DriftError> {
    inventory_from_template_in("<template>", template)
}

/// [`inventory_from_template`] with the file name to use in errors.
pub fn inventory_from_template_in(file: &str, template: &Value) -> Result<Inventory, DriftError> {
    let resources = match template.get("Resources") {
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(DriftError::shape(
                file,
                "Resources",
                format!("expected a map of logical ids, found {}", describe(other)),
            ));
        }
        None => {
            return Err(DriftError::shape(
                file,
                "Resources",
                "missing (a CloudFormation template has a `Resources` map)",
            ));
        }
    };
    let mut inv = Inventory::new(SourceFormat::CloudFormation);
    for id in sorted_keys(resources) {
        let field = format!("Resources.{id}");
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(DriftError::shape(
                file,
                &field,
                "a logical id is letters and digits only (A-Za-z0-9)",
            ));
        }
        let entry = resources[id].as_object().ok_or_else(|| {
            DriftError::shape(
                file,
                &field,
                format!(
                    "expected a map with `Type`, found {}",
                    describe(&resources[id])
                ),
            )
        })?;
        let rtype = match entry.get("Type") {
            Some(Value::String(t)) if !t.is_empty() => t.clone(),
            Some(other) => {
                return Err(DriftError::shape(
                    file,
                    &format!("{field}.Type"),
                    format!("expected a type name, found {}", describe(other)),
                ));
            }
            None => {
                return Err(DriftError::shape(file, &format!("{field}.Type"), "missing"));
            }
        };
        let attributes = match entry.get("Properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(p)) => match canonical(Value::Object(p.clone())) {
                Value::Object(p) => p,
                _ => Map::new(),
            },
            Some(other) => {
                return Err(DriftError::shape(
                    file,
                    &format!("{field}.Properties"),
                    format!("expected a map, found {}", describe(other)),
                ));
            }
        };
        inv.resources.insert(
            ResourceKey::new(rtype, id.clone()),
            Resource {
                attributes,
                origin: Origin::CloudFormation,
            },
        );
    }
    Ok(inv)
}

/// A template holding exactly the inventory's resources (`Type` + `Properties`). The
/// type of a resource from an environments document is used as written. Two resources
/// with one id (of different types) cannot share a template: that is an error.
pub fn template_from_inventory(inv: &Inventory) -> Result<Value, DriftError> {
    let mut resources = Map::new();
    for (key, res) in &inv.resources {
        if resources.contains_key(&key.id) {
            return Err(DriftError::Unwritable {
                rtype: key.rtype.clone(),
                id: key.id.clone(),
                message: "another resource already uses this logical id".into(),
            });
        }
        let mut entry = Map::new();
        entry.insert("Type".into(), Value::String(key.rtype.clone()));
        if !res.attributes.is_empty() {
            entry.insert("Properties".into(), Value::Object(res.attributes.clone()));
        }
        resources.insert(key.id.clone(), Value::Object(entry));
    }
    let mut top = Map::new();
    top.insert(
        "AWSTemplateFormatVersion".into(),
        Value::String("2010-09-09".into()),
    );
    top.insert("Resources".into(), Value::Object(resources));
    Ok(Value::Object(top))
}
