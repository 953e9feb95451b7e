//! The consolidated-reporting database, through SQL: an SQLite file created from
//! `corp-db.sql`, or the same script and queries on PostgreSQL. Both backends hand
//! back rows of text, so one mapping serves both.
//!
//! Where there is no database (the wasm32 build of the page's Try it block),
//! [`fetch_script`] reads the script's `CREATE TABLE` and `INSERT` statements into memory
//! and answers the same [`SELECTS`] from there, through the same mapping.

mod script;

#[cfg(not(target_arch = "wasm32"))]
use std::path::Path;

use crate::dec::{Date, Dec};
use crate::error::{Error, Result};
use crate::record::{Entity, Money, Provenance, Record};

/// The PostgreSQL schema the fixture is loaded into (dropped and recreated).
pub const PG_SCHEMA: &str = "erp_rag";

/// `url` with any password replaced by `***` (URL or key=value form).
///
/// ```
/// use erp_rag::sources::sql::redact_url;
/// assert_eq!(redact_url("postgres://u:pw@h/db"), "postgres://u:***@h/db");
/// assert_eq!(redact_url("host=h password=pw user=u"), "host=h password=*** user=u");
/// ```
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@')
            && let Some((user, _)) = userinfo.split_once(':')
        {
            return format!("{scheme}://{user}:***@{host}");
        }
        return url.to_string();
    }
    url.split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(not(target_arch = "wasm32"))]
fn sql_err(id: &str, e: impl std::fmt::Display, url: Option<&str>) -> Error {
    let mut message = e.to_string();
    if let Some(u) = url {
        message = message.replace(u, &redact_url(u));
    }
    Error::Sql {
        source_id: id.to_string(),
        message,
    }
}

/// Create (or replace) the SQLite file `db` from the script `script`.
#[cfg(not(target_arch = "wasm32"))]
pub fn prepare_sqlite(id: &str, script: &Path, db: &Path) -> Result<()> {
    let sql = super::read_file(id, script)?;
    if db.exists() {
        std::fs::remove_file(db).map_err(|e| Error::io(db, &e))?;
    }
    let conn = rusqlite::Connection::open(db).map_err(|e| sql_err(id, e, None))?;
    conn.execute_batch(&sql).map_err(|e| sql_err(id, e, None))
}

#[cfg(not(target_arch = "wasm32"))]
async fn pg_connect(id: &str, url: &str) -> Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| {
            // The driver's message ("error connecting to server") names neither the
            // server nor the cause: add both (password redacted).
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            sql_err(
                id,
                format!("PostgreSQL at {}: {e}{cause}", redact_url(url)),
                None,
            )
        })?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// Load the script into schema [`PG_SCHEMA`] of the database at `url` (dropping it first).
#[cfg(not(target_arch = "wasm32"))]
pub async fn prepare_postgres(id: &str, script: &Path, url: &str) -> Result<()> {
    let sql = super::read_file(id, script)?;
    let client = pg_connect(id, url).await?;
    let setup = format!(
        "DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; CREATE SCHEMA {PG_SCHEMA}; \
         SET search_path TO {PG_SCHEMA};\n{sql}"
    );
    client
        .batch_execute(&setup)
        .await
        .map_err(|e| sql_err(id, e, Some(url)))
}

/// One query of the adapter: `SELECT columns FROM table ORDER BY order_by`.
#[derive(Clone, Copy, Debug)]
pub struct Select {
    /// The entity its rows become.
    pub entity: Entity,
    /// The table.
    pub table: &'static str,
    /// The columns, in the order [`Select`]'s mapping reads them.
    pub columns: &'static [&'static str],
    /// The sort key.
    pub order_by: &'static [&'static str],
}

impl Select {
    /// The query as SQL text (the same for SQLite and PostgreSQL).
    pub fn sql(&self) -> String {
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            self.columns.join(", "),
            self.table,
            self.order_by.join(", ")
        )
    }
}

/// The adapter's queries, one per entity the database holds.
pub const SELECTS: [Select; 4] = [
    Select {
        entity: Entity::InventorySnapshot,
        table: "inventory_snapshot",
        columns: &[
            "division",
            "period_end",
            "currency",
            "amount_local_cents",
            "fx_rate_micro",
            "amount_usd_cents",
        ],
        order_by: &["division", "period_end"],
    },
    Select {
        entity: Entity::Revenue,
        table: "revenue",
        columns: &["division", "quarter", "amount_usd_cents"],
        order_by: &["division", "quarter"],
    },
    Select {
        entity: Entity::Headcount,
        table: "headcount",
        columns: &["division", "period_end", "employees"],
        order_by: &["division", "period_end"],
    },
    Select {
        entity: Entity::ReportingNote,
        table: "reporting_note",
        columns: &["id", "updated", "body"],
        order_by: &["id"],
    },
];

type Rows = Vec<Vec<Option<String>>>;

/// Query the SQLite file.
#[cfg(not(target_arch = "wasm32"))]
pub fn fetch_sqlite(id: &str, db: &Path, entities: &[Entity]) -> Result<Vec<Record>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| sql_err(id, e, None))?;
    let mut out = Vec::new();
    for q in SELECTS.iter().filter(|q| entities.contains(&q.entity)) {
        let mut stmt = conn.prepare(&q.sql()).map_err(|e| sql_err(id, e, None))?;
        let n = stmt.column_count();
        let rows: Rows = stmt
            .query_map([], |row| {
                (0..n)
                    .map(|i| {
                        Ok(match row.get::<_, rusqlite::types::Value>(i)? {
                            rusqlite::types::Value::Null => None,
                            rusqlite::types::Value::Integer(v) => Some(v.to_string()),
                            rusqlite::types::Value::Real(v) => Some(v.to_string()),
                            rusqlite::types::Value::Text(t) => Some(t),
                            rusqlite::types::Value::Blob(_) => Some("<blob>".into()),
                        })
                    })
                    .collect()
            })
            .and_then(|it| it.collect())
            .map_err(|e| sql_err(id, e, None))?;
        out.extend(map_rows(id, q.entity, rows)?);
    }
    Ok(out)
}

/// Query PostgreSQL (same SQL, schema [`PG_SCHEMA`]).
#[cfg(not(target_arch = "wasm32"))]
pub async fn fetch_postgres(id: &str, url: &str, entities: &[Entity]) -> Result<Vec<Record>> {
    let client = pg_connect(id, url).await?;
    client
        .batch_execute(&format!("SET search_path TO {PG_SCHEMA}"))
        .await
        .map_err(|e| sql_err(id, e, Some(url)))?;
    let mut out = Vec::new();
    for q in SELECTS.iter().filter(|q| entities.contains(&q.entity)) {
        let msgs = client
            .simple_query(&q.sql())
            .await
            .map_err(|e| sql_err(id, e, Some(url)))?;
        let rows: Rows = msgs
            .iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect();
        out.extend(map_rows(id, q.entity, rows)?);
    }
    Ok(out)
}

/// Answer the [`SELECTS`] for `entities` from the SQL `script` itself (named `file` in
/// messages), read into memory: no database, same rows as SQLite gives, same mapping.
pub fn fetch_script(
    id: &str,
    file: &str,
    script: &str,
    entities: &[Entity],
) -> Result<Vec<Record>> {
    let db = script::Tables::load(script).map_err(|e| Error::Sql {
        source_id: id.to_string(),
        message: format!("{file} {e}"),
    })?;
    let mut out = Vec::new();
    for q in SELECTS.iter().filter(|q| entities.contains(&q.entity)) {
        let rows = db.select(q).map_err(|e| Error::Sql {
            source_id: id.to_string(),
            message: format!("{file}: {e}"),
        })?;
        out.extend(map_rows(id, q.entity, rows)?);
    }
    Ok(out)
}

fn map_rows(id: &str, entity: Entity, rows: Rows) -> Result<Vec<Record>> {
    let table = match entity {
        Entity::InventorySnapshot => "inventory_snapshot",
        Entity::Revenue => "revenue",
        Entity::Headcount => "headcount",
        _ => "reporting_note",
    };
    let mut out = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        let at = format!("table {table} row {}", i + 1);
        let col = |c: usize| -> Result<String> {
            row.get(c)
                .cloned()
                .flatten()
                .ok_or_else(|| Error::record(id, &at, format!("column {} is NULL", c + 1)))
        };
        let int = |c: usize| -> Result<i64> {
            let s = col(c)?;
            s.parse().map_err(|_| {
                Error::record(
                    id,
                    &at,
                    format!("column {}: {s:?} is not an integer", c + 1),
                )
            })
        };
        let date = |c: usize| -> Result<Date> {
            let s = col(c)?;
            Date::parse_iso(&s).ok_or_else(|| {
                Error::record(id, &at, format!("column {}: {s:?} is not a date", c + 1))
            })
        };
        let rec = match entity {
            Entity::InventorySnapshot => {
                let (div, period) = (col(0)?, date(1)?);
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: table.into(),
                        key: format!("{div}/{period}"),
                        as_of: period,
                    },
                    &div,
                    entity,
                    &format!("consolidated inventory of division {div} at month end {period}"),
                );
                r.amount = Some(Money {
                    amount: Dec::from_scaled(int(5)?, 2),
                    currency: "USD".into(),
                });
                r.attrs.insert(
                    "local amount".into(),
                    format!("{} {}", Dec::from_scaled(int(3)?, 2).to_plain(2), col(2)?),
                );
                r.attrs.insert(
                    "finance rate".into(),
                    Dec::from_scaled(int(4)?, 6).to_trimmed(),
                );
                r
            }
            Entity::Revenue => {
                let (div, quarter) = (col(0)?, col(1)?);
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: table.into(),
                        key: format!("{div}/{quarter}"),
                        as_of: quarter_end(&quarter).ok_or_else(|| {
                            Error::record(id, &at, format!("column 2: {quarter:?} is not YYYY-Qn"))
                        })?,
                    },
                    &div,
                    entity,
                    &format!("revenue of division {div} in {quarter}"),
                );
                r.attrs.insert("quarter".into(), quarter);
                r.amount = Some(Money {
                    amount: Dec::from_scaled(int(2)?, 2),
                    currency: "USD".into(),
                });
                r
            }
            Entity::Headcount => {
                let (div, period) = (col(0)?, date(1)?);
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: table.into(),
                        key: format!("{div}/{period}"),
                        as_of: period,
                    },
                    &div,
                    entity,
                    &format!("headcount of division {div} at {period}"),
                );
                r.count = Some(int(2)?);
                r
            }
            _ => Record::new(
                Provenance {
                    source: id.into(),
                    table: table.into(),
                    key: col(0)?,
                    as_of: date(1)?,
                },
                "CORP",
                entity,
                &col(2)?,
            ),
        };
        out.push(rec);
    }
    Ok(out)
}

/// `2024-Q3` → 2024-09-30.
pub fn quarter_end(q: &str) -> Option<Date> {
    let (y, n) = q.split_once("-Q")?;
    let y: i32 = y.parse().ok()?;
    match n {
        "1" => Date::new(y, 3, 31),
        "2" => Date::new(y, 6, 30),
        "3" => Date::new(y, 9, 30),
        "4" => Date::new(y, 12, 31),
        _ => None,
    }
}
