//! A consumer-driven contract, Pact-style.
//!
//! The consumer (a storefront) writes down the interactions it relies on: this
//! request, this response, with *matching rules* saying which parts must be equal and
//! which only need the right type. Its tests run against a mock provider built from
//! those interactions and produce a pact file (`pacts/storefront-product-search.json`,
//! in the Pact specification v3 layout). The provider then replays every interaction
//! against the real service and checks the responses: [`verify`].
//!
//! Supported here: `equality` and `type` matchers (with `min`/`max` for arrays),
//! rule paths `$`, `$[*]`, `$[N]`, `.field`, and the most specific rule wins, as in
//! Pact. Not supported: regex and other matchers, request matching rules, provider
//! state callbacks (the one state, "the standard catalogue", needs no set-up), and a
//! broker. The real tools are `pact_verifier_cli` and a Pact Broker.

use std::collections::BTreeMap;
#[cfg(not(target_arch = "wasm32"))]
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(not(target_arch = "wasm32"))]
use crate::error::CheckError;

/// A pact file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pact {
    /// Who relies on the provider.
    pub consumer: Pacticipant,
    /// Who serves it.
    pub provider: Pacticipant,
    /// What the consumer relies on.
    pub interactions: Vec<Interaction>,
    /// `{"pactSpecification": {"version": "3.0.0"}}`.
    pub metadata: Value,
}

/// A participant's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pacticipant {
    /// The name.
    pub name: String,
}

/// A provider state the interaction needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderState {
    /// E.g. `the standard catalogue`.
    pub name: String,
}

/// One request the consumer makes and the response it relies on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interaction {
    /// What the consumer is doing.
    pub description: String,
    /// States the provider must be in.
    #[serde(default)]
    pub provider_states: Vec<ProviderState>,
    /// The request.
    pub request: PactRequest,
    /// The response, with its matching rules.
    pub response: PactResponse,
}

/// A request: method, path and query parameters (each a list, as in Pact v3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PactRequest {
    /// `GET`.
    pub method: String,
    /// The path.
    pub path: String,
    /// Query parameters.
    #[serde(default)]
    pub query: BTreeMap<String, Vec<String>>,
}

/// A response the consumer relies on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PactResponse {
    /// Status code.
    pub status: u16,
    /// Headers that must be present.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// An example body.
    pub body: Value,
    /// `{"body": {"$[*].category": {"matchers": [{"match": "equality"}]}}}`.
    #[serde(default)]
    pub matching_rules: MatchingRules,
}

/// Matching rules by category (only `body` is used here).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MatchingRules {
    /// Rules on the body, by path.
    #[serde(default)]
    pub body: BTreeMap<String, RuleList>,
}

/// The matchers at one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleList {
    /// The matchers (all must pass).
    pub matchers: Vec<Matcher>,
}

/// One matcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matcher {
    /// `type` or `equality`.
    #[serde(rename = "match")]
    pub kind: String,
    /// For arrays under `type`: at least this many items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<usize>,
    /// For arrays under `type`: at most this many items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
}

/// A segment of a JSON path.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Index(usize),
    Field(String),
}

/// A rule path, parsed: `$`, then `[*]`, `[N]` or `.name` segments.
#[derive(Debug, Clone, PartialEq)]
enum RuleSeg {
    AnyIndex,
    Index(usize),
    Field(String),
}

fn parse_rule_path(path: &str) -> Option<Vec<RuleSeg>> {
    let mut rest = path.strip_prefix('$')?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[*]") {
            out.push(RuleSeg::AnyIndex);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            out.push(RuleSeg::Index(r[..end].parse().ok()?));
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(RuleSeg::Field(r[..end].to_string()));
            rest = &r[end..];
        } else {
            return None;
        }
    }
    Some(out)
}

fn rule_matches(rule: &[RuleSeg], path: &[Seg]) -> bool {
    rule.len() <= path.len()
        && rule.iter().zip(path).all(|(r, s)| match (r, s) {
            (RuleSeg::AnyIndex, Seg::Index(_)) => true,
            (RuleSeg::Index(a), Seg::Index(b)) => a == b,
            (RuleSeg::Field(a), Seg::Field(b)) => a == b,
            _ => false,
        })
}

fn show_path(path: &[Seg]) -> String {
    let mut s = "$".to_string();
    for seg in path {
        match seg {
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
            Seg::Field(f) => s.push_str(&format!(".{f}")),
        }
    }
    s
}

/// The matchers that govern `path`: the most specific rule whose path is a prefix
/// of it (rules cascade to children). `None`: plain equality.
fn governing<'a>(rules: &'a [(Vec<RuleSeg>, &'a RuleList)], path: &[Seg]) -> Option<&'a RuleList> {
    rules
        .iter()
        .filter(|(r, _)| rule_matches(r, path))
        .max_by_key(|(r, _)| r.len())
        .map(|(_, l)| *l)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn compare(
    expected: &Value,
    actual: &Value,
    path: &mut Vec<Seg>,
    rules: &[(Vec<RuleSeg>, &RuleList)],
    out: &mut Vec<String>,
) {
    let by_type = governing(rules, path)
        .map(|l| l.matchers.iter().any(|m| m.kind == "type"))
        .unwrap_or(false);
    let here = show_path(path);
    if type_name(expected) != type_name(actual) {
        out.push(format!(
            "{here}: expected {}, got {}",
            type_name(expected),
            type_name(actual)
        ));
        return;
    }
    match (expected, actual) {
        (Value::Array(e), Value::Array(a)) => {
            if by_type {
                if let Some(list) = governing(rules, path) {
                    for m in &list.matchers {
                        if let Some(min) = m.min.filter(|&min| a.len() < min) {
                            out.push(format!(
                                "{here}: expected at least {min} items, got {}",
                                a.len()
                            ));
                        }
                        if let Some(max) = m.max.filter(|&max| a.len() > max) {
                            out.push(format!(
                                "{here}: expected at most {max} items, got {}",
                                a.len()
                            ));
                        }
                    }
                }
                if let Some(example) = e.first() {
                    for (i, item) in a.iter().enumerate() {
                        path.push(Seg::Index(i));
                        compare(example, item, path, rules, out);
                        path.pop();
                    }
                }
            } else {
                if e.len() != a.len() {
                    out.push(format!(
                        "{here}: expected {} items, got {}",
                        e.len(),
                        a.len()
                    ));
                }
                for (i, (x, y)) in e.iter().zip(a).enumerate() {
                    path.push(Seg::Index(i));
                    compare(x, y, path, rules, out);
                    path.pop();
                }
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            // Extra keys in a response are fine: consumers ignore what they don't read.
            for (k, x) in e {
                path.push(Seg::Field(k.clone()));
                match a.get(k) {
                    Some(y) => compare(x, y, path, rules, out),
                    None => out.push(format!("{}: missing", show_path(path))),
                }
                path.pop();
            }
        }
        _ => {
            if !by_type && expected != actual {
                out.push(format!("{here}: expected {expected}, got {actual}"));
            }
        }
    }
}

/// Check `actual` against an interaction's expected body and rules; the mismatches.
/// A rule this matcher does not understand is a mismatch too (never silently plain
/// equality): see [`check_rules`].
pub fn match_body(response: &PactResponse, actual: &Value) -> Vec<String> {
    let mut out = check_rules(&response.matching_rules);
    let rules: Vec<(Vec<RuleSeg>, &RuleList)> = response
        .matching_rules
        .body
        .iter()
        .filter_map(|(p, l)| parse_rule_path(p).map(|r| (r, l)))
        .collect();
    compare(&response.body, actual, &mut Vec::new(), &rules, &mut out);
    out
}

/// What is wrong with `rules`, in words: a path that is not `$` followed by `[*]`,
/// `[N]` or `.name` segments, a matcher other than `type` or `equality`, or `min`
/// above `max`. Empty when every rule is understood.
pub fn check_rules(rules: &MatchingRules) -> Vec<String> {
    let mut out = Vec::new();
    for (path, list) in &rules.body {
        if parse_rule_path(path).is_none() {
            out.push(format!(
                "matching rule path {path:?} is not understood (expected $ then [*], [N] or .name)"
            ));
        }
        for m in &list.matchers {
            if m.kind != "type" && m.kind != "equality" {
                out.push(format!(
                    "matching rule at {path}: matcher {:?} is not supported (only type and equality)",
                    m.kind
                ));
            }
            if let (Some(min), Some(max)) = (m.min, m.max)
                && min > max
            {
                out.push(format!(
                    "matching rule at {path}: min {min} is above max {max}"
                ));
            }
        }
    }
    out
}

/// A pact file that can't be used, with what and where.
#[derive(Debug, thiserror::Error)]
pub enum PactError {
    /// Not JSON, a repeated key or an integer beyond 64 bits (with line and column).
    #[error("{file}: {source}")]
    Json {
        /// The file (or a label for the text).
        file: String,
        /// What serde_json said, with the position.
        source: serde_json::Error,
    },
    /// JSON, but not the pact layout (a missing or mistyped field).
    #[error("{file}: not a pact: {reason}")]
    Shape {
        /// The file.
        file: String,
        /// What didn't fit.
        reason: String,
    },
    /// A matching rule this verifier would not apply as written.
    #[error("{file}: interaction {index} ({description:?}): {reason}")]
    Rule {
        /// The file.
        file: String,
        /// 0-based position of the interaction.
        index: usize,
        /// Its description.
        description: String,
        /// What is wrong with the rule.
        reason: String,
    },
}

/// Read a pact file's text (`file` names it in errors): strict JSON
/// ([`kit::json`]: no repeated keys, no rounded integers), the pact layout, and
/// only matching rules [`match_body`] applies as written ([`check_rules`]).
pub fn parse_pact(file: &str, text: &[u8]) -> Result<Pact, PactError> {
    let value = kit::json::strict_slice(text).map_err(|source| PactError::Json {
        file: file.to_string(),
        source,
    })?;
    let pact: Pact = serde_json::from_value(value).map_err(|e| PactError::Shape {
        file: file.to_string(),
        reason: e.to_string(),
    })?;
    for (index, i) in pact.interactions.iter().enumerate() {
        if let Some(reason) = check_rules(&i.response.matching_rules).into_iter().next() {
            return Err(PactError::Rule {
                file: file.to_string(),
                index,
                description: i.description.clone(),
                reason,
            });
        }
    }
    Ok(pact)
}

/// The result of replaying one interaction.
#[derive(Debug, Clone, Serialize)]
pub struct InteractionResult {
    /// The interaction's description.
    pub description: String,
    /// No mismatch?
    pub passed: bool,
    /// What differed.
    pub mismatches: Vec<String>,
}

/// The request URL of an interaction against `base_url`.
#[cfg(not(target_arch = "wasm32"))]
pub fn request_url(base_url: &str, req: &PactRequest) -> Result<reqwest::Url, CheckError> {
    let mut url = reqwest::Url::parse(base_url).map_err(|e| CheckError::BadUrl {
        url: base_url.to_string(),
        reason: e.to_string(),
    })?;
    url.set_path(&req.path);
    url.set_query(None);
    if !req.query.is_empty() {
        let mut q = url.query_pairs_mut();
        for (k, vs) in &req.query {
            for v in vs {
                q.append_pair(k, v);
            }
        }
    }
    Ok(url)
}

/// Provider verification: replay every interaction against the provider at
/// `base_url` and compare status, headers and body under the matching rules.
#[cfg(not(target_arch = "wasm32"))]
pub async fn verify(pact: &Pact, base_url: &str) -> Result<Vec<InteractionResult>, CheckError> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| CheckError::Local(e.to_string()))?;
    let mut results = Vec::new();
    for i in &pact.interactions {
        let url = request_url(base_url, &i.request)?;
        let shown = url.to_string();
        let method = reqwest::Method::from_bytes(i.request.method.as_bytes())
            .map_err(|e| CheckError::Local(format!("pact: bad method: {e}")))?;
        let resp = http
            .request(method, url)
            .send()
            .await
            .map_err(|e| CheckError::Unreachable {
                url: shown.clone(),
                reason: e.to_string(),
            })?;
        let mut mismatches = Vec::new();
        if resp.status().as_u16() != i.response.status {
            mismatches.push(format!(
                "status: expected {}, got {}",
                i.response.status,
                resp.status().as_u16()
            ));
        }
        for (name, want) in &i.response.headers {
            let got = resp
                .headers()
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let essence = |s: &str| s.split(';').next().unwrap_or("").trim().to_lowercase();
            if essence(got) != essence(want) {
                mismatches.push(format!("header {name}: expected {want:?}, got {got:?}"));
            }
        }
        let bytes = crate::client::read_capped(resp, &shown).await?;
        match kit::json::strict_slice(&bytes) {
            Ok(body) => mismatches.extend(match_body(&i.response, &body)),
            Err(e) => mismatches.push(format!("body: not usable JSON ({e})")),
        }
        results.push(InteractionResult {
            description: i.description.clone(),
            passed: mismatches.is_empty(),
            mismatches,
        });
    }
    Ok(results)
}

/// Where the storefront's pact file lives in this crate.
pub const PACT_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/pacts/storefront-product-search.json"
);
