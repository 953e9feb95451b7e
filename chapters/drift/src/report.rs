//! Rendering: the text report people read and the JSON report scripts read (its shape
//! is fixed by `schema/report.schema.json`).

use serde::Serialize;
use serde_json::Value;

use crate::diff::{Change, DriftReport, ResourceState};
use crate::policy::{Finding, Policy, Severity, short_value};

/// Everything a run produced, ready to render.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Intended document's name, as it should be printed.
    pub intended_file: String,
    /// Actual document's name, as it should be printed.
    pub actual_file: String,
    /// Number of resources read from each side.
    pub intended_resources: usize,
    /// Number of resources read from each side.
    pub actual_resources: usize,
    /// The diff.
    pub report: DriftReport,
    /// Where the policy came from.
    pub policy_source: String,
    /// Every finding, most severe first.
    pub findings: Vec<Finding>,
}

impl Assessment {
    /// Diff two inventories and rank the findings with `policy`.
    pub fn new(
        intended_file: &str,
        intended: &crate::Inventory,
        actual_file: &str,
        actual: &crate::Inventory,
        ignore: &[crate::Pointer],
        policy: &Policy,
    ) -> Self {
        let report = crate::diff(intended, actual, ignore);
        let findings = crate::assess(&report, policy);
        Self {
            intended_file: intended_file.to_string(),
            actual_file: actual_file.to_string(),
            intended_resources: usize::try_from(intended.planned()).unwrap_or(usize::MAX),
            actual_resources: actual.len(),
            report,
            policy_source: policy.source.clone(),
            findings,
        }
    }

    /// How many findings have this severity.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// The most severe finding on a resource, if any.
    pub fn worst(&self, rtype: &str, id: &str) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| f.rtype == rtype && f.id == id)
            .map(|f| f.severity)
            .min()
    }
}

/// Width of the text report; longer lines wrap with a hanging indent.
pub const WIDTH: usize = 80;

/// Wrap `text` to [`WIDTH`], continuation lines indented by `indent` spaces.
pub fn wrap(text: &str, indent: usize) -> String {
    let body = text.trim_start_matches(' ');
    let lead = text.len() - body.len();
    let mut out = String::new();
    let mut line = " ".repeat(lead);
    let mut fresh = true;
    for word in body.split(' ') {
        let len = line.chars().count();
        if !fresh && len + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
        } else if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    out.push_str(line.trim_end());
    out
}

fn value_or_absent(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_string(), short_value)
}

/// `ADD "x"`, `REMOVE "x"`, `NOT_EQUAL "a" → "b"`.
fn values(d: crate::DifferenceType, f: &Finding) -> String {
    match d {
        crate::DifferenceType::Add => format!("ADD {}", value_or_absent(f.actual.as_ref())),
        crate::DifferenceType::Remove => {
            format!("REMOVE {}", value_or_absent(f.intended.as_ref()))
        }
        crate::DifferenceType::NotEqual => format!(
            "NOT_EQUAL {} → {}",
            value_or_absent(f.intended.as_ref()),
            value_or_absent(f.actual.as_ref())
        ),
    }
}

/// One line per change: `/path NOT_EQUAL "a" → "b"`.
pub fn change_line(c: &Change) -> String {
    format!(
        "{} {}: {} → {}",
        c.path,
        c.difference_type,
        value_or_absent(c.intended.as_ref()),
        value_or_absent(c.actual.as_ref())
    )
}

/// The human report: counts and coverage, a table of resources, then every finding
/// by severity with its rule and both remediations.
pub fn render_text(a: &Assessment) -> String {
    let r = &a.report;
    let mut s = String::new();
    for (label, file, n) in [
        ("intended:", &a.intended_file, a.intended_resources),
        ("actual:  ", &a.actual_file, a.actual_resources),
    ] {
        s.push_str(&wrap(&format!("{label} {file} ({n} resources)"), 4));
        s.push('\n');
    }
    s.push('\n');
    let in_sync = r.managed() - r.changed();
    let rows = vec![
        vec!["managed, in sync".into(), in_sync.to_string()],
        vec!["managed, changed".into(), r.changed().to_string()],
        vec!["unmanaged".into(), r.unmanaged().to_string()],
        vec!["missing".into(), r.missing().to_string()],
        vec!["total".into(), r.total().to_string()],
    ];
    s.push_str(&kit::table::render(&["resources", "count"], &rows));
    s.push('\n');
    s.push_str(&wrap(
        &format!(
            "coverage {} % (managed {} of {}, truncated as driftctl does)",
            r.coverage_percent(),
            r.managed(),
            r.total()
        ),
        2,
    ));
    s.push('\n');
    for fleet in &r.fleets {
        s.push_str(&wrap(&format!("template {fleet}"), 2));
        s.push('\n');
    }
    if !r.ignored.is_empty() {
        s.push_str(&wrap(
            &format!("ignored paths: {}", r.ignored.join(", ")),
            2,
        ));
        s.push('\n');
    }
    if r.in_sync() {
        s.push_str("verdict: IN SYNC (exit code 0)\n");
        return s;
    }
    s.push_str(&wrap(
        &format!(
            "verdict: DRIFT (exit code 2): {} attribute changes on {} resources, \
             {} unmanaged, {} missing",
            r.change_count(),
            r.changed(),
            r.unmanaged(),
            r.missing()
        ),
        2,
    ));
    s.push_str("\n\n");

    let rows: Vec<Vec<String>> = r
        .resources
        .iter()
        .filter(|d| d.state != ResourceState::InSync)
        .map(|d| {
            vec![
                d.key.to_string(),
                d.state.to_string(),
                if d.state == ResourceState::Changed {
                    d.changes.len().to_string()
                } else {
                    String::new()
                },
                a.worst(&d.key.rtype, &d.key.id)
                    .map(|w| w.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    s.push_str(&kit::table::render(
        &["resource (not in sync)", "state", "changes", "worst"],
        &rows,
    ));
    s.push_str("\n\n");

    let sev_rows: Vec<Vec<String>> = Severity::ALL
        .iter()
        .map(|&sv| vec![sv.to_string(), a.count(sv).to_string()])
        .collect();
    s.push_str(&format!(
        "findings, ranked by policy \"{}\":\n",
        a.policy_source
    ));
    s.push_str(&kit::table::render(&["severity", "findings"], &sev_rows));
    s.push('\n');

    for sv in Severity::ALL {
        let fs: Vec<&Finding> = a.findings.iter().filter(|f| f.severity == sv).collect();
        if fs.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{}\n", sv.to_string().to_uppercase()));
        for f in fs {
            s.push_str(&render_finding(f));
        }
    }
    s
}

/// A finding in three or four lines: what, why, revert, adopt.
pub fn render_finding(f: &Finding) -> String {
    let what = match (&f.path, f.difference_type) {
        (Some(p), Some(d)) => format!("- {} {p} {}", f.resource(), values(d, f)),
        _ => format!("- {} is {}", f.resource(), f.kind),
    };
    let why = match &f.rule {
        Some(rule) => format!("  {rule}: {}", f.why),
        None => "  (no rule matched: the policy's default severity)".to_string(),
    };
    let mut s = String::new();
    for line in [
        what,
        why,
        format!("  revert: {}", f.remediation.revert),
        format!("  adopt:  {}", f.remediation.adopt),
    ] {
        s.push_str(&wrap(&line, 4));
        s.push('\n');
    }
    s
}

#[derive(Serialize)]
struct JsonSide<'a> {
    file: &'a str,
    resources: usize,
}

#[derive(Serialize)]
struct JsonSummary {
    managed: usize,
    in_sync: usize,
    changed: usize,
    unmanaged: usize,
    missing: usize,
    total: usize,
    coverage_percent: u32,
    attribute_changes: usize,
    severity: std::collections::BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct JsonResource<'a> {
    #[serde(rename = "type")]
    rtype: &'a str,
    id: &'a str,
    state: ResourceState,
    changes: &'a [Change],
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    intended: JsonSide<'a>,
    actual: JsonSide<'a>,
    in_sync: bool,
    summary: JsonSummary,
    ignored: &'a [String],
    policy: &'a str,
    resources: Vec<JsonResource<'a>>,
    findings: &'a [Finding],
}

/// The machine report, as documented by `schema/report.schema.json` (version 1).
pub fn to_json(a: &Assessment) -> Value {
    let r = &a.report;
    let report = JsonReport {
        schema_version: 1,
        intended: JsonSide {
            file: &a.intended_file,
            resources: a.intended_resources,
        },
        actual: JsonSide {
            file: &a.actual_file,
            resources: a.actual_resources,
        },
        in_sync: r.in_sync(),
        summary: JsonSummary {
            managed: r.managed(),
            in_sync: r.managed() - r.changed(),
            changed: r.changed(),
            unmanaged: r.unmanaged(),
            missing: r.missing(),
            total: r.total(),
            coverage_percent: r.coverage_percent(),
            attribute_changes: r.change_count(),
            severity: Severity::ALL
                .iter()
                .map(|&s| (s.to_string(), a.count(s)))
                .collect(),
        },
        ignored: &r.ignored,
        policy: &a.policy_source,
        resources: r
            .resources
            .iter()
            .map(|d| JsonResource {
                rtype: &d.key.rtype,
                id: &d.key.id,
                state: d.state,
                changes: &d.changes,
            })
            .collect(),
        findings: &a.findings,
    };
    serde_json::to_value(&report).unwrap_or(Value::Null)
}
