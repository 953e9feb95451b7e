//! The orchestration layer's configuration: which systems exist, where their data is,
//! how slow they are, and the credentials to reach them — which are never printed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::dec::Date;
use crate::error::{Error, Result};

/// A credential. `Debug` and `Display` print `***`; it has no `Serialize`, so it can't
/// end up in JSON output by accident.
///
/// ```
/// let s = erp_rag::config::Secret::new("hunter2");
/// assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
/// assert!(s.matches("hunter2"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// Compare without revealing (what an ERP's login check does).
    pub fn matches(&self, candidate: &str) -> bool {
        // Length first, then every byte, so the time doesn't depend on where they differ.
        self.0.len() == candidate.len()
            && self
                .0
                .bytes()
                .zip(candidate.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// The value, for the adapter that logs in. Nothing else should call this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Who is asking. Roles filter what can be retrieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Business analyst: everything except personnel records.
    Analyst,
    /// Finance: same as analyst (kept to show that roles are data, not code paths).
    Finance,
    /// Human resources: may read personnel records.
    Hr,
}

impl Role {
    /// Parse `analyst`, `finance` or `hr`.
    pub fn parse(s: &str) -> Result<Role> {
        match s.to_ascii_lowercase().as_str() {
            "analyst" => Ok(Role::Analyst),
            "finance" => Ok(Role::Finance),
            "hr" => Ok(Role::Hr),
            other => Err(Error::Usage(format!(
                "unknown role {other:?} (expected analyst, finance or hr)"
            ))),
        }
    }

    /// The role's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Finance => "finance",
            Role::Hr => "hr",
        }
    }
}

/// The kind of adapter a source needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// SAP S/4HANA OData V2 JSON (`{"d":{"results":[…]}}`).
    S4Hana,
    /// SAP R/3 flat export (semicolon-separated, German number and date formats).
    R3Export,
    /// Oracle NetSuite REST record JSON (`{"items":[…]}`).
    NetSuite,
    /// Microsoft Dynamics 365 OData V4 JSON (`{"@odata.context":…, "value":[…]}`).
    D365,
    /// The consolidated-reporting SQL database (SQLite file or PostgreSQL).
    Sql,
}

/// A source's credential: a user and a secret from the config, overridden by an
/// environment variable when it is set.
#[derive(Clone, Debug)]
pub struct Credential {
    /// The technical user.
    pub user: String,
    /// The secret, if any was found.
    pub secret: Option<Secret>,
    /// Where the secret came from (`config`, `env ERP_RAG_…`, or `missing`).
    pub origin: String,
}

/// One source system.
#[derive(Clone, Debug)]
pub struct SourceConfig {
    /// Short id used in citations (`r3-de`).
    pub id: String,
    /// Adapter kind.
    pub kind: Kind,
    /// Product name (`SAP R/3`).
    pub system: String,
    /// Division code (`US`, `DE`, `CN`, `MX`, or `CORP`).
    pub division: String,
    /// Data folder or file, relative to the data directory.
    pub path: PathBuf,
    /// Business domains the system covers (for routing explanations).
    pub domains: Vec<String>,
    /// Simulated network latency of a query.
    pub latency: Duration,
    /// Per-source timeout of the fan-out.
    pub timeout: Duration,
    /// How to log in.
    pub credential: Credential,
}

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The data directory everything is relative to.
    pub data_dir: PathBuf,
    /// The reporting date: balance-sheet figures are translated at its closing rate.
    pub reporting_date: Date,
    /// The sources, in config order.
    pub sources: Vec<SourceConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    reporting_date: String,
    sources: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    kind: String,
    system: String,
    division: String,
    path: String,
    #[serde(default)]
    domains: Vec<String>,
    latency_ms: u64,
    timeout_ms: u64,
    credential: RawCredential,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredential {
    user: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    secret_env: Option<String>,
}

/// The default data directory: this crate's `fixtures/`.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

impl Config {
    /// Read `sources.json` in `data_dir`; `env` looks up environment variables (pass
    /// `|k| std::env::var(k).ok()`; tests pass a map).
    pub fn load(data_dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        let path = data_dir.join("sources.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, &e))?;
        Config::parse(&text, data_dir, &path, env)
    }

    /// Parse a config text (`path` is only used in messages).
    pub fn parse(
        text: &str,
        data_dir: &Path,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config> {
        let bad = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let raw: RawConfig = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let reporting_date = Date::parse_iso(&raw.reporting_date).ok_or_else(|| {
            bad(format!(
                "reporting_date {:?} is not a date",
                raw.reporting_date
            ))
        })?;
        let mut sources: Vec<SourceConfig> = Vec::new();
        for (i, s) in raw.sources.into_iter().enumerate() {
            let at = format!("sources[{i}] (`{}`)", s.id);
            let id_ok = !s.id.is_empty()
                && s.id.len() <= 40
                && s.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !id_ok {
                return Err(bad(format!(
                    "sources[{i}]: id {:?} must be 1-40 characters of a-z, 0-9 and -",
                    s.id
                )));
            }
            if sources.iter().any(|o| o.id == s.id) {
                return Err(bad(format!("{at}: duplicate source id")));
            }
            let kind = match s.kind.as_str() {
                "s4hana" => Kind::S4Hana,
                "r3-export" => Kind::R3Export,
                "netsuite" => Kind::NetSuite,
                "d365" => Kind::D365,
                "sql" => Kind::Sql,
                other => {
                    return Err(bad(format!(
                        "{at}: unknown source kind {other:?} (expected s4hana, r3-export, \
                         netsuite, d365 or sql)"
                    )));
                }
            };
            let rel = PathBuf::from(&s.path);
            if rel.is_absolute()
                || rel
                    .components()
                    .any(|c| !matches!(c, std::path::Component::Normal(_)))
            {
                return Err(bad(format!(
                    "{at}: path {:?} must stay inside the data directory",
                    s.path
                )));
            }
            if s.timeout_ms == 0 {
                return Err(bad(format!("{at}: timeout_ms must be positive")));
            }
            let from_env = s
                .credential
                .secret_env
                .as_deref()
                .and_then(|k| env(k).filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)));
            let credential = match (from_env, s.credential.secret) {
                (Some((k, v)), _) => Credential {
                    user: s.credential.user,
                    secret: Some(Secret::new(v)),
                    origin: format!("env {k}"),
                },
                (None, Some(v)) => Credential {
                    user: s.credential.user,
                    secret: Some(Secret::new(v)),
                    origin: "config".into(),
                },
                (None, None) => Credential {
                    user: s.credential.user,
                    secret: None,
                    origin: "missing".into(),
                },
            };
            sources.push(SourceConfig {
                id: s.id,
                kind,
                system: s.system,
                division: s.division,
                path: rel,
                domains: s.domains,
                latency: Duration::from_millis(s.latency_ms),
                timeout: Duration::from_millis(s.timeout_ms),
                credential,
            });
        }
        if sources.is_empty() {
            return Err(bad("no sources".into()));
        }
        Ok(Config {
            data_dir: data_dir.to_path_buf(),
            reporting_date,
            sources,
        })
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Result<&SourceConfig> {
        self.sources.iter().find(|s| s.id == id).ok_or_else(|| {
            let known: Vec<&str> = self.sources.iter().map(|s| s.id.as_str()).collect();
            Error::Usage(format!(
                "unknown source {id:?} (configured: {})",
                known.join(", ")
            ))
        })
    }
}

/// Division code → name.
pub fn division_name(code: &str) -> &str {
    match code {
        "US" => "United States",
        "DE" => "Germany",
        "CN" => "China",
        "MX" => "Mexico",
        "CORP" => "Corporate",
        other => other,
    }
}
