//! The resource graph: CloudFormation resources plus the edges their references imply.
//!
//! An edge `A → B` exists when `A` mentions `B` through `Ref`, `Fn::GetAtt`, a `${B}`
//! variable inside `Fn::Sub`, or `DependsOn`. [`Graph::build`] refuses a graph with a
//! dangling reference or a cycle — CloudFormation would reject both, but only after an
//! upload; here they fail before anything is emitted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::error::DcafError;

/// One CloudFormation resource (an "L1" construct, in CDK's words).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The logical id (`ProductsDb`), unique in a template.
    pub logical_id: String,
    /// The CloudFormation type (`AWS::RDS::DBInstance`).
    pub resource_type: String,
    /// The `Properties` object.
    pub properties: Map<String, Value>,
    /// Explicit `DependsOn` ids, for ordering the references do not express.
    pub depends_on: Vec<String>,
    /// `DeletionPolicy` (`Snapshot`, `Retain`, `Delete`), when set: what happens to the
    /// resource when it leaves the template.
    pub deletion_policy: Option<String>,
    /// `UpdateReplacePolicy`, when set: what happens to the old physical resource when an
    /// update replaces it.
    pub update_replace_policy: Option<String>,
    /// The `Metadata` object (DCAF writes its component and opt-outs here).
    pub metadata: Map<String, Value>,
}

impl Resource {
    /// A resource with the given id, type and properties (a JSON object; anything else
    /// is taken as no properties).
    pub fn new(logical_id: impl Into<String>, resource_type: &str, properties: Value) -> Self {
        let properties = match properties {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Resource {
            logical_id: logical_id.into(),
            resource_type: resource_type.to_string(),
            properties,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: Map::new(),
        }
    }

    /// Add an explicit `DependsOn`.
    pub fn depends_on(mut self, id: impl Into<String>) -> Self {
        self.depends_on.push(id.into());
        self
    }

    /// Set `DeletionPolicy` and `UpdateReplacePolicy` to `policy`.
    pub fn retain(mut self, policy: &str) -> Self {
        self.deletion_policy = Some(policy.to_string());
        self.update_replace_policy = Some(policy.to_string());
        self
    }

    /// The AWS service namespace of the type (`RDS` for `AWS::RDS::DBInstance`).
    pub fn service(&self) -> &str {
        self.resource_type.split("::").nth(1).unwrap_or("?")
    }

    /// Every logical id this resource refers to, with the JSON path of each mention.
    pub fn references(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (key, value) in &self.properties {
            collect_refs(value, &format!("Properties.{key}"), &mut out);
        }
        for (i, id) in self.depends_on.iter().enumerate() {
            out.push((format!("DependsOn[{i}]"), id.clone()));
        }
        out
    }

    /// The resource as a template entry (`Type`, `Properties`, …).
    pub fn to_json(&self) -> Value {
        let mut entry = Map::new();
        entry.insert("Type".into(), Value::String(self.resource_type.clone()));
        if !self.properties.is_empty() {
            entry.insert("Properties".into(), Value::Object(self.properties.clone()));
        }
        if !self.depends_on.is_empty() {
            let mut deps = self.depends_on.clone();
            deps.sort();
            deps.dedup();
            entry.insert(
                "DependsOn".into(),
                Value::Array(deps.into_iter().map(Value::String).collect()),
            );
        }
        if let Some(policy) = &self.deletion_policy {
            entry.insert("DeletionPolicy".into(), Value::String(policy.clone()));
        }
        if let Some(policy) = &self.update_replace_policy {
            entry.insert("UpdateReplacePolicy".into(), Value::String(policy.clone()));
        }
        if !self.metadata.is_empty() {
            entry.insert("Metadata".into(), Value::Object(self.metadata.clone()));
        }
        Value::Object(entry)
    }
}

/// Collect `(path, target)` for every `Ref`, `Fn::GetAtt` and `Fn::Sub` variable in `value`.
/// Pseudo parameters (`AWS::Region`, …) are not resources and are skipped.
pub(crate) fn collect_refs(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(Value::String(target)) = map.get("Ref") {
                    if !target.starts_with("AWS::") {
                        out.push((path.to_string(), target.clone()));
                    }
                    return;
                }
                if let Some(att) = map.get("Fn::GetAtt") {
                    let target = match att {
                        Value::Array(parts) => parts.first().and_then(Value::as_str),
                        Value::String(s) => s.split('.').next(),
                        _ => None,
                    };
                    if let Some(t) = target {
                        out.push((path.to_string(), t.to_string()));
                    }
                    return;
                }
                if let Some(sub) = map.get("Fn::Sub") {
                    let (text, locals) = match sub {
                        Value::String(s) => (Some(s.as_str()), None),
                        Value::Array(parts) => (
                            parts.first().and_then(Value::as_str),
                            parts.get(1).and_then(Value::as_object),
                        ),
                        _ => (None, None),
                    };
                    if let Some(locals) = locals {
                        for (k, v) in locals {
                            collect_refs(v, &format!("{path}.Fn::Sub.{k}"), out);
                        }
                    }
                    for var in text.map(sub_variables).unwrap_or_default() {
                        if locals.is_some_and(|l| l.contains_key(&var)) || var.starts_with("AWS::")
                        {
                            continue;
                        }
                        out.push((format!("{path}.Fn::Sub"), var));
                    }
                    return;
                }
            }
            for (k, v) in map {
                collect_refs(v, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_refs(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The logical ids named by `${X}` / `${X.Attr}` in an `Fn::Sub` string (`${!X}` is a literal).
fn sub_variables(text: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        if !inner.starts_with('!') {
            let name = inner.split('.').next().unwrap_or(inner).trim();
            if !name.is_empty() {
                vars.push(name.to_string());
            }
        }
        rest = &after[end + 1..];
    }
    vars
}

/// A validated set of resources: unique ids, no dangling reference, no cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    resources: BTreeMap<String, Resource>,
    edges: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    /// Check `resources` (and the references in `outputs`) and build the graph.
    ///
    /// Errors: [`DcafError::DuplicateLogicalId`], [`DcafError::DanglingReference`],
    /// [`DcafError::Cycle`] — the first one found, in logical-id order.
    pub fn build(
        resources: Vec<Resource>,
        outputs: &BTreeMap<String, Value>,
    ) -> Result<Graph, DcafError> {
        let mut by_id = BTreeMap::new();
        for r in resources {
            if by_id.contains_key(&r.logical_id) {
                return Err(DcafError::DuplicateLogicalId { id: r.logical_id });
            }
            by_id.insert(r.logical_id.clone(), r);
        }
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (id, r) in &by_id {
            let targets = edges.entry(id.clone()).or_default();
            for (path, target) in r.references() {
                if !by_id.contains_key(&target) {
                    return Err(DcafError::DanglingReference {
                        from: id.clone(),
                        path,
                        target,
                    });
                }
                targets.insert(target);
            }
        }
        for (name, value) in outputs {
            let mut refs = Vec::new();
            collect_refs(value, "Value", &mut refs);
            if let Some((path, target)) = refs.into_iter().find(|(_, t)| !by_id.contains_key(t)) {
                return Err(DcafError::DanglingReference {
                    from: format!("Outputs.{name}"),
                    path,
                    target,
                });
            }
        }
        if let Some(cycle) = find_cycle(&edges) {
            return Err(DcafError::Cycle { cycle });
        }
        Ok(Graph {
            resources: by_id,
            edges,
        })
    }

    /// The resources, by logical id.
    pub fn resources(&self) -> &BTreeMap<String, Resource> {
        &self.resources
    }

    /// The ids `id` refers to directly.
    pub fn dependencies(&self, id: &str) -> impl Iterator<Item = &str> {
        self.edges.get(id).into_iter().flatten().map(String::as_str)
    }

    /// A creation order: every resource after everything it refers to (ties by id).
    pub fn creation_order(&self) -> Vec<&str> {
        let mut done: BTreeSet<&str> = BTreeSet::new();
        let mut order = Vec::new();
        while order.len() < self.resources.len() {
            let before = order.len();
            for id in self.resources.keys() {
                if !done.contains(id.as_str()) && self.dependencies(id).all(|d| done.contains(d)) {
                    order.push(id.as_str());
                }
            }
            for id in &order[before..] {
                done.insert(id);
            }
            if order.len() == before {
                break; // unreachable for a built graph (no cycles), but never loop forever
            }
        }
        order
    }

    pub(crate) fn into_resources(self) -> BTreeMap<String, Resource> {
        self.resources
    }
}

/// The first cycle found by depth-first search in id order, as `[a, b, …, a]`.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnStack,
        Done,
    }
    let mut mark: BTreeMap<&str, Mark> = edges.keys().map(|k| (k.as_str(), Mark::New)).collect();
    for start in edges.keys() {
        if mark[start.as_str()] != Mark::New {
            continue;
        }
        // Iterative DFS: a stack of (node, its remaining successors).
        let mut stack: Vec<(&str, Vec<&str>)> = Vec::new();
        let succ = |n: &str| -> Vec<&str> {
            edges
                .get(n)
                .map(|s| s.iter().rev().map(String::as_str).collect())
                .unwrap_or_default()
        };
        stack.push((start.as_str(), succ(start)));
        mark.insert(start.as_str(), Mark::OnStack);
        while let Some((node, rest)) = stack.last_mut() {
            let node = *node;
            match rest.pop() {
                Some(next) => match mark.get(next).copied().unwrap_or(Mark::Done) {
                    Mark::New => {
                        mark.insert(next, Mark::OnStack);
                        stack.push((next, succ(next)));
                    }
                    Mark::OnStack => {
                        let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[from..].iter().map(|(n, _)| n.to_string()).collect();
                        cycle.push(next.to_string());
                        return Some(cycle);
                    }
                    Mark::Done => {}
                },
                None => {
                    mark.insert(node, Mark::Done);
                    stack.pop();
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sub_variables_skip_literals_and_take_the_resource_part() {
        assert_eq!(
            sub_variables("arn:${AWS::Partition}:x/${Cdn}/${Db.Endpoint.Address}/${!Lit}"),
            vec!["AWS::Partition", "Cdn", "Db"]
        );
    }

    #[test]
    fn references_cover_ref_getatt_sub_and_depends_on() {
        let r = Resource::new(
            "A",
            "AWS::X::Y",
            json!({"P": [{"Ref": "B"}, {"Fn::GetAtt": ["C", "Arn"]}],
                   "Q": {"Fn::Sub": ["${D}-${local}", {"local": {"Ref": "E"}}]},
                   "R": {"Ref": "AWS::Region"}}),
        )
        .depends_on("F");
        let targets: Vec<String> = r.references().into_iter().map(|(_, t)| t).collect();
        assert_eq!(targets, vec!["B", "C", "E", "D", "F"]);
    }
}
