//! Adapters: one per kind of system, each mapping native records to [`Record`].
//!
//! The four ERPs are read from files shaped like what their APIs or exports return;
//! the consolidated-reporting database is a real SQL database (SQLite file, or
//! PostgreSQL with the same queries). The adapters themselves are pure: they get the
//! text of an export from a [`Folder`] (on disk, or the fixtures compiled into the
//! library for the wasm32 build) and return records.

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
    /// The fixtures compiled into the library ([`crate::bundled`]): a folder of exports,
    /// or, for the SQL source, the SQL script, read into memory without a database.
    Bundled(String),
    /// An SQLite database file.
    #[cfg(not(target_arch = "wasm32"))]
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (printed only through [`sql::redact_url`]).
    #[cfg(not(target_arch = "wasm32"))]
    Postgres(String),
}

/// A folder of exported files an adapter reads from.
#[derive(Clone, Copy, Debug)]
pub enum Folder<'a> {
    /// A folder on disk.
    Disk(&'a Path),
    /// A folder of the bundled fixtures (`r3-de`).
    Bundled(&'a str),
}

impl Folder<'_> {
    /// The text of `file` in this folder, naming the source on failure.
    pub fn read(&self, source_id: &str, file: &str) -> Result<String> {
        match self {
            Folder::Disk(dir) => read_file(source_id, &dir.join(file)),
            Folder::Bundled(dir) => {
                let path = format!("{dir}/{file}");
                crate::bundled::file(&path)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        Error::record(
                            source_id,
                            file,
                            format!("cannot read {path}: not among the bundled fixtures"),
                        )
                    })
            }
        }
    }
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

    fn wanted(&self, entities: &[Entity]) -> Vec<Entity> {
        entities
            .iter()
            .copied()
            .filter(|e| self.entities().contains(e))
            .collect()
    }

    fn login(&self) -> Result<()> {
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
        Ok(())
    }

    /// Query the native system for `entities` (those it doesn't have are skipped) and
    /// map the answers to records, not yet normalised.
    #[cfg(not(target_arch = "wasm32"))]
    pub async fn fetch(&self, entities: &[Entity]) -> Result<Vec<Record>> {
        if let Backend::Postgres(url) = &self.backend {
            self.login()?;
            return sql::fetch_postgres(&self.config.id, url, &self.wanted(entities)).await;
        }
        self.read(entities)
    }

    /// [`Source::fetch`] for every backend that needs no network: files, the bundled
    /// fixtures and SQLite. A PostgreSQL source is an error here.
    pub fn read(&self, entities: &[Entity]) -> Result<Vec<Record>> {
        let wanted = self.wanted(entities);
        self.login()?;
        let id = &self.config.id;
        let folder = match &self.backend {
            Backend::Files(dir) => Folder::Disk(dir),
            Backend::Bundled(path) if self.config.kind == Kind::Sql => {
                let script = crate::bundled::file(path).ok_or_else(|| {
                    Error::record(id, path.as_str(), "not among the bundled fixtures")
                })?;
                return sql::fetch_script(id, path, script, &wanted);
            }
            Backend::Bundled(dir) => Folder::Bundled(dir),
            #[cfg(not(target_arch = "wasm32"))]
            Backend::Sqlite(path) => return sql::fetch_sqlite(id, path, &wanted),
            #[cfg(not(target_arch = "wasm32"))]
            Backend::Postgres(_) => {
                return Err(Error::Usage(format!(
                    "source `{id}` is on PostgreSQL: query it with `fetch`, on a runtime"
                )));
            }
        };
        let mut out = Vec::new();
        for e in wanted {
            out.extend(match self.config.kind {
                Kind::S4Hana => s4hana::read(id, folder, e)?,
                Kind::R3Export => r3::read(id, folder, e)?,
                Kind::NetSuite => netsuite::read(id, folder, e)?,
                Kind::D365 => d365::read(id, folder, e)?,
                Kind::Sql => {
                    return Err(Error::Usage(format!(
                        "source `{id}` is SQL but has no database"
                    )));
                }
            });
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
