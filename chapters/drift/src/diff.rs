//! The diff: two inventories → managed, unmanaged and missing resources, and for each
//! managed resource the attribute changes, each with a path and a difference type.
//!
//! # How attributes are compared
//!
//! - **Maps** key by key; a key only in the intended state is a `REMOVE`, only in the
//!   actual state an `ADD`.
//! - **Lists of scalars are sets** (security groups, IAM roles, packages): each member
//!   only in one side is its own `REMOVE` or `ADD`, at the path
//!   `/security_groups/allow-mysql-3306`. Order and repeats are not drift.
//! - **Lists of maps are keyed** when every entry on both sides has a unique value for
//!   one of the identity fields `name`, `key`, `id` (any letter case, so CloudFormation's
//!   `Key` in tags counts) or else `port` (a load balancer has one listener per port).
//!   The entry's path segment is that value: `/listeners/443/certificate`.
//! - **Otherwise lists are compared by index** (`/rules/0`), the documented fallback:
//!   an insertion in the middle then shows as changes to every later entry.
//! - **Scalars** by value; a number is not equal to the same digits in a string.
//!
//! Paths are RFC 6901 JSON pointers into the resource's attributes, except that a set
//! member or keyed entry is addressed by its value or key instead of its index.
//!
//! A plan's `count` template that names no instances is matched first; see
//! [`crate::fleet`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::DriftError;
use crate::fleet::{FleetMatch, match_fleets};
use crate::inventory::{Attributes, Inventory, Resource, ResourceKey};

/// How an attribute differs, in CloudFormation drift detection's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DifferenceType {
    /// Present in reality, not in the intended state.
    Add,
    /// In the intended state, gone from reality.
    Remove,
    /// Present in both with different values.
    NotEqual,
}

impl fmt::Display for DifferenceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Add => "ADD",
            Self::Remove => "REMOVE",
            Self::NotEqual => "NOT_EQUAL",
        })
    }
}

/// One attribute difference of a managed resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// JSON pointer into the attributes (`/security_groups/allow-ssh-from-anywhere`).
    pub path: String,
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    pub difference_type: DifferenceType,
    /// The intended value; absent for an `ADD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intended: Option<Value>,
    /// The actual value; absent for a `REMOVE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
}

/// driftctl's classification of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceState {
    /// Managed (in both) with no changes.
    InSync,
    /// Managed (in both) with at least one attribute change.
    Changed,
    /// In reality only: nobody's code describes it.
    Unmanaged,
    /// In the intended state only: it should exist and does not.
    Missing,
}

impl fmt::Display for ResourceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InSync => "in sync",
            Self::Changed => "changed",
            Self::Unmanaged => "unmanaged",
            Self::Missing => "missing",
        })
    }
}

/// One resource's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDrift {
    /// Type and id.
    pub key: ResourceKey,
    /// In sync, changed, unmanaged or missing.
    pub state: ResourceState,
    /// Attribute changes (only for `Changed`).
    pub changes: Vec<Change>,
    /// The resource's actual attributes (intended ones when missing), for policies that
    /// look at what a resource is (`public_access: true`), not only at what changed.
    /// Left empty for resources in sync: they have no findings to rank.
    pub attributes: Attributes,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftReport {
    /// Every resource of either side, in type/id order.
    pub resources: Vec<ResourceDrift>,
    /// The ignore pointers that were applied, as given.
    pub ignored: Vec<String>,
    /// How each template that names no instances met reality.
    pub fleets: Vec<FleetMatch>,
}

impl DriftReport {
    fn count(&self, f: impl Fn(ResourceState) -> bool) -> usize {
        self.resources.iter().filter(|r| f(r.state)).count()
    }
    /// Resources in both documents (in sync or changed).
    pub fn managed(&self) -> usize {
        self.count(|s| matches!(s, ResourceState::InSync | ResourceState::Changed))
    }
    /// Managed resources with at least one change.
    pub fn changed(&self) -> usize {
        self.count(|s| s == ResourceState::Changed)
    }
    /// Resources only in reality.
    pub fn unmanaged(&self) -> usize {
        self.count(|s| s == ResourceState::Unmanaged)
    }
    /// Resources only in the intended state.
    pub fn missing(&self) -> usize {
        self.count(|s| s == ResourceState::Missing)
    }
    /// Managed + unmanaged + missing.
    pub fn total(&self) -> usize {
        self.resources.len()
    }
    /// driftctl's coverage: managed ÷ total × 100, truncated; 100 for two empty inputs.
    pub fn coverage_percent(&self) -> u32 {
        match self.total() {
            0 => 100,
            t => u32::try_from(self.managed() * 100 / t).unwrap_or(100),
        }
    }
    /// In sync only when nothing is unmanaged, missing or changed.
    pub fn in_sync(&self) -> bool {
        self.unmanaged() == 0 && self.missing() == 0 && self.changed() == 0
    }
    /// Number of attribute changes over all resources.
    pub fn change_count(&self) -> usize {
        self.resources.iter().map(|r| r.changes.len()).sum()
    }
}

/// A parsed RFC 6901 JSON pointer (`/listeners/443`, `/a~1b` for the key `a/b`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pointer {
    segments: Vec<String>,
}

impl Pointer {
    /// Parse a pointer: empty (the whole resource) or `/`-separated segments with `~0`
    /// for `~` and `~1` for `/`.
    pub fn parse(text: &str) -> Result<Self, DriftError> {
        if text.is_empty() {
            return Ok(Self { segments: vec![] });
        }
        let err = |message: &str| DriftError::Pointer {
            pointer: text.to_string(),
            message: message.to_string(),
        };
        let rest = text
            .strip_prefix('/')
            .ok_or_else(|| err("a pointer is empty or starts with `/`"))?;
        let mut segments = Vec::new();
        for raw in rest.split('/') {
            let mut seg = String::with_capacity(raw.len());
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => seg.push('~'),
                        Some('1') => seg.push('/'),
                        _ => return Err(err("`~` must be followed by 0 or 1")),
                    }
                } else {
                    seg.push(c);
                }
            }
            segments.push(seg);
        }
        Ok(Self { segments })
    }

    /// The unescaped segments.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_pointer(&self.segments))
    }
}

/// Segments → pointer text, escaping `~` and `/`.
pub fn render_pointer(segments: &[String]) -> String {
    let mut s = String::new();
    for seg in segments {
        s.push('/');
        s.push_str(&seg.replace('~', "~0").replace('/', "~1"));
    }
    s
}

/// Compare two inventories. Attribute paths under an `ignore` pointer are left out
/// (Argo CD's `ignoreDifferences.jsonPointers`); resources themselves are never ignored.
pub fn diff(intended: &Inventory, actual: &Inventory, ignore: &[Pointer]) -> DriftReport {
    let matched;
    let (intended, actual, fleets) = if intended.fleets.is_empty() && actual.fleets.is_empty() {
        (intended, actual, Vec::new())
    } else {
        let (i, a, fleets) = match_fleets(intended, actual);
        matched = (i, a);
        (&matched.0, &matched.1, fleets)
    };
    let mut keys: Vec<&ResourceKey> = intended
        .resources
        .keys()
        .chain(actual.resources.keys())
        .collect();
    keys.sort();
    keys.dedup();
    let resources = keys
        .into_iter()
        .map(
            |key| match (intended.resources.get(key), actual.resources.get(key)) {
                (Some(i), Some(a)) => {
                    // Fast path: equal trees have no changes (sets compare as lists
                    // here, so only identical ones take it).
                    let changes = if i.attributes == a.attributes {
                        Vec::new()
                    } else {
                        diff_attributes(&i.attributes, &a.attributes, ignore)
                    };
                    let state = if changes.is_empty() {
                        ResourceState::InSync
                    } else {
                        ResourceState::Changed
                    };
                    // Policies look at the attributes of resources with findings only.
                    let attributes = if changes.is_empty() {
                        Attributes::new()
                    } else {
                        a.attributes.clone()
                    };
                    ResourceDrift {
                        key: key.clone(),
                        state,
                        changes,
                        attributes,
                    }
                }
                (None, Some(a)) => ResourceDrift {
                    key: key.clone(),
                    state: ResourceState::Unmanaged,
                    changes: vec![],
                    attributes: a.attributes.clone(),
                },
                (Some(i), None) => ResourceDrift {
                    key: key.clone(),
                    state: ResourceState::Missing,
                    changes: vec![],
                    attributes: i.attributes.clone(),
                },
                (None, None) => unreachable_key(key),
            },
        )
        .collect();
    DriftReport {
        resources,
        ignored: ignore.iter().map(ToString::to_string).collect(),
        fleets,
    }
}

/// Every key came from one of the two maps; kept total without a panic.
fn unreachable_key(key: &ResourceKey) -> ResourceDrift {
    ResourceDrift {
        key: key.clone(),
        state: ResourceState::InSync,
        changes: vec![],
        attributes: Attributes::new(),
    }
}

/// The changes between two attribute trees, in path order of the walk.
pub fn diff_attributes(
    intended: &Attributes,
    actual: &Attributes,
    ignore: &[Pointer],
) -> Vec<Change> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk_map(intended, actual, &mut path, ignore, &mut out);
    out
}

fn ignored(path: &[String], ignore: &[Pointer]) -> bool {
    ignore.iter().any(|p| p.segments == path)
}

fn push(
    out: &mut Vec<Change>,
    path: &[String],
    d: DifferenceType,
    i: Option<&Value>,
    a: Option<&Value>,
) {
    out.push(Change {
        path: render_pointer(path),
        difference_type: d,
        intended: i.cloned(),
        actual: a.cloned(),
    });
}

fn walk(
    i: Option<&Value>,
    a: Option<&Value>,
    path: &mut Vec<String>,
    ignore: &[Pointer],
    out: &mut Vec<Change>,
) {
    if ignored(path, ignore) {
        return;
    }
    match (i, a) {
        (None, None) => {}
        (Some(_), None) => push(out, path, DifferenceType::Remove, i, None),
        (None, Some(_)) => push(out, path, DifferenceType::Add, None, a),
        (Some(Value::Object(x)), Some(Value::Object(y))) => walk_map(x, y, path, ignore, out),
        (Some(Value::Array(x)), Some(Value::Array(y))) => walk_list(x, y, path, ignore, out),
        (Some(x), Some(y)) => {
            if x != y {
                push(out, path, DifferenceType::NotEqual, i, a);
            }
        }
    }
}

fn union_keys<'a>(x: &'a Attributes, y: &'a Attributes) -> Vec<&'a String> {
    let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
    keys.sort();
    keys.dedup();
    keys
}

fn walk_map(
    x: &Attributes,
    y: &Attributes,
    path: &mut Vec<String>,
    ignore: &[Pointer],
    out: &mut Vec<Change>,
) {
    for k in union_keys(x, y) {
        path.push(k.clone());
        walk(x.get(k), y.get(k), path, ignore, out);
        path.pop();
    }
}

/// How a pair of lists is matched up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMode {
    /// Lists of scalars: member by member.
    Set,
    /// Lists of maps with a unique identity field (`name`, `key`, `id`, `port`).
    Keyed(&'static str),
    /// Anything else: position by position.
    Index,
}

/// The identity fields, in the order they are tried.
pub const IDENTITY_FIELDS: [&str; 4] = ["name", "key", "id", "port"];

fn is_scalar(v: &Value) -> bool {
    !(v.is_array() || v.is_object())
}

/// A scalar as a path segment: strings as themselves, anything else as JSON.
fn segment_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The identity of a map entry under `field` (matched case-insensitively).
fn identity(v: &Value, field: &str) -> Option<String> {
    let m = v.as_object()?;
    let (_, val) = m.iter().find(|(k, _)| k.eq_ignore_ascii_case(field))?;
    is_scalar(val)
        .then(|| segment_of(val))
        .filter(|_| !val.is_null())
}

/// Decide how two lists are matched (see the module docs).
pub fn list_mode(x: &[Value], y: &[Value]) -> ListMode {
    if x.iter().chain(y).all(is_scalar) {
        return ListMode::Set;
    }
    if !x.iter().chain(y).all(Value::is_object) {
        return ListMode::Index;
    }
    'fields: for field in IDENTITY_FIELDS {
        for side in [x, y] {
            let mut seen = HashSet::new();
            for v in side {
                let unique = identity(v, field).is_some_and(|id| seen.insert(id));
                if !unique {
                    continue 'fields;
                }
            }
        }
        return ListMode::Keyed(field);
    }
    ListMode::Index
}

fn walk_list(
    x: &[Value],
    y: &[Value],
    path: &mut Vec<String>,
    ignore: &[Pointer],
    out: &mut Vec<Change>,
) {
    match list_mode(x, y) {
        ListMode::Set => {
            let xs: HashSet<String> = x.iter().map(Value::to_string).collect();
            let ys: HashSet<String> = y.iter().map(Value::to_string).collect();
            let mut done = HashSet::new();
            for v in x {
                let t = v.to_string();
                if !ys.contains(&t) && done.insert(t) {
                    path.push(segment_of(v));
                    if !ignored(path, ignore) {
                        push(out, path, DifferenceType::Remove, Some(v), None);
                    }
                    path.pop();
                }
            }
            for v in y {
                let t = v.to_string();
                if !xs.contains(&t) && done.insert(t) {
                    path.push(segment_of(v));
                    if !ignored(path, ignore) {
                        push(out, path, DifferenceType::Add, None, Some(v));
                    }
                    path.pop();
                }
            }
        }
        ListMode::Keyed(field) => {
            let ys: HashMap<String, &Value> = y
                .iter()
                .filter_map(|v| identity(v, field).map(|k| (k, v)))
                .collect();
            let xs: HashSet<String> = x.iter().filter_map(|v| identity(v, field)).collect();
            for v in x {
                if let Some(k) = identity(v, field) {
                    path.push(k.clone());
                    walk(Some(v), ys.get(&k).copied(), path, ignore, out);
                    path.pop();
                }
            }
            for v in y {
                if let Some(k) = identity(v, field).filter(|k| !xs.contains(k)) {
                    path.push(k);
                    walk(None, Some(v), path, ignore, out);
                    path.pop();
                }
            }
        }
        ListMode::Index => {
            for idx in 0..x.len().max(y.len()) {
                path.push(idx.to_string());
                walk(x.get(idx), y.get(idx), path, ignore, out);
                path.pop();
            }
        }
    }
}

/// "Adopt all": the intended inventory with every reported difference accepted —
/// unmanaged resources added, missing ones dropped, changed attributes set to what
/// reality has — except under `ignore` pointers, which keep their intended values.
/// Diffing the result against `actual` with the same `ignore` list is in sync.
pub fn adopt(intended: &Inventory, actual: &Inventory, ignore: &[Pointer]) -> Inventory {
    let (intended, actual, _) = match_fleets(intended, actual);
    let (intended, actual) = (&intended, &actual);
    let mut resources = BTreeMap::new();
    for (key, a) in &actual.resources {
        let res = match intended.resources.get(key) {
            Some(i) => {
                let mut path = Vec::new();
                let attributes = adopt_map(&i.attributes, &a.attributes, &mut path, ignore);
                Resource {
                    attributes,
                    origin: i.origin.clone(),
                }
            }
            None => a.clone(),
        };
        resources.insert(key.clone(), res);
    }
    Inventory {
        format: intended.format,
        resources,
        fleets: Vec::new(),
    }
}

fn adopt_value(
    i: Option<&Value>,
    a: Option<&Value>,
    path: &mut Vec<String>,
    ignore: &[Pointer],
) -> Option<Value> {
    if ignored(path, ignore) {
        return i.cloned();
    }
    match (i, a) {
        (_, None) => None,
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            Some(Value::Object(adopt_map(x, y, path, ignore)))
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            Some(Value::Array(adopt_list(x, y, path, ignore)))
        }
        (_, Some(y)) => Some(y.clone()),
    }
}

fn adopt_map(
    x: &Attributes,
    y: &Attributes,
    path: &mut Vec<String>,
    ignore: &[Pointer],
) -> Attributes {
    let mut out = Attributes::new();
    for k in union_keys(x, y) {
        path.push(k.clone());
        if let Some(v) = adopt_value(x.get(k), y.get(k), path, ignore) {
            out.insert(k.clone(), v);
        }
        path.pop();
    }
    out
}

fn adopt_list(x: &[Value], y: &[Value], path: &mut Vec<String>, ignore: &[Pointer]) -> Vec<Value> {
    let mut out = Vec::new();
    let with = |path: &mut Vec<String>, seg: String, f: &mut dyn FnMut(&mut Vec<String>)| {
        path.push(seg);
        f(path);
        path.pop();
    };
    match list_mode(x, y) {
        ListMode::Set => {
            let ys: HashSet<String> = y.iter().map(Value::to_string).collect();
            let mut kept = HashSet::new();
            for v in x {
                let t = v.to_string();
                let mut keep = ys.contains(&t);
                if !keep {
                    with(path, segment_of(v), &mut |p| keep = ignored(p, ignore));
                }
                if keep && kept.insert(t) {
                    out.push(v.clone());
                }
            }
            for v in y {
                let t = v.to_string();
                if kept.contains(&t) {
                    continue;
                }
                let mut add = true;
                with(path, segment_of(v), &mut |p| add = !ignored(p, ignore));
                if add && kept.insert(t) {
                    out.push(v.clone());
                }
            }
        }
        ListMode::Keyed(field) => {
            let ys: HashMap<String, &Value> = y
                .iter()
                .filter_map(|v| identity(v, field).map(|k| (k, v)))
                .collect();
            let xs: HashSet<String> = x.iter().filter_map(|v| identity(v, field)).collect();
            for v in x {
                let Some(k) = identity(v, field) else {
                    continue;
                };
                let mut res = None;
                with(path, k.clone(), &mut |p| {
                    res = adopt_value(Some(v), ys.get(&k).copied(), p, ignore);
                });
                out.extend(res);
            }
            for v in y {
                let Some(k) = identity(v, field).filter(|k| !xs.contains(k)) else {
                    continue;
                };
                let mut res = None;
                with(path, k, &mut |p| {
                    res = adopt_value(None, Some(v), p, ignore)
                });
                out.extend(res);
            }
        }
        ListMode::Index => {
            for idx in 0..x.len().max(y.len()) {
                let mut res = None;
                with(path, idx.to_string(), &mut |p| {
                    res = adopt_value(x.get(idx), y.get(idx), p, ignore);
                });
                if idx < y.len() {
                    // An ignored ADD keeps a placeholder so later entries stay aligned.
                    out.push(res.unwrap_or(Value::Null));
                } else {
                    out.extend(res);
                }
            }
        }
    }
    out
}
