//! Templates that name no instances, matched against reality before the diff.
//!
//! A plan's `count: 3` template ([`Fleet`]) is compared as a fleet ([`match_fleets`]):
//! reality's members of the same section, in name order (`server_2` before `server_10`),
//! fill its places. Each one is compared with the template, so a changed instance type is
//! found on the instance that has it; members beyond the count are unmanaged; places
//! reality leaves empty are missing (`production/web_servers[3]`). The report states
//! the count it expected and found.

use std::fmt;

use crate::inventory::{Fleet, Inventory, Origin, Resource, ResourceKey};

/// How a template that names no instances met reality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetMatch {
    /// Where the template sits in the plan (`production.web_servers`).
    pub field: String,
    /// The instances' type (`web_server`).
    pub rtype: String,
    /// The template's environment (`production`).
    pub env: String,
    /// The template's section key (`web_servers`).
    pub section: String,
    /// The template's `count`.
    pub expected: u64,
    /// Reality's members of the section, in name order, that filled its places.
    pub members: Vec<String>,
    /// The keys of `members`, in the same order: place `k` is `member_keys[k - 1]`.
    pub member_keys: Vec<ResourceKey>,
    /// Reality's members beyond the count (reported unmanaged).
    pub beyond: Vec<String>,
    /// Places reality leaves empty (reported missing), as resource ids.
    pub empty: Vec<String>,
}

impl FleetMatch {
    /// How many members reality has.
    pub fn found(&self) -> usize {
        self.members.len() + self.beyond.len()
    }

    /// The template's `k`-th place (from 1) as a key, `<env>/<section>[k]`: the id an
    /// empty place is reported missing under.
    pub fn place(&self, k: usize) -> ResourceKey {
        ResourceKey::new(
            self.rtype.clone(),
            format!("{}/{}[{k}]", self.env, self.section),
        )
    }
}

impl fmt::Display for FleetMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: count {}, reality has {}",
            self.field,
            self.expected,
            self.found()
        )?;
        if !self.members.is_empty() {
            write!(
                f,
                "; compared with the template: {}",
                self.members.join(", ")
            )?;
        }
        if !self.beyond.is_empty() {
            write!(f, "; beyond the count: {}", self.beyond.join(", "))?;
        }
        if !self.empty.is_empty() {
            write!(f, "; {} missing", self.empty.len())?;
        }
        Ok(())
    }
}

/// Name order with the last number compared as a number: `server_2` before `server_10`,
/// `web_servers[2]` before `web_servers[10]`.
fn natural_key(name: &str) -> (String, u128, String) {
    let end = name
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let start = name[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    (
        name[..start].to_string(),
        name[start..end].parse().unwrap_or(0),
        name.to_string(),
    )
}

/// Each fleet of `inv` as `count` named instances `<section>[k]`.
fn expand_fleets(inv: &Inventory) -> Inventory {
    let mut out = inv.clone();
    out.fleets.clear();
    for fleet in &inv.fleets {
        let places = usize::try_from(fleet.count).unwrap_or(usize::MAX);
        for k in 1..=places {
            let name = format!("{}[{k}]", fleet.section);
            out.resources.insert(
                ResourceKey::new(fleet.rtype.clone(), format!("{}/{name}", fleet.env)),
                Resource {
                    attributes: fleet.attributes.clone(),
                    origin: Origin::Named {
                        env: fleet.env.clone(),
                        section: fleet.section.clone(),
                        name,
                    },
                },
            );
        }
    }
    out
}

/// Both sides with their fleets resolved. A fleet in `actual` becomes `count` instances
/// `<env>/<section>[k]`. Then each [`Fleet`] of `intended` takes reality's resources of its
/// type from the same environment and section that the plan does not name itself, in
/// natural name order: the first `count` get the template's attributes under their own
/// ids; the rest stay unmatched (unmanaged); when reality has fewer, the empty places are
/// added as `<env>/<section>[k]` (missing).
pub fn match_fleets(
    intended: &Inventory,
    actual: &Inventory,
) -> (Inventory, Inventory, Vec<FleetMatch>) {
    let actual = expand_fleets(actual);
    let mut out = intended.clone();
    out.fleets.clear();
    let mut matches = Vec::new();
    for fleet in &intended.fleets {
        let Fleet {
            rtype,
            env,
            section,
            count,
            attributes,
        } = fleet;
        let mut found: Vec<(&ResourceKey, &str)> = actual
            .resources
            .iter()
            .filter(|(key, _)| key.rtype == *rtype && !intended.resources.contains_key(*key))
            .filter_map(|(key, r)| match &r.origin {
                Origin::Named {
                    env: e,
                    section: s,
                    name,
                }
                | Origin::Listed {
                    env: e,
                    section: s,
                    name,
                    ..
                } if e == env && s == section => Some((key, name.as_str())),
                _ => None,
            })
            .collect();
        found.sort_by_key(|(_, name)| natural_key(name));
        let places = usize::try_from(*count).unwrap_or(usize::MAX);
        let mut m = FleetMatch {
            field: fleet.field(),
            rtype: rtype.clone(),
            env: env.clone(),
            section: section.clone(),
            expected: *count,
            members: Vec::new(),
            member_keys: Vec::new(),
            beyond: Vec::new(),
            empty: Vec::new(),
        };
        for (i, (key, name)) in found.iter().enumerate() {
            if i < places {
                m.members.push(name.to_string());
                m.member_keys.push((*key).clone());
                out.resources.insert(
                    (*key).clone(),
                    Resource {
                        attributes: attributes.clone(),
                        origin: Origin::Named {
                            env: env.clone(),
                            section: section.clone(),
                            name: name.to_string(),
                        },
                    },
                );
            } else {
                m.beyond.push(name.to_string());
            }
        }
        for k in found.len() + 1..=places {
            let key = m.place(k);
            m.empty.push(key.id.clone());
            out.resources.insert(
                key,
                Resource {
                    attributes: attributes.clone(),
                    origin: Origin::Named {
                        env: env.clone(),
                        section: section.clone(),
                        name: format!("{section}[{k}]"),
                    },
                },
            );
        }
        matches.push(m);
    }
    (out, actual, matches)
}
