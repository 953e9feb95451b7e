//! Severity is a policy layered on the diff, not part of it (as AWS Config rules sit on
//! top of a resource inventory). A policy is a YAML file of rules; the **first** rule
//! that matches a finding gives its severity, and a finding no rule matches gets
//! `default_severity`.
//!
//! ```yaml
//! default_severity: low
//! rules:
//!   - name: backups-disabled
//!     severity: critical
//!     why: backups are off, so a lost database cannot be restored
//!     match:
//!       finding: changed              # changed | unmanaged | missing (one or a list)
//!       type: [database, "AWS::RDS::*"]   # resource type, `*` wildcards
//!       id: "*"                       # resource id, `*` wildcards
//!       path: [/backup, /BackupRetentionPeriod]   # attribute path, `*` wildcards
//!       change: NOT_EQUAL             # ADD | REMOVE | NOT_EQUAL
//!       intended: enabled             # value before (absent counts as null)
//!       actual: [disabled, false, 0]  # value after; a list means "any of"
//!       has: {/multi_az: false}       # the resource's (actual) attributes
//! ```
//!
//! Every `match` key is optional and all given keys must hold. A string pattern with
//! `*` is a wildcard; a map pattern matches any map that has at least those entries
//! (so `actual: {port: 9000}` matches a listener `{port: 9000, protocol: HTTP}`); to
//! match a value that is itself a list, wrap it in a list. Unknown keys anywhere in the
//! file are an error naming the key, the file, and its line and column.
//!
//! The built-in policy is [`DEFAULT_POLICY_YAML`] (`policy/default.yaml` in the crate).

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diff::{Change, DifferenceType, DriftReport, Pointer, ResourceState};
use crate::error::DriftError;
use crate::inventory::{Attributes, ResourceKey};

/// The built-in policy, shipped as `policy/default.yaml`.
pub const DEFAULT_POLICY_YAML: &str = include_str!("../policy/default.yaml");

/// How bad a finding is, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Act now: data loss or exposure.
    Critical,
    /// Act soon: a security or availability risk.
    High,
    /// Plan it: cost, capacity, reproducibility.
    Medium,
    /// Tidy up.
    Low,
    /// Worth knowing; not a risk.
    Info,
}

impl Severity {
    /// All levels, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Info => "info",
        })
    }
}

/// What kind of finding: a changed attribute of a managed resource, or a whole
/// unmanaged or missing resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An attribute change of a managed resource.
    Changed,
    /// A resource only in reality.
    Unmanaged,
    /// A resource only in the intended state.
    Missing,
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Changed => "changed",
            Self::Unmanaged => "unmanaged",
            Self::Missing => "missing",
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            Self::One(t) => vec![t],
            Self::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    default_severity: Option<Severity>,
    #[serde(default)]
    rules: Vec<RuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: String,
    severity: Severity,
    #[serde(default)]
    why: String,
    #[serde(rename = "match", default)]
    matcher: MatchFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchFile {
    finding: Option<OneOrMany<FindingKind>>,
    #[serde(rename = "type")]
    rtype: Option<OneOrMany<String>>,
    id: Option<OneOrMany<String>>,
    path: Option<OneOrMany<String>>,
    change: Option<OneOrMany<DifferenceType>>,
    intended: Option<Value>,
    actual: Option<Value>,
    has: Option<BTreeMap<String, Value>>,
}

/// One rule: a name, a severity, a reason and the conditions a finding must meet.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Unique within the policy (`backups-disabled`).
    pub name: String,
    /// The severity it assigns.
    pub severity: Severity,
    /// One line on why it matters.
    pub why: String,
    finding: Vec<FindingKind>,
    rtype: Vec<String>,
    id: Vec<String>,
    path: Vec<String>,
    change: Vec<DifferenceType>,
    intended: Option<Value>,
    actual: Option<Value>,
    has: Vec<(String, Value)>,
}

/// A loaded policy: rules in file order and the severity for findings none matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Where it came from (`built-in default` or the file name).
    pub source: String,
    /// Severity of a finding no rule matches.
    pub default_severity: Severity,
    /// Rules, first match wins.
    pub rules: Vec<Rule>,
}

impl Policy {
    /// The built-in policy.
    pub fn builtin() -> Self {
        // The built-in text is tested; should it ever fail to parse, fall back to an
        // empty policy rather than panic.
        Self::parse("built-in default", DEFAULT_POLICY_YAML).unwrap_or(Self {
            source: "built-in default (unreadable)".into(),
            default_severity: Severity::Low,
            rules: vec![],
        })
    }

    /// Read a policy file.
    pub fn from_file(path: &Path) -> Result<Self, DriftError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| DriftError::Io {
            file: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }

    /// Parse policy YAML; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, DriftError> {
        if text.trim().is_empty() {
            return Err(DriftError::Empty {
                file: file.to_string(),
            });
        }
        let pf: PolicyFile =
            serde_yaml_ng::from_str(text).map_err(|e| DriftError::yaml(file, &e))?;
        let mut names = HashSet::new();
        let mut rules = Vec::new();
        for r in pf.rules {
            if !names.insert(r.name.clone()) {
                return Err(DriftError::Policy {
                    file: file.to_string(),
                    message: format!("rule `{}` is defined twice", r.name),
                });
            }
            let m = r.matcher;
            let mut has = Vec::new();
            for (ptr, v) in m.has.unwrap_or_default() {
                Pointer::parse(&ptr).map_err(|e| DriftError::Policy {
                    file: file.to_string(),
                    message: format!("rule `{}`: `has`: {e}", r.name),
                })?;
                has.push((ptr, v));
            }
            rules.push(Rule {
                name: r.name,
                severity: r.severity,
                why: r.why,
                finding: m.finding.map(OneOrMany::into_vec).unwrap_or_default(),
                rtype: m.rtype.map(OneOrMany::into_vec).unwrap_or_default(),
                id: m.id.map(OneOrMany::into_vec).unwrap_or_default(),
                path: m.path.map(OneOrMany::into_vec).unwrap_or_default(),
                change: m.change.map(OneOrMany::into_vec).unwrap_or_default(),
                intended: m.intended,
                actual: m.actual,
                has,
            });
        }
        Ok(Self {
            source: file.to_string(),
            default_severity: pf.default_severity.unwrap_or(Severity::Low),
            rules,
        })
    }

    /// The first rule matching a finding, if any.
    pub fn rule_for(
        &self,
        kind: FindingKind,
        key: &ResourceKey,
        change: Option<&Change>,
        attributes: &Attributes,
    ) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.matches(kind, key, change, attributes))
    }
}

impl Rule {
    fn matches(
        &self,
        kind: FindingKind,
        key: &ResourceKey,
        change: Option<&Change>,
        attributes: &Attributes,
    ) -> bool {
        let any_glob =
            |pats: &[String], s: &str| pats.is_empty() || pats.iter().any(|p| glob(p, s));
        if !self.finding.is_empty() && !self.finding.contains(&kind) {
            return false;
        }
        if !any_glob(&self.rtype, &key.rtype) || !any_glob(&self.id, &key.id) {
            return false;
        }
        let needs_change = !self.path.is_empty()
            || !self.change.is_empty()
            || self.intended.is_some()
            || self.actual.is_some();
        if needs_change {
            let Some(c) = change else { return false };
            if !any_glob(&self.path, &c.path) {
                return false;
            }
            if !self.change.is_empty() && !self.change.contains(&c.difference_type) {
                return false;
            }
            let null = Value::Null;
            if let Some(p) = &self.intended
                && !value_matches(p, c.intended.as_ref().unwrap_or(&null))
            {
                return false;
            }
            if let Some(p) = &self.actual
                && !value_matches(p, c.actual.as_ref().unwrap_or(&null))
            {
                return false;
            }
        }
        let obj = Value::Object(attributes.clone());
        self.has.iter().all(|(ptr, pat)| {
            let v = obj.pointer(ptr).unwrap_or(&Value::Null);
            value_matches(pat, v)
        })
    }
}

/// `*` matches any run of characters (including none and `/`); everything else is
/// literal.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A list pattern is "any of"; otherwise [`value_subset`].
fn value_matches(pattern: &Value, v: &Value) -> bool {
    match pattern {
        Value::Array(alts) => alts.iter().any(|p| value_subset(p, v)),
        p => value_subset(p, v),
    }
}

/// Equal, a wildcard string, or a map whose entries all match (recursively).
fn value_subset(p: &Value, v: &Value) -> bool {
    match (p, v) {
        (Value::Object(pm), Value::Object(vm)) => pm
            .iter()
            .all(|(k, pv)| vm.get(k).is_some_and(|x| value_matches(pv, x))),
        (Value::String(ps), Value::String(vs)) if ps.contains('*') => glob(ps, vs),
        (p, v) => p == v,
    }
}

/// Revert and adopt, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remediation {
    /// Make reality match the intended state again.
    pub revert: String,
    /// Accept reality: change the intended state to match it.
    pub adopt: String,
}

/// One thing the report tells you, with its severity and both ways to fix it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Changed attribute, unmanaged or missing resource.
    pub kind: FindingKind,
    /// Resource type.
    #[serde(rename = "type")]
    pub rtype: String,
    /// Resource id.
    pub id: String,
    /// The attribute path (changed findings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The difference type (changed findings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference_type: Option<DifferenceType>,
    /// Intended value (changed findings, absent for ADD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intended: Option<Value>,
    /// Actual value (changed findings, absent for REMOVE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// From the first matching rule, else the policy's default.
    pub severity: Severity,
    /// The rule that matched; `None` when the default applied.
    pub rule: Option<String>,
    /// The rule's reason (empty for the default).
    pub why: String,
    /// Both directions.
    pub remediation: Remediation,
}

impl Finding {
    /// `web_server[production/server_1]`.
    pub fn resource(&self) -> String {
        ResourceKey::new(&self.rtype, &self.id).to_string()
    }
}

/// A value for a one-line message: compact JSON, long values shortened.
pub fn short_value(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(37).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn remediation(kind: FindingKind, key: &ResourceKey, change: Option<&Change>) -> Remediation {
    match (kind, change) {
        (FindingKind::Unmanaged, _) => Remediation {
            revert: format!("delete {key} (or import it first if it is needed)"),
            adopt: format!("add {key} to the intended state"),
        },
        (FindingKind::Missing, _) => Remediation {
            revert: format!("create {key} as the intended state describes"),
            adopt: format!("remove {key} from the intended state"),
        },
        (FindingKind::Changed, Some(c)) => {
            let p = &c.path;
            let iv = c.intended.as_ref().map(short_value).unwrap_or_default();
            let av = c.actual.as_ref().map(short_value).unwrap_or_default();
            match c.difference_type {
                DifferenceType::Add => Remediation {
                    revert: format!("remove {p} from the resource"),
                    adopt: format!("add {p} = {av} to the intended state"),
                },
                DifferenceType::Remove => Remediation {
                    revert: format!("restore {p} = {iv}"),
                    adopt: format!("delete {p} from the intended state"),
                },
                DifferenceType::NotEqual => Remediation {
                    revert: format!("set {p} back to {iv}"),
                    adopt: format!("set {p} to {av} in the intended state"),
                },
            }
        }
        (FindingKind::Changed, None) => Remediation {
            revert: String::new(),
            adopt: String::new(),
        },
    }
}

/// Rank every finding of a report: one per attribute change, one per unmanaged or
/// missing resource. Sorted by severity (most severe first), then report order.
pub fn assess(report: &DriftReport, policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &report.resources {
        let mut one = |kind: FindingKind, change: Option<&Change>| {
            let rule = policy.rule_for(kind, &r.key, change, &r.attributes);
            out.push(Finding {
                kind,
                rtype: r.key.rtype.clone(),
                id: r.key.id.clone(),
                path: change.map(|c| c.path.clone()),
                difference_type: change.map(|c| c.difference_type),
                intended: change.and_then(|c| c.intended.clone()),
                actual: change.and_then(|c| c.actual.clone()),
                severity: rule.map_or(policy.default_severity, |r| r.severity),
                rule: rule.map(|r| r.name.clone()),
                why: rule.map(|r| r.why.clone()).unwrap_or_default(),
                remediation: remediation(kind, &r.key, change),
            });
        };
        match r.state {
            ResourceState::InSync => {}
            ResourceState::Changed => {
                for c in &r.changes {
                    one(FindingKind::Changed, Some(c));
                }
            }
            ResourceState::Unmanaged => one(FindingKind::Unmanaged, None),
            ResourceState::Missing => one(FindingKind::Missing, None),
        }
    }
    out.sort_by_key(|f| f.severity);
    out
}
