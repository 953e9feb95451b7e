//! Documents → inventories: every resource keyed by type and id, its attributes a JSON
//! tree.
//!
//! # The document format (the seed's YAML; its status marks kept as comments)
//!
//! The top level maps **environment** names (`production`) to sections. In an
//! environment:
//!
//! | a key whose value is… | becomes |
//! |---|---|
//! | a scalar (`region: us-east-1`) | an attribute of the resource `environment[<env>]` |
//! | a list (`s3_buckets:`, `iam_roles:`) | one resource per entry, type = the key minus a trailing `s`; an entry is a name (`- ec2-web-server-role`) or a map whose `name` (else `id`) field is its name |
//! | a map with a `count` (`web_servers:` in the plan) | a **template**: a [`Fleet`] of `count` identical resources with the other keys as attributes. The seed's plan names none of them, so the diff matches the fleet against reality's members of the same section ([`crate::diff::diff`]). With a `name_prefix` (an extension) the instances are named `<name_prefix>1`, `<name_prefix>2`, … and meet reality by name |
//! | a map whose values are all maps (`web_servers:` in reality) | one resource per key, named by the key |
//! | any other map (`database:`) | one resource, type = the key, id = the environment |
//!
//! A resource's id is `<env>/<name>` (`production/server_1`), or `<env>` for a
//! one-per-environment section. The plan's `web_servers` template (`count: 3`) and
//! reality's named servers meet as a fleet: the first three of reality's servers in name
//! order are its instances, each compared with the template, and `server_4` is beyond the
//! count, so unmanaged.
//!
//! Values: an `ami` written as `ami-12345 (Ubuntu 20.04)` is read as the id
//! `ami-12345`; the parenthesised text is a label for humans that AWS does not store
//! (an instance reports only its `ImageId`), so it is not compared.
//!
//! A document whose top level has a `Resources` key is a CloudFormation template
//! instead; see [`crate::cloudformation`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use crate::cloudformation;
use crate::error::DriftError;

/// The attributes of one resource: a JSON object (nested maps, lists, scalars).
pub type Attributes = Map<String, Value>;

/// Largest `count` a template may ask for: a typo like `count: 30000000` should be an
/// error, not a few gigabytes of expanded servers.
pub const MAX_COUNT: u64 = 100_000;

/// A resource's identity: its type and its id within that type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceKey {
    /// `web_server`, `s3_bucket`, `AWS::RDS::DBInstance`, …
    pub rtype: String,
    /// `production/server_1`, or a CloudFormation logical id.
    pub id: String,
}

impl ResourceKey {
    /// A key from its two parts.
    pub fn new(rtype: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            rtype: rtype.into(),
            id: id.into(),
        }
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.rtype, self.id)
    }
}

/// Where in its document a resource was written, so an inventory can be written back
/// in the same shape. Not compared by the diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The scalar settings of an environment.
    Environment {
        /// Environment name.
        env: String,
    },
    /// A one-per-environment section (`database:`).
    Singleton {
        /// Environment name.
        env: String,
        /// Section key.
        section: String,
    },
    /// A member of a map of named resources, or an instance expanded from a template.
    Named {
        /// Environment name.
        env: String,
        /// Section key.
        section: String,
        /// The member's name.
        name: String,
    },
    /// An entry of a list section.
    Listed {
        /// Environment name.
        env: String,
        /// Section key.
        section: String,
        /// The entry's name.
        name: String,
        /// The field that held the name (`name` or `id`); `None` for a bare name.
        key_field: Option<String>,
    },
    /// A CloudFormation `Resources` entry.
    CloudFormation,
}

/// One resource: its attributes and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The attribute tree the diff compares.
    pub attributes: Attributes,
    /// The document shape it was read from.
    pub origin: Origin,
}

/// Which kind of document an inventory was read from (and is written back as).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// The environment/section YAML described in this module.
    Environments,
    /// A CloudFormation template (`Resources`).
    CloudFormation,
}

/// A template that names none of its instances (`web_servers: {count: 3, type: …}`):
/// `count` resources alike, matched against reality's members of the same section when
/// the two are compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Fleet {
    /// The instances' type (`web_server`).
    pub rtype: String,
    /// Environment name.
    pub env: String,
    /// Section key (`web_servers`).
    pub section: String,
    /// How many instances the template asks for.
    pub count: u64,
    /// What each instance should look like (the template's keys but `count`).
    pub attributes: Attributes,
}

impl Fleet {
    /// Where the template sits in its document (`production.web_servers`).
    pub fn field(&self) -> String {
        join_field(&self.env, &self.section)
    }
}

/// Every resource of one document, keyed by type and id, in key order.
#[derive(Debug, Clone, PartialEq)]
pub struct Inventory {
    /// The document kind.
    pub format: SourceFormat,
    /// The resources.
    pub resources: BTreeMap<ResourceKey, Resource>,
    /// Templates whose instances have no names of their own, in document order.
    pub fleets: Vec<Fleet>,
}

impl Inventory {
    /// An empty inventory of the given format.
    pub fn new(format: SourceFormat) -> Self {
        Self {
            format,
            resources: BTreeMap::new(),
            fleets: Vec::new(),
        }
    }

    /// Number of resources (a fleet's instances not counted: see [`Inventory::planned`]).
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// Number of resources the document asks for: the named ones plus every fleet's count.
    pub fn planned(&self) -> u64 {
        self.resources.len() as u64 + self.fleets.iter().map(|f| f.count).sum::<u64>()
    }

    /// True when there are no resources.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The resource with this type and id.
    pub fn get(&self, rtype: &str, id: &str) -> Option<&Resource> {
        self.resources.get(&ResourceKey::new(rtype, id))
    }
}

/// Read a file: `.json` files are parsed as JSON, anything else as YAML; then
/// [`from_document`].
pub fn load(path: &Path) -> Result<Inventory, DriftError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| DriftError::Io {
        file: file.clone(),
        source,
    })?;
    let json = path.extension().is_some_and(|e| e == "json");
    parse_str(&file, &text, json)
}

/// Parse `text` (named `file` in errors) as JSON or YAML and normalise it.
pub fn parse_str(file: &str, text: &str, json: bool) -> Result<Inventory, DriftError> {
    let doc = parse_document(file, text, json)?;
    from_document(file, &doc)
}

/// Parse `text` into a JSON tree; YAML is converted (keys become strings).
pub fn parse_document(file: &str, text: &str, json: bool) -> Result<Value, DriftError> {
    if text.trim().is_empty() {
        return Err(DriftError::Empty {
            file: file.to_string(),
        });
    }
    if json {
        let v: Value = serde_json::from_str(text).map_err(|e| DriftError::json(file, &e))?;
        return Ok(canonical(v));
    }
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| DriftError::yaml(file, &e))?;
    Ok(canonical(yaml_to_json(file, &yaml, "")?))
}

/// The same tree with every map's keys inserted in sorted order, so output is the same
/// whether or not `serde_json` keeps insertion order (its `preserve_order` feature may
/// be switched on by another crate in a workspace build).
pub fn canonical(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// Normalise a parsed document: a CloudFormation template when the top level has a
/// `Resources` key, else environments → sections as the module docs describe.
pub fn from_document(file: &str, doc: &Value) -> Result<Inventory, DriftError> {
    match doc {
        Value::Null => Err(DriftError::Empty {
            file: file.to_string(),
        }),
        Value::Object(top) if top.is_empty() => Err(DriftError::Empty {
            file: file.to_string(),
        }),
        Value::Object(top) if top.contains_key("Resources") => {
            cloudformation::inventory_from_template_in(file, doc)
        }
        Value::Object(top) => environments(file, top),
        other => Err(DriftError::shape(
            file,
            "(top level)",
            format!("expected a map of environments, found {}", describe(other)),
        )),
    }
}

/// "a string (\"three\")", "a list", … for error messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({s:?})"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a map".into(),
    }
}

fn yaml_to_json(file: &str, v: &serde_yaml_ng::Value, at: &str) -> Result<Value, DriftError> {
    use serde_yaml_ng::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        DriftError::shape(file, at, format!("{n} is not a finite number"))
                    })?
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(file, item, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(DriftError::shape(
                            file,
                            at,
                            format!("map keys must be scalars, found {other:?}"),
                        ));
                    }
                };
                let child = join_field(at, &key);
                out.insert(key, yaml_to_json(file, val, &child)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            return Err(DriftError::shape(
                file,
                at,
                format!("YAML tag {} is not supported", t.tag),
            ));
        }
    })
}

fn join_field(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// Keys of a JSON map in sorted order, whatever order the map keeps.
pub(crate) fn sorted_keys(m: &Attributes) -> Vec<&String> {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    keys
}

/// A name usable in an id: non-empty, no `/`, no control characters.
fn check_name(file: &str, field: &str, name: &str) -> Result<(), DriftError> {
    if name.is_empty() {
        return Err(DriftError::shape(file, field, "a name may not be empty"));
    }
    if name.contains('/') || name.chars().any(char::is_control) {
        return Err(DriftError::shape(
            file,
            field,
            format!("name {name:?} may not contain `/` or control characters"),
        ));
    }
    Ok(())
}

/// `web_servers` → `web_server`: a collection's resource type.
fn singular(section: &str) -> String {
    match section.strip_suffix('s') {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => section.to_string(),
    }
}

/// The `ami-12345 (Ubuntu 20.04)` reading: an `ami` string keeps only its id.
fn normalise_attributes(mut attrs: Attributes) -> Attributes {
    if let Some(Value::String(s)) = attrs.get("ami")
        && let Some((id, rest)) = s.split_once(" (")
        && rest.ends_with(')')
        && !id.contains(' ')
    {
        let id = id.to_string();
        attrs.insert("ami".into(), Value::String(id));
    }
    attrs
}

struct Builder<'a> {
    file: &'a str,
    inv: Inventory,
    seen: HashMap<ResourceKey, String>,
}

impl Builder<'_> {
    fn add(
        &mut self,
        field: &str,
        rtype: String,
        id: String,
        attributes: Attributes,
        origin: Origin,
    ) -> Result<(), DriftError> {
        let key = ResourceKey::new(rtype, id);
        if let Some(first) = self.seen.get(&key) {
            return Err(DriftError::Duplicate {
                file: self.file.to_string(),
                field: field.to_string(),
                rtype: key.rtype,
                id: key.id,
                first: first.clone(),
            });
        }
        self.seen.insert(key.clone(), field.to_string());
        let attributes = normalise_attributes(attributes);
        self.inv
            .resources
            .insert(key, Resource { attributes, origin });
        Ok(())
    }
}

fn environments(file: &str, top: &Attributes) -> Result<Inventory, DriftError> {
    let mut b = Builder {
        file,
        inv: Inventory::new(SourceFormat::Environments),
        seen: HashMap::new(),
    };
    for env in sorted_keys(top) {
        check_name(file, env, env)?;
        let sections = match &top[env] {
            Value::Object(m) => m.clone(),
            Value::Null => Map::new(),
            other => {
                return Err(DriftError::shape(
                    file,
                    env,
                    format!(
                        "an environment is a map of sections, found {}",
                        describe(other)
                    ),
                ));
            }
        };
        let mut settings = Attributes::new();
        for section in sorted_keys(&sections) {
            let field = join_field(env, section);
            let value = &sections[section];
            match value {
                Value::Array(items) => listed(&mut b, env, section, &field, items)?,
                Value::Object(m) if m.contains_key("count") => {
                    template(&mut b, env, section, &field, m)?;
                }
                Value::Object(m) if !m.is_empty() && m.values().all(Value::is_object) => {
                    for name in sorted_keys(m) {
                        let f = join_field(&field, name);
                        check_name(file, &f, name)?;
                        let attrs = m[name].as_object().cloned().unwrap_or_default();
                        b.add(
                            &f,
                            singular(section),
                            format!("{env}/{name}"),
                            attrs,
                            Origin::Named {
                                env: env.clone(),
                                section: section.clone(),
                                name: name.clone(),
                            },
                        )?;
                    }
                }
                Value::Object(m) => b.add(
                    &field,
                    section.clone(),
                    env.clone(),
                    m.clone(),
                    Origin::Singleton {
                        env: env.clone(),
                        section: section.clone(),
                    },
                )?,
                scalar => {
                    settings.insert(section.clone(), scalar.clone());
                }
            }
        }
        b.add(
            env,
            "environment".into(),
            env.clone(),
            settings,
            Origin::Environment { env: env.clone() },
        )?;
    }
    Ok(b.inv)
}

fn listed(
    b: &mut Builder<'_>,
    env: &str,
    section: &str,
    field: &str,
    items: &[Value],
) -> Result<(), DriftError> {
    let file = b.file;
    for (i, item) in items.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let (name, attrs, key_field) = match item {
            Value::String(s) => (s.clone(), Attributes::new(), None),
            Value::Number(n) => (n.to_string(), Attributes::new(), None),
            Value::Object(m) => {
                let key = ["name", "id"]
                    .into_iter()
                    .find(|k| m.contains_key(*k))
                    .ok_or_else(|| {
                        DriftError::shape(
                            file,
                            &f,
                            "a listed resource needs a `name` (or `id`) field",
                        )
                    })?;
                let name = match &m[key] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    other => {
                        return Err(DriftError::shape(
                            file,
                            &format!("{f}.{key}"),
                            format!("expected a name, found {}", describe(other)),
                        ));
                    }
                };
                let mut attrs = m.clone();
                attrs.remove(key);
                (name, attrs, Some(key.to_string()))
            }
            other => {
                return Err(DriftError::shape(
                    file,
                    &f,
                    format!(
                        "expected a name or a map with a `name`, found {}",
                        describe(other)
                    ),
                ));
            }
        };
        check_name(file, &f, &name)?;
        b.add(
            &f,
            singular(section),
            format!("{env}/{name}"),
            attrs,
            Origin::Listed {
                env: env.to_string(),
                section: section.to_string(),
                name,
                key_field,
            },
        )?;
    }
    Ok(())
}

fn template(
    b: &mut Builder<'_>,
    env: &str,
    section: &str,
    field: &str,
    m: &Attributes,
) -> Result<(), DriftError> {
    let file = b.file;
    let count_field = format!("{field}.count");
    let count = m["count"].as_u64().ok_or_else(|| {
        DriftError::shape(
            file,
            &count_field,
            format!(
                "expected a whole number of instances (0 or more), found {}",
                describe(&m["count"])
            ),
        )
    })?;
    if count > MAX_COUNT {
        return Err(DriftError::shape(
            file,
            &count_field,
            format!("count {count} is more than the limit {MAX_COUNT}"),
        ));
    }
    let rtype = singular(section);
    let prefix = match m.get("name_prefix") {
        None => {
            let mut attributes = m.clone();
            attributes.remove("count");
            let attributes = normalise_attributes(attributes);
            b.inv.fleets.push(Fleet {
                rtype,
                env: env.to_string(),
                section: section.to_string(),
                count,
                attributes,
            });
            return Ok(());
        }
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(DriftError::shape(
                file,
                &format!("{field}.name_prefix"),
                format!("expected a string, found {}", describe(other)),
            ));
        }
    };
    let mut shared = m.clone();
    shared.remove("count");
    shared.remove("name_prefix");
    for i in 1..=count {
        let name = format!("{prefix}{i}");
        let f = format!("{field}[{name}]");
        check_name(file, &f, &name)?;
        b.add(
            &f,
            rtype.clone(),
            format!("{env}/{name}"),
            shared.clone(),
            Origin::Named {
                env: env.to_string(),
                section: section.to_string(),
                name,
            },
        )?;
    }
    Ok(())
}

/// Write an inventory back as a document of its own format: environments YAML, or a
/// CloudFormation template (JSON). Reading the result gives the same resources.
pub fn to_document(inv: &Inventory) -> Result<Value, DriftError> {
    let doc = match inv.format {
        SourceFormat::CloudFormation => cloudformation::template_from_inventory(inv)?,
        SourceFormat::Environments => environments_document(inv)?,
    };
    Ok(canonical(doc))
}

/// [`to_document`] as text: YAML for environments, pretty JSON for CloudFormation.
pub fn to_text(inv: &Inventory) -> Result<String, DriftError> {
    let doc = to_document(inv)?;
    Ok(match inv.format {
        SourceFormat::CloudFormation => {
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
        SourceFormat::Environments => serde_yaml_ng::to_string(&doc).unwrap_or_default(),
    })
}

fn unwritable(key: &ResourceKey, message: impl Into<String>) -> DriftError {
    DriftError::Unwritable {
        rtype: key.rtype.clone(),
        id: key.id.clone(),
        message: message.into(),
    }
}

fn environments_document(inv: &Inventory) -> Result<Value, DriftError> {
    // First pass: which sections have a named member (then the whole section is a map).
    let mut named_sections = std::collections::BTreeSet::new();
    for res in inv.resources.values() {
        if let Origin::Named { env, section, .. } = &res.origin {
            named_sections.insert((env.clone(), section.clone()));
        }
    }
    let mut envs: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (key, res) in &inv.resources {
        let a = &res.attributes;
        match &res.origin {
            Origin::Environment { env } => {
                let e = envs.entry(env.clone()).or_default();
                for k in sorted_keys(a) {
                    if a[k].is_object() || a[k].is_array() {
                        return Err(unwritable(
                            key,
                            format!("environment setting `{k}` must be a scalar"),
                        ));
                    }
                    e.insert(k.clone(), a[k].clone());
                }
            }
            Origin::Singleton { env, section } => {
                if a.contains_key("count") {
                    return Err(unwritable(
                        key,
                        "an attribute `count` would read as a template",
                    ));
                }
                if !a.is_empty() && a.values().all(Value::is_object) {
                    return Err(unwritable(
                        key,
                        "every attribute is a map, which would read as named resources",
                    ));
                }
                envs.entry(env.clone())
                    .or_default()
                    .insert(section.clone(), Value::Object(a.clone()));
            }
            Origin::Named { env, section, name }
            | Origin::Listed {
                env, section, name, ..
            } if named_sections.contains(&(env.clone(), section.clone())) => {
                if name == "count" {
                    return Err(unwritable(
                        key,
                        "a member named `count` would read as a template",
                    ));
                }
                let slot = envs
                    .entry(env.clone())
                    .or_default()
                    .entry(section.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = slot {
                    m.insert(name.clone(), Value::Object(a.clone()));
                } else {
                    return Err(unwritable(key, format!("section `{section}` mixes shapes")));
                }
            }
            Origin::Named { .. } => unreachable_named(key)?,
            Origin::Listed {
                env,
                section,
                name,
                key_field,
            } => {
                let entry = match key_field {
                    None if a.is_empty() => Value::String(name.clone()),
                    _ => {
                        let field = key_field.clone().unwrap_or_else(|| "name".into());
                        if a.contains_key(&field) || (field == "id" && a.contains_key("name")) {
                            return Err(unwritable(
                                key,
                                format!("attribute `{field}` clashes with the name field"),
                            ));
                        }
                        let mut m = a.clone();
                        m.insert(field, Value::String(name.clone()));
                        Value::Object(m)
                    }
                };
                let slot = envs
                    .entry(env.clone())
                    .or_default()
                    .entry(section.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = slot {
                    items.push(entry);
                } else {
                    return Err(unwritable(key, format!("section `{section}` mixes shapes")));
                }
            }
            Origin::CloudFormation => {
                return Err(unwritable(
                    key,
                    "a CloudFormation resource cannot be written as an environment section",
                ));
            }
        }
    }
    for fleet in &inv.fleets {
        let sections = envs.entry(fleet.env.clone()).or_default();
        if sections.contains_key(&fleet.section) {
            return Err(DriftError::Unwritable {
                rtype: fleet.rtype.clone(),
                id: fleet.field(),
                message: format!("section `{}` mixes shapes", fleet.section),
            });
        }
        let mut m = fleet.attributes.clone();
        m.insert("count".into(), Value::from(fleet.count));
        sections.insert(fleet.section.clone(), Value::Object(m));
    }
    let mut top = Map::new();
    for (env, sections) in envs {
        top.insert(env, Value::Object(sections));
    }
    Ok(Value::Object(top))
}

/// A named member always has its section in `named_sections`; kept as an error rather
/// than a panic.
fn unreachable_named(key: &ResourceKey) -> Result<(), DriftError> {
    Err(unwritable(
        key,
        "internal: named member outside a named section",
    ))
}
