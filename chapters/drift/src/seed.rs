//! The seed's JavaScript summary, recomputed from its own YAML.
//!
//! The seed prints a `compareConfigs` result with counts such as "15 unauthorized rules
//! found". Each [`Claim`] here pairs one of those sentences (quoted, with the number it
//! states) with what this crate's diff of the two fixtures says, and a verdict. The
//! seed's sentences are input data; every computed figure comes from the report.

use std::fmt;

use serde_json::Value;

use crate::diff::{DifferenceType, DriftReport, ResourceState};
use crate::fleet::match_fleets;
use crate::inventory::Inventory;

/// How a seed sentence fares against the YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The YAML says the same.
    Agrees,
    /// True only under a reading the seed does not state.
    AgreesOnlyIf(String),
    /// The YAML says otherwise.
    Wrong(String),
    /// The YAML cannot say.
    NotInYaml(String),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Agrees => f.write_str("agrees"),
            Self::AgreesOnlyIf(why) => write!(f, "agrees only if {why}"),
            Self::Wrong(why) => write!(f, "WRONG: {why}"),
            Self::NotInYaml(why) => write!(f, "not in the YAML: {why}"),
        }
    }
}

/// One line of the seed's summary, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The seed's key, `servers.instance_types`.
    pub topic: &'static str,
    /// The seed's sentence.
    pub seed: &'static str,
    /// What the YAML says.
    pub computed: String,
    /// The verdict.
    pub verdict: Verdict,
}

fn names(ids: &[String]) -> String {
    let short: Vec<&str> = ids
        .iter()
        .map(|id| id.rsplit('/').next().unwrap_or(id))
        .collect();
    short.join(", ")
}

/// Ids of the resources of `rtype` in `inv`.
fn ids_of(inv: &Inventory, rtype: &str) -> Vec<String> {
    inv.resources
        .keys()
        .filter(|k| k.rtype == rtype)
        .map(|k| k.id.clone())
        .collect()
}

/// The value every intended resource of `rtype` agrees on at `ptr`, if they agree.
fn planned(inv: &Inventory, rtype: &str, ptr: &str) -> Option<Value> {
    let mut vals = inv
        .resources
        .iter()
        .filter(|(k, _)| k.rtype == rtype)
        .map(|(_, r)| Value::Object(r.attributes.clone()).pointer(ptr).cloned());
    let first = vals.next()??;
    vals.all(|v| v.as_ref() == Some(&first)).then_some(first)
}

/// Actual resources of `rtype` whose value at `ptr` differs from the planned one
/// (managed ones by the diff; unmanaged ones against the value the plan gives all of
/// that type).
fn differing(
    intended: &Inventory,
    actual: &Inventory,
    report: &DriftReport,
    rtype: &str,
    ptr: &str,
) -> (Vec<String>, Vec<String>) {
    let plan = planned(intended, rtype, ptr);
    let mut managed = Vec::new();
    let mut all = Vec::new();
    for d in report.resources.iter().filter(|d| d.key.rtype == rtype) {
        match d.state {
            ResourceState::Changed if d.changes.iter().any(|c| c.path == ptr) => {
                managed.push(d.key.id.clone());
                all.push(d.key.id.clone());
            }
            ResourceState::Unmanaged => {
                let v = actual
                    .resources
                    .get(&d.key)
                    .and_then(|r| Value::Object(r.attributes.clone()).pointer(ptr).cloned());
                if v.is_some() && v != plan {
                    all.push(d.key.id.clone());
                }
            }
            _ => {}
        }
    }
    (managed, all)
}

/// "n of d" claims: compare against the managed count and the all-running count.
fn fraction_verdict(
    claim: (usize, usize),
    managed: (usize, usize),
    all: (usize, usize),
    unmanaged: &str,
) -> Verdict {
    if claim == managed || claim == all {
        Verdict::Agrees
    } else if claim.0 == all.0 && claim.1 == managed.1 {
        Verdict::Wrong(format!(
            "the {} counts {unmanaged}, which is not among the {}",
            claim.0, claim.1
        ))
    } else {
        Verdict::Wrong(format!("the YAML gives {} of {}", managed.0, managed.1))
    }
}

fn count_verdict(claim: usize, managed: usize, all: usize, unmanaged: &str) -> Verdict {
    if claim == managed {
        Verdict::Agrees
    } else if claim == all {
        Verdict::AgreesOnlyIf(format!("the unmanaged {unmanaged} is counted"))
    } else {
        Verdict::Wrong(format!("the YAML gives {managed}, not {claim}"))
    }
}

fn change_at<'a>(
    report: &'a DriftReport,
    rtype: &str,
    ptr: &str,
) -> Option<&'a crate::diff::Change> {
    report
        .resources
        .iter()
        .filter(|d| d.key.rtype == rtype)
        .flat_map(|d| &d.changes)
        .find(|c| c.path == ptr)
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "(absent)".into(),
    }
}

/// Check every sentence of the seed's `compareConfigs` output against the diff of
/// the seed's two documents. The plan's server template is read as the diff reads it:
/// its places filled by reality's servers in name order ([`match_fleets`]).
pub fn check_seed_claims(
    intended: &Inventory,
    actual: &Inventory,
    report: &DriftReport,
) -> Vec<Claim> {
    let (intended, actual, _) = match_fleets(intended, actual);
    let (intended, actual) = (&intended, &actual);
    let mut out = Vec::new();
    let planned_servers = ids_of(intended, "web_server");
    let running_servers = ids_of(actual, "web_server");
    let unmanaged_servers: Vec<String> = report
        .resources
        .iter()
        .filter(|d| d.key.rtype == "web_server" && d.state == ResourceState::Unmanaged)
        .map(|d| d.key.id.clone())
        .collect();
    let unmanaged_names = names(&unmanaged_servers);

    // servers
    let (e, f) = (planned_servers.len(), running_servers.len());
    out.push(Claim {
        topic: "servers.count_mismatch",
        seed: "Expected 3, Found 4",
        computed: format!("expected {e}, found {f} ({})", names(&running_servers)),
        verdict: if (e, f) == (3, 4) {
            Verdict::Agrees
        } else {
            Verdict::Wrong(format!("the YAML gives {e} and {f}"))
        },
    });
    let (m, a) = differing(intended, actual, report, "web_server", "/type");
    out.push(Claim {
        topic: "servers.instance_types",
        seed: "2 of 3 don't match expected",
        computed: format!(
            "{} of {} planned servers ({}); {} of {} running ({})",
            m.len(),
            e,
            names(&m),
            a.len(),
            f,
            names(&a)
        ),
        verdict: fraction_verdict((2, 3), (m.len(), e), (a.len(), f), &unmanaged_names),
    });
    let (m, a) = differing(intended, actual, report, "web_server", "/ami");
    out.push(Claim {
        topic: "servers.ami_drift",
        seed: "2 servers using wrong AMI",
        computed: format!(
            "{} planned server ({}); {} running servers ({})",
            m.len(),
            names(&m),
            a.len(),
            names(&a)
        ),
        verdict: count_verdict(2, m.len(), a.len(), &unmanaged_names),
    });
    let sg: Vec<(&str, DifferenceType)> = report
        .resources
        .iter()
        .filter(|d| d.key.rtype == "web_server")
        .flat_map(|d| &d.changes)
        .filter(|c| c.path.starts_with("/security_groups/"))
        .map(|c| (c.path.as_str(), c.difference_type))
        .collect();
    let added = sg.iter().filter(|(_, d)| *d == DifferenceType::Add).count();
    let removed = sg
        .iter()
        .filter(|(_, d)| *d == DifferenceType::Remove)
        .count();
    out.push(Claim {
        topic: "servers.security_groups",
        seed: "15 unauthorized rules found",
        computed: format!(
            "{added} security groups added by hand, {removed} planned ones removed \
             (group names only: the YAML lists no rules)"
        ),
        verdict: if added == 15 {
            Verdict::Agrees
        } else {
            Verdict::Wrong(format!("{added} added, not 15"))
        },
    });

    // database
    let size = change_at(report, "database", "/type");
    out.push(Claim {
        topic: "database.size_drift",
        seed: "Upgraded from large to xlarge",
        computed: format!(
            "/type {} → {}",
            text(size.and_then(|c| c.intended.as_ref())),
            text(size.and_then(|c| c.actual.as_ref()))
        ),
        verdict: match size {
            Some(c)
                if text(c.intended.as_ref()).ends_with(".large")
                    && text(c.actual.as_ref()).ends_with(".xlarge") =>
            {
                Verdict::Agrees
            }
            _ => Verdict::Wrong("no such /type change".into()),
        },
    });
    let engine = change_at(report, "database", "/engine");
    out.push(Claim {
        topic: "database.version_drift",
        seed: "13.4 → 14.2 (undocumented)",
        computed: format!(
            "/engine {} → {}",
            text(engine.and_then(|c| c.intended.as_ref())),
            text(engine.and_then(|c| c.actual.as_ref()))
        ),
        verdict: match engine {
            Some(c)
                if text(c.intended.as_ref()).ends_with("13.4")
                    && text(c.actual.as_ref()).ends_with("14.2") =>
            {
                Verdict::Agrees
            }
            _ => Verdict::Wrong("no such /engine change".into()),
        },
    });
    let backup = change_at(report, "database", "/backup");
    out.push(Claim {
        topic: "database.backup_status",
        seed: "CRITICAL: Backups disabled!",
        computed: format!(
            "/backup {} → {}",
            text(backup.and_then(|c| c.intended.as_ref())),
            text(backup.and_then(|c| c.actual.as_ref()))
        ),
        verdict: match backup.and_then(|c| c.actual.as_ref()) {
            Some(Value::String(s)) if s == "disabled" => Verdict::Agrees,
            _ => Verdict::Wrong("backups are not disabled in the YAML".into()),
        },
    });
    let maz = change_at(report, "database", "/multi_az");
    out.push(Claim {
        topic: "database.availability",
        seed: "No longer multi-AZ",
        computed: format!(
            "/multi_az {} → {}",
            text(maz.and_then(|c| c.intended.as_ref())),
            text(maz.and_then(|c| c.actual.as_ref()))
        ),
        verdict: match maz.and_then(|c| c.actual.as_ref()) {
            Some(Value::Bool(false)) => Verdict::Agrees,
            _ => Verdict::Wrong("multi_az did not turn false".into()),
        },
    });

    // storage
    let (pb, ab) = (ids_of(intended, "s3_bucket"), ids_of(actual, "s3_bucket"));
    out.push(Claim {
        topic: "storage.bucket_count",
        seed: "Expected 1, Found 3",
        computed: format!("expected {}, found {} ({})", pb.len(), ab.len(), names(&ab)),
        verdict: if (pb.len(), ab.len()) == (1, 3) {
            Verdict::Agrees
        } else {
            Verdict::Wrong(format!("the YAML gives {} and {}", pb.len(), ab.len()))
        },
    });
    let public: Vec<String> = actual
        .resources
        .iter()
        .filter(|(k, r)| {
            k.rtype == "s3_bucket" && r.attributes.get("public_access") == Some(&Value::Bool(true))
        })
        .map(|(k, _)| k.id.clone())
        .collect();
    out.push(Claim {
        topic: "storage.public_buckets",
        seed: "1 bucket publicly accessible!",
        computed: format!("{} ({}), an unmanaged bucket", public.len(), names(&public)),
        verdict: if public.len() == 1 {
            Verdict::Agrees
        } else {
            Verdict::Wrong(format!("{} public buckets", public.len()))
        },
    });
    let unencrypted: Vec<String> = actual
        .resources
        .iter()
        .filter(|(k, r)| {
            k.rtype == "s3_bucket"
                && match r.attributes.get("encryption") {
                    None | Some(Value::Null) | Some(Value::Bool(false)) => true,
                    Some(Value::String(s)) => s == "none",
                    _ => false,
                }
        })
        .map(|(k, _)| k.id.clone())
        .collect();
    let enc = change_at(report, "s3_bucket", "/encryption");
    out.push(Claim {
        topic: "storage.encryption",
        seed: "Missing on production bucket!",
        computed: format!(
            "/encryption {} → {} on the planned bucket; {} of {} buckets \
             state no encryption ({})",
            text(enc.and_then(|c| c.intended.as_ref())),
            text(enc.and_then(|c| c.actual.as_ref())),
            unencrypted.len(),
            ab.len(),
            names(&unencrypted)
        ),
        verdict: if enc.is_some() {
            Verdict::Agrees
        } else {
            Verdict::Wrong("the planned bucket's encryption did not change".into())
        },
    });

    // security
    let roles: Vec<String> = report
        .resources
        .iter()
        .filter(|d| d.key.rtype == "iam_role" && d.state == ResourceState::Unmanaged)
        .map(|d| d.key.id.clone())
        .collect();
    // The seed reports the departed contractor's role on a line of its own
    // (`contractor_access`), so its "3" may count only the others.
    let contractor: Vec<String> = roles
        .iter()
        .filter(|r| r.contains("contractor"))
        .cloned()
        .collect();
    let others = roles.len() - contractor.len();
    out.push(Claim {
        topic: "security.excessive_iam_roles",
        seed: "3 unauthorized roles",
        computed: format!("{} unmanaged roles ({})", roles.len(), names(&roles)),
        verdict: if roles.len() == 3 {
            Verdict::Agrees
        } else if others == 3 {
            Verdict::AgreesOnlyIf(format!(
                "the contractor's role, reported on its own line, is left out; {} unmanaged roles in all",
                roles.len()
            ))
        } else {
            Verdict::Wrong(format!("{} roles, not 3", roles.len()))
        },
    });
    out.push(Claim {
        topic: "security.contractor_access",
        seed: "Still has access!",
        computed: format!("unmanaged role still present: {}", names(&contractor)),
        verdict: if contractor.is_empty() {
            Verdict::Wrong("no contractor role".into())
        } else {
            Verdict::Agrees
        },
    });
    let listeners: Vec<String> = report
        .resources
        .iter()
        .filter(|d| d.key.rtype == "load_balancer")
        .flat_map(|d| &d.changes)
        .filter(|c| c.difference_type == DifferenceType::Add && c.path.starts_with("/listeners/"))
        .map(|c| c.path.trim_start_matches("/listeners/").to_string())
        .collect();
    out.push(Claim {
        topic: "security.open_ports",
        seed: "Debug endpoint exposed to internet",
        computed: format!("listeners added on ports {}", listeners.join(", ")),
        verdict: Verdict::NotInYaml(
            "a listener was added, but neither document says whether the load \
             balancer faces the internet (no scheme)"
                .into(),
        ),
    });
    out
}

/// The claims as text, one block per claim, wrapped to 80 columns.
pub fn render_claims(claims: &[Claim]) -> String {
    let mut s = String::new();
    for c in claims {
        s.push_str(c.topic);
        s.push('\n');
        for line in [
            format!("  seed:     {}", c.seed),
            format!("  computed: {}", c.computed),
            format!("  verdict:  {}", c.verdict),
        ] {
            s.push_str(&crate::report::wrap(&line, 12));
            s.push('\n');
        }
    }
    let wrong = claims
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Wrong(_)))
        .count();
    let partial = claims
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::AgreesOnlyIf(_) | Verdict::NotInYaml(_)))
        .count();
    s.push('\n');
    s.push_str(&crate::report::wrap(
        &format!(
            "{} claims: {} agree, {} wrong, {} true only under an unstated reading \
             or not decidable from the YAML",
            claims.len(),
            claims.len() - wrong - partial,
            wrong,
            partial
        ),
        0,
    ));
    s.push('\n');
    s
}
