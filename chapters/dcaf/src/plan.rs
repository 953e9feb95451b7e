//! The plan: what a deployment of a template would create, counted from the template.
//!
//! This replaces the seed's deploy log ("✅ VPC created … 🎉 complete in 5 minutes"):
//! nothing is deployed, so the honest output is the list of resources a deployment
//! would create, grouped by AWS service, and every opt-out from the secure defaults.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::template::Template;

/// Resources of one AWS service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceGroup {
    /// The service namespace (`EC2`, `RDS`, …).
    pub service: String,
    /// `(type without the service prefix, count)`, by type name.
    pub types: Vec<(String, usize)>,
    /// Resources of this service.
    pub count: usize,
}

/// An explicit opt-out from a secure default, as recorded in a resource's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOut {
    /// The resource carrying it.
    pub logical_id: String,
    /// The component (`storage images`).
    pub component: String,
    /// What was turned off and what it costs.
    pub text: String,
}

/// What a deployment of a template would create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The template's description (app, environment, region).
    pub title: String,
    /// By service, in name order.
    pub services: Vec<ServiceGroup>,
    /// `(component, resources)`, in name order (`-` for resources without DCAF metadata).
    pub components: Vec<(String, usize)>,
    /// Every opt-out, by resource id.
    pub opt_outs: Vec<OptOut>,
    /// Resources in all.
    pub total: usize,
}

fn component_of(
    metadata: &serde_json::Map<String, Value>,
) -> Option<&serde_json::Map<String, Value>> {
    metadata.get("dcaf").and_then(Value::as_object)
}

/// Count the resources of `template` by service and component, and collect the opt-outs.
pub fn plan(template: &Template) -> Plan {
    let mut services: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut components: BTreeMap<String, usize> = BTreeMap::new();
    let mut opt_outs = Vec::new();
    for (id, r) in template.resources() {
        let short = r.resource_type.splitn(3, "::").nth(2).unwrap_or("?");
        *services
            .entry(r.service().to_string())
            .or_default()
            .entry(short.to_string())
            .or_default() += 1;
        let dcaf = component_of(&r.metadata);
        let component = dcaf
            .and_then(|d| d.get("component"))
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_string();
        *components.entry(component.clone()).or_default() += 1;
        let texts = dcaf
            .and_then(|d| d.get("optOuts"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for text in texts {
            opt_outs.push(OptOut {
                logical_id: id.clone(),
                component: component.clone(),
                text: text.to_string(),
            });
        }
    }
    Plan {
        title: template.description().to_string(),
        total: template.resources().len(),
        services: services
            .into_iter()
            .map(|(service, types)| ServiceGroup {
                count: types.values().sum(),
                service,
                types: types.into_iter().collect(),
            })
            .collect(),
        components: components.into_iter().collect(),
        opt_outs,
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Plan: {}", self.title)?;
        writeln!(
            f,
            "{} resources to create, {} services, nothing deployed.",
            self.total,
            self.services.len()
        )?;
        writeln!(f)?;
        let mut rows = Vec::new();
        for g in &self.services {
            for (i, (ty, n)) in g.types.iter().enumerate() {
                let service = if i == 0 {
                    format!("{} ({})", g.service, g.count)
                } else {
                    String::new()
                };
                rows.push(vec![service, ty.clone(), format!("+{n}")]);
            }
        }
        writeln!(
            f,
            "{}",
            kit::table::render(&["service", "resource type", "create"], &rows)
        )?;
        writeln!(f)?;
        let rows: Vec<Vec<String>> = self
            .components
            .iter()
            .map(|(c, n)| {
                let flagged = self.opt_outs.iter().filter(|o| &o.component == c).count();
                vec![c.clone(), n.to_string(), flagged.to_string()]
            })
            .collect();
        writeln!(
            f,
            "{}",
            kit::table::render(&["component", "resources", "opt-outs"], &rows)
        )?;
        writeln!(f)?;
        if self.opt_outs.is_empty() {
            write!(f, "Opt-outs: none. Every secure default is on.")?;
        } else {
            writeln!(
                f,
                "Opt-outs ({}), each an explicit call in the app:",
                self.opt_outs.len()
            )?;
            for (i, o) in self.opt_outs.iter().enumerate() {
                if i > 0 {
                    writeln!(f)?;
                }
                writeln!(f, "  ! {} ({})", o.logical_id, o.component)?;
                write!(f, "      {}", wrap(&o.text, 78, "      "))?;
            }
        }
        Ok(())
    }
}

/// Wrap `text` at spaces (for program output, ≤ 80 columns) so no line (after the first line's prefix) exceeds `width`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        if line > 0 && line + 1 + word.len() > width - indent.len() {
            out.push('\n');
            out.push_str(indent);
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.chars().count();
    }
    out
}
