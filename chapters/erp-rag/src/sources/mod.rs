//! Adapters: one per kind of system, each mapping native records to [`Record`].
//!
//! The four ERPs are read from files shaped like what their APIs or exports return;
//! the consolidated-reporting database is a real SQL database (SQLite file, or
//! PostgreSQL with the same queries).

mod d365;
mod netsuite;
mod r3;
mod s4hana;
pub mod sql;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{Kind, SourceConfig};
use crate::error::{Error, Result};
use crate::record::{Entity, Record};

/// Where a source's data lives.
#[derive(Clone, Debug)]
pub enum Backend {
    /// Exported files in a folder.
    Files(PathBuf),
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (printed only through [`sql::redact_url`]).
    Postgres(String),
}

/// A fault injected for demonstrations and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The system refuses connections.
    Down,
    /// The system answers, but after this long instead of its configured latency.
    Slow(Duration),
}

/// A configured source, ready to query.
#[derive(Clone, Debug)]
pub struct Source {
    /// Its configuration (with credential).
    pub config: SourceConfig,
    /// Where its data is.
    pub backend: Backend,
    /// An injected fault, if any.
    pub fault: Option<Fault>,
}

impl Source {
    /// The entities this kind of system can answer about.
    pub fn entities(&self) -> &'static [Entity] {
        match self.config.kind {
            Kind::S4Hana => &[Entity::Stock],
            Kind::R3Export => &[
                Entity::Stock,
                Entity::ProductionOrder,
                Entity::QualityNotification,
            ],
            Kind::NetSuite => &[Entity::Stock, Entity::PurchaseOrder],
            Kind::D365 => &[Entity::Stock, Entity::Employee],
            Kind::Sql => &[
                Entity::InventorySnapshot,
                Entity::Revenue,
                Entity::Headcount,
                Entity::ReportingNote,
            ],
        }
    }

    /// The latency a query takes (configured, or the injected slowness).
    pub fn latency(&self) -> Duration {
        match self.fault {
            Some(Fault::Slow(d)) => d,
            _ => self.config.latency,
        }
    }

    /// Query the native system for `entities` (those it doesn't have are skipped) and
    /// map the answers to records, not yet normalised.
    pub async fn fetch(&self, entities: &[Entity]) -> Result<Vec<Record>> {
        let wanted: Vec<Entity> = entities
            .iter()
            .copied()
            .filter(|e| self.entities().contains(e))
            .collect();
        if self.config.credential.secret.is_none() {
            return Err(Error::record(
                &self.config.id,
                "login",
                format!(
                    "no credential for user {:?} (set it in sources.json or the \
                     environment)",
                    self.config.credential.user
                ),
            ));
        }
        let id = &self.config.id;
        let mut out = Vec::new();
        match (&self.backend, self.config.kind) {
            (Backend::Files(dir), kind) => {
                for e in wanted {
                    out.extend(match kind {
                        Kind::S4Hana => s4hana::read(id, dir, e)?,
                        Kind::R3Export => r3::read(id, dir, e)?,
                        Kind::NetSuite => netsuite::read(id, dir, e)?,
                        Kind::D365 => d365::read(id, dir, e)?,
                        Kind::Sql => {
                            return Err(Error::Usage(format!(
                                "source `{id}` is SQL but has no database"
                            )));
                        }
                    });
                }
            }
            (Backend::Sqlite(path), _) => out = sql::fetch_sqlite(id, path, &wanted)?,
            (Backend::Postgres(url), _) => out = sql::fetch_postgres(id, url, &wanted).await?,
        }
        Ok(out)
    }
}

/// Read a file of a source, naming the source on failure.
pub(crate) fn read_file(source_id: &str, path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::record(
            source_id,
            path.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// A JSON value as an exact decimal: numbers and numeric strings are accepted.
pub(crate) fn json_dec(v: &serde_json::Value) -> Option<crate::dec::Dec> {
    match v {
        serde_json::Value::Number(n) => crate::dec::Dec::parse_plain(&n.to_string()),
        serde_json::Value::String(s) => crate::dec::Dec::parse_plain(s),
        _ => None,
    }
}

/// A required string field of a JSON record.
pub(crate) fn json_str<'a>(
    source_id: &str,
    at: &str,
    rec: &'a serde_json::Value,
    field: &str,
) -> Result<&'a str> {
    rec.get(field)
        .and_then(|v| v.as_str())
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            Error::record(
                source_id,
                at,
                format!("field `{field}`: missing or not a string"),
            )
        })
}

/// A required ISO date field (`2024-10-31`) of a JSON record.
pub(crate) fn json_date(
    source_id: &str,
    at: &str,
    rec: &serde_json::Value,
    field: &str,
) -> Result<crate::dec::Date> {
    let s = json_str(source_id, at, rec, field)?;
    crate::dec::Date::parse_iso(s).ok_or_else(|| {
        Error::record(
            source_id,
            at,
            format!("field `{field}`: {s:?} is not an ISO date"),
        )
    })
}

/// A required decimal field of a JSON record.
pub(crate) fn json_num(
    source_id: &str,
    at: &str,
    rec: &serde_json::Value,
    field: &str,
) -> Result<crate::dec::Dec> {
    let v = rec
        .get(field)
        .ok_or_else(|| Error::record(source_id, at, format!("field `{field}`: missing")))?;
    json_dec(v).ok_or_else(|| {
        Error::record(
            source_id,
            at,
            format!("field `{field}`: {v} is not a decimal number"),
        )
    })
}

/// `{"refName": …}` sub-objects (NetSuite references).
pub(crate) fn json_ref<'a>(
    source_id: &str,
    at: &str,
    rec: &'a serde_json::Value,
    field: &str,
) -> Result<&'a str> {
    rec.get(field)
        .and_then(|v| v.get("refName"))
        .and_then(|v| v.as_str())
        .ok_or_else(|| Error::record(source_id, at, format!("field `{field}.refName`: missing")))
}
