//! The CloudFormation template: what DCAF emits, and what [`crate::diff`] reads back.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::DcafError;
use crate::graph::{Graph, Resource};

/// A validated CloudFormation template (resources form a graph without dangling
/// references or cycles).
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    description: String,
    metadata: Map<String, Value>,
    resources: BTreeMap<String, Resource>,
    outputs: BTreeMap<String, Value>,
}

impl Template {
    pub(crate) fn from_parts(
        description: String,
        metadata: Map<String, Value>,
        graph: Graph,
        outputs: BTreeMap<String, Value>,
    ) -> Self {
        Template {
            description,
            metadata,
            resources: graph.into_resources(),
            outputs,
        }
    }

    /// The resources, by logical id.
    pub fn resources(&self) -> &BTreeMap<String, Resource> {
        &self.resources
    }

    /// One resource.
    pub fn resource(&self, logical_id: &str) -> Option<&Resource> {
        self.resources.get(logical_id)
    }

    /// The `Outputs` section.
    pub fn outputs(&self) -> &BTreeMap<String, Value> {
        &self.outputs
    }

    /// The `Description`.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The template as JSON, every object's keys in sorted order.
    pub fn to_json(&self) -> Value {
        let mut top = Map::new();
        top.insert(
            "AWSTemplateFormatVersion".into(),
            Value::String("2010-09-09".into()),
        );
        top.insert(
            "Description".into(),
            Value::String(self.description.clone()),
        );
        if !self.metadata.is_empty() {
            top.insert("Metadata".into(), Value::Object(self.metadata.clone()));
        }
        let resources: Map<String, Value> = self
            .resources
            .iter()
            .map(|(id, r)| (id.clone(), r.to_json()))
            .collect();
        top.insert("Resources".into(), Value::Object(resources));
        if !self.outputs.is_empty() {
            let outputs: Map<String, Value> = self.outputs.clone().into_iter().collect();
            top.insert("Outputs".into(), Value::Object(outputs));
        }
        canonical(Value::Object(top))
    }

    /// Pretty JSON with sorted keys and a final newline: byte-identical for equal templates.
    pub fn to_json_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Read a template (for example the previous deployment's) from JSON text.
    /// `source_name` labels errors (a file name or `<string>`). The resources are checked
    /// like DCAF's own: a dangling reference or a cycle is an error.
    pub fn from_json_str(text: &str, source_name: &str) -> Result<Template, DcafError> {
        let value: Value = serde_json::from_str(text).map_err(|e| DcafError::Json {
            source_name: source_name.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let not = |path: &str, message: &str| DcafError::NotATemplate {
            source_name: source_name.to_string(),
            path: path.to_string(),
            message: message.to_string(),
        };
        let top = value
            .as_object()
            .ok_or_else(|| not("$", "a template is a JSON object"))?;
        let res = top
            .get("Resources")
            .and_then(Value::as_object)
            .ok_or_else(|| not("Resources", "missing, or not an object"))?;
        let mut resources = Vec::new();
        for (id, entry) in res {
            let at = |field: &str| format!("Resources.{id}.{field}");
            let entry = entry
                .as_object()
                .ok_or_else(|| not(&format!("Resources.{id}"), "not an object"))?;
            let ty = entry
                .get("Type")
                .and_then(Value::as_str)
                .ok_or_else(|| not(&at("Type"), "missing, or not a string"))?;
            let props = match entry.get("Properties") {
                None => Value::Object(Map::new()),
                Some(p @ Value::Object(_)) => p.clone(),
                Some(_) => return Err(not(&at("Properties"), "not an object")),
            };
            let mut r = Resource::new(id.clone(), ty, props);
            match entry.get("DependsOn") {
                None => {}
                Some(Value::String(s)) => r.depends_on.push(s.clone()),
                Some(Value::Array(items)) => {
                    for item in items {
                        let s = item
                            .as_str()
                            .ok_or_else(|| not(&at("DependsOn"), "items must be strings"))?;
                        r.depends_on.push(s.to_string());
                    }
                }
                Some(_) => return Err(not(&at("DependsOn"), "a string or a list of strings")),
            }
            let policy = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_string);
            r.deletion_policy = policy("DeletionPolicy");
            r.update_replace_policy = policy("UpdateReplacePolicy");
            if let Some(Value::Object(m)) = entry.get("Metadata") {
                r.metadata = m.clone();
            }
            resources.push(r);
        }
        let outputs: BTreeMap<String, Value> = match top.get("Outputs") {
            None => BTreeMap::new(),
            Some(Value::Object(m)) => m.clone().into_iter().collect(),
            Some(_) => return Err(not("Outputs", "not an object")),
        };
        let graph = Graph::build(resources, &outputs)?;
        let metadata = match top.get("Metadata") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let description = top
            .get("Description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Template::from_parts(description, metadata, graph, outputs))
    }
}

/// Rebuild every object with its keys in sorted order (whatever map serde_json uses).
fn canonical(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let sorted: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, canonical(v))).collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}
