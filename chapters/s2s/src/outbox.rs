//! The transactional outbox: the order and its conversion event commit together.
//!
//! Sending the event to the ad platform inside the order's request handler loses it
//! when the process dies after the commit and before the send, and counts an order that
//! never committed when it dies the other way round. Instead the handler writes the
//! event into an `outbox` table **in the same SQLite transaction** as the order
//! ([`Outbox::enqueue_in_tx`]); a separate relay ships pending rows and marks them
//! delivered only after the collector answered 2xx. Either both rows exist or neither.
//!
//! Durability: WAL journal with `synchronous=FULL`. In WAL mode `NORMAL` survives an
//! application crash but may roll back the last commits on power loss; the shop has
//! already told the customer "order confirmed" by then, so the order and its event
//! are fsynced at every commit. Both modes keep the pair atomic.

use std::path::{Path, PathBuf};

use kit::cli::Existing;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::error::{Result, S2sError};
use crate::event::{CustomData, ServerEvent};
use crate::hashing::CustomerInfo;

/// The outbox (and the shop's orders), in one SQLite file.
#[derive(Debug)]
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

/// An order as the shop receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Who bought (raw; stays in the shop's database, hashed in the event).
    pub customer: CustomerInfo,
    /// Value in cents.
    pub value_cents: i64,
    /// ISO 4217 currency.
    pub currency: String,
}

/// The largest order value accepted, in cents: one billion in the currency's main unit.
/// Larger values are typos or attacks, and past 2^53 cents the event's `value` (an
/// `f64`) would no longer be exact.
pub const MAX_VALUE_CENTS: i64 = 100_000_000_000;

/// True for a 3-letter ISO 4217 code in capitals (`USD`).
pub fn is_currency_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

impl Order {
    /// The shop's own checks, before anything is written: a value in
    /// `0..=`[`MAX_VALUE_CENTS`] and a currency code. (The customer is checked when it is
    /// normalised.)
    pub fn check(&self) -> Result<()> {
        if !(0..=MAX_VALUE_CENTS).contains(&self.value_cents) {
            return Err(S2sError::InvalidOrder {
                field: "value_cents",
                reason: format!(
                    "{} is outside 0..={MAX_VALUE_CENTS} (cents)",
                    self.value_cents
                ),
            });
        }
        if !is_currency_code(&self.currency) {
            return Err(S2sError::InvalidOrder {
                field: "currency",
                reason: format!(
                    "`{}` is not a 3-letter ISO 4217 code such as USD",
                    self.currency.escape_debug()
                ),
            });
        }
        Ok(())
    }
}

/// What placing an order returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    /// The shop's order id.
    pub order_id: i64,
    /// The conversion event's id (the outbox id), which the confirmation page
    /// also hands to the browser pixel so the platform can deduplicate the two.
    pub event_id: String,
}

/// One pending row, ready to ship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Insertion order.
    pub seq: i64,
    /// The event id (the outbox's key).
    pub event_id: String,
    /// The event as JSON, exactly as it will be sent.
    pub payload: String,
}

/// How many events are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Not yet acknowledged by the collector.
    pub pending: u64,
    /// Acknowledged with a 2xx.
    pub delivered: u64,
    /// Refused by the collector on their own (poison): kept, with the reason.
    pub dead: u64,
}

/// The event id of an order: the outbox id, stable across every retry.
pub fn event_id_for(order_id: i64) -> String {
    format!("order-{order_id}")
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS orders (
    id           INTEGER PRIMARY KEY,
    customer     TEXT    NOT NULL,
    value_cents  INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    placed_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT    NOT NULL UNIQUE,
    event_name   TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, seq);
";

impl Outbox {
    /// Open the outbox at `path`, creating the file and tables if needed (the shop's side).
    ///
    /// A file this chapter did not create (another program's SQLite database, an empty
    /// file, notes, a folder) is refused before it is opened, so it stays byte for byte
    /// as it was ([`check_ours`]); a new file gets [`crate::APPLICATION_ID`].
    pub fn create(path: &Path) -> Result<Self> {
        let existing = check_ours(path, crate::APPLICATION_ID)?;
        let conn = Connection::open(path).map_err(|e| err(path, e))?;
        if existing == Existing::Absent {
            // Before WAL: in rollback mode the header (and so the id) reaches the main
            // file at once, where the next program's `check_ours` reads it.
            conn.pragma_update(None, "application_id", crate::APPLICATION_ID)
                .map_err(|e| err(path, e))?;
        }
        Self::init(conn, path, true)
    }

    /// Open an existing outbox (the relay's side): a missing file, a file this chapter
    /// did not create, or a database without the outbox table is an error, never a new
    /// empty queue, and a refused file is left as it was.
    pub fn open_existing(path: &Path) -> Result<Self> {
        if check_ours(path, crate::APPLICATION_ID)? == Existing::Absent {
            return Err(S2sError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no outbox database here",
                ),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| err(path, e))?;
        Self::init(conn, path, false)
    }

    fn init(conn: Connection, path: &Path, create: bool) -> Result<Self> {
        let e = |x| err(path, x);
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(e)?;
        // Reading the journal mode is the first real read of the file: a corrupt or
        // foreign file fails here ("file is not a database").
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(e)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(S2sError::NotAnOutbox {
                path: path.to_path_buf(),
                why: format!("journal_mode is {mode}, not wal"),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(e)?;
        if create {
            conn.execute_batch(SCHEMA).map_err(e)?;
        } else {
            let tables: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('outbox', 'orders')",
                    [],
                    |r| r.get(0),
                )
                .map_err(e)?;
            if tables != 2 {
                return Err(S2sError::NotAnOutbox {
                    path: path.to_path_buf(),
                    why: "no `outbox`/`orders` tables: not an outbox database".into(),
                });
            }
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Insert `event` into the outbox inside the caller's transaction `tx`: it commits
    /// or rolls back together with whatever else `tx` wrote (the order).
    pub fn enqueue_in_tx(tx: &Transaction<'_>, event: &ServerEvent) -> rusqlite::Result<i64> {
        let payload = serde_json::to_string(event)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.execute(
            "INSERT INTO outbox (event_id, event_name, payload, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![event.event_id, event.event_name, payload, event.event_time],
        )?;
        Ok(tx.last_insert_rowid())
    }

    /// Place an order: the order row and its `Purchase` event in one transaction.
    /// `now` is the event time (Unix seconds). The customer data is hashed before the
    /// event is written, so the outbox holds no raw identifiers.
    pub fn place_order(&mut self, order: &Order, now: i64) -> Result<PlacedOrder> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|x| err(&path, x))?;
        let placed = insert_order_in_tx(&tx, &path, order, now, Some(CHECKOUT_URL))?;
        tx.commit().map_err(|x| err(&path, x))?;
        Ok(placed)
    }

    /// Enqueue a ready-made event on its own (backfills, tests of poison events).
    pub fn enqueue(&mut self, event: &ServerEvent) -> Result<i64> {
        self.enqueue_from(event, "event")
    }

    /// [`Outbox::enqueue`] for an event read from `origin` (a file name): an `event_id`
    /// already in the outbox is an error naming both, and nothing is added.
    pub fn enqueue_from(&mut self, event: &ServerEvent, origin: &str) -> Result<i64> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|x| err(&path, x))?;
        let known = tx
            .query_row(
                "SELECT 1 FROM outbox WHERE event_id = ?1",
                [&event.event_id],
                |_| Ok(()),
            )
            .optional()
            .map_err(|x| err(&path, x))?;
        if known.is_some() {
            return Err(S2sError::DuplicateEvent {
                origin: origin.into(),
                event_id: event.event_id.clone(),
                path,
            });
        }
        let seq = Self::enqueue_in_tx(&tx, event).map_err(|x| err(&path, x))?;
        tx.commit().map_err(|x| err(&path, x))?;
        Ok(seq)
    }

    /// Place many orders in one transaction (a bulk import; the throughput program
    /// uses it to fill the outbox quickly). Their events carry no source URL.
    pub fn place_orders_bulk(&mut self, orders: &[Order], now: i64) -> Result<Vec<PlacedOrder>> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|x| err(&path, x))?;
        let placed = orders
            .iter()
            .map(|order| insert_order_in_tx(&tx, &path, order, now, None))
            .collect::<Result<Vec<_>>>()?;
        tx.commit().map_err(|x| err(&path, x))?;
        Ok(placed)
    }

    /// Up to `limit` pending rows, oldest first.
    pub fn pending(&self, limit: usize) -> Result<Vec<OutboxRow>> {
        let e = |x| err(&self.path, x);
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT seq, event_id, payload FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?1",
            )
            .map_err(e)?;
        let rows = st
            .query_map([limit as i64], |r| {
                Ok(OutboxRow {
                    seq: r.get(0)?,
                    event_id: r.get(1)?,
                    payload: r.get(2)?,
                })
            })
            .map_err(e)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(e)
    }

    /// Mark `event_ids` delivered at `now` (one transaction: all or none).
    pub fn mark_delivered(&mut self, event_ids: &[String], now: i64) -> Result<()> {
        let path = self.path.clone();
        let e = |x| err(&path, x);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut st = tx
                .prepare_cached(
                    "UPDATE outbox SET status = 'delivered', delivered_at = ?2, attempts = attempts + 1 \
                     WHERE event_id = ?1 AND status = 'pending'",
                )
                .map_err(e)?;
            for id in event_ids {
                st.execute(params![id, now]).map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Count a failed attempt on `event_ids`, with the reason.
    pub fn record_failure(&mut self, event_ids: &[String], reason: &str) -> Result<()> {
        let path = self.path.clone();
        let e = |x| err(&path, x);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut st = tx
                .prepare_cached(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE event_id = ?1",
                )
                .map_err(e)?;
            for id in event_ids {
                st.execute(params![id, reason]).map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Park a poison event: the collector refuses it on its own, so retrying is useless.
    /// It stays in the table, with the reason, for a human to look at.
    pub fn mark_dead(&mut self, event_id: &str, reason: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE outbox SET status = 'dead', last_error = ?2, attempts = attempts + 1 \
                 WHERE event_id = ?1",
                params![event_id, reason],
            )
            .map(|_| ())
            .map_err(|x| err(&self.path, x))
    }

    /// Events per state.
    pub fn counts(&self) -> Result<OutboxCounts> {
        let e = |x| err(&self.path, x);
        let mut st = self
            .conn
            .prepare("SELECT status, count(*) FROM outbox GROUP BY status")
            .map_err(e)?;
        let mut c = OutboxCounts::default();
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(e)?;
        for row in rows {
            let (status, n) = row.map_err(e)?;
            let n = n as u64;
            match status.as_str() {
                "pending" => c.pending = n,
                "delivered" => c.delivered = n,
                _ => c.dead = n,
            }
        }
        Ok(c)
    }

    /// Orders placed.
    pub fn order_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT count(*) FROM orders", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|x| err(&self.path, x))
    }

    /// The dead letters: (event_id, reason).
    pub fn dead_letters(&self) -> Result<Vec<(String, String)>> {
        let e = |x| err(&self.path, x);
        let mut st = self
            .conn
            .prepare("SELECT event_id, coalesce(last_error, '') FROM outbox WHERE status = 'dead' ORDER BY seq")
            .map_err(e)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(e)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(e)
    }

    /// The status of one event, if it exists.
    pub fn status_of(&self, event_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT status FROM outbox WHERE event_id = ?1",
                [event_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|x| err(&self.path, x))
    }

    /// Direct access for tests that must plant a row the shop would never write
    /// (a corrupt payload).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Whether `path` may be opened for writing as a database with `application_id`: absent
/// (the program creates it) or one this chapter made. Anything else — another program's
/// database, an empty file, a folder, an empty path — is an error naming the path, and
/// nothing has touched the file. Shared by the outbox and the collector's ledger.
pub fn check_ours(path: &Path, application_id: u32) -> Result<Existing> {
    if path.as_os_str().is_empty() {
        return Err(S2sError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "an empty path names no database file",
            ),
        });
    }
    Ok(kit::cli::sqlite_ours(path, application_id)?)
}

fn err(path: &Path, source: rusqlite::Error) -> S2sError {
    S2sError::Outbox {
        path: path.to_path_buf(),
        source,
    }
}

/// The page the shop's checkout ends on: the `event_source_url` of its events.
const CHECKOUT_URL: &str = "https://shoesrus.example/checkout/done";

/// Write the order row and its `Purchase` event inside `tx` (the caller commits): the
/// outbox id and the event_id both come from the order's row id.
fn insert_order_in_tx(
    tx: &Transaction<'_>,
    path: &Path,
    order: &Order,
    now: i64,
    source_url: Option<&str>,
) -> Result<PlacedOrder> {
    let e = |x| err(path, x);
    order.check()?;
    let user_data = order.customer.to_user_data()?;
    if user_data.parameter_count() == 0 {
        return Err(S2sError::InvalidOrder {
            field: "customer",
            reason: "has no customer information at all; the ad platform would refuse its event"
                .into(),
        });
    }
    let customer = serde_json::to_string(&order.customer)
        .map_err(|x| e(rusqlite::Error::ToSqlConversionFailure(Box::new(x))))?;
    tx.execute(
        "INSERT INTO orders (customer, value_cents, currency, placed_at) VALUES (?1, ?2, ?3, ?4)",
        params![customer, order.value_cents, order.currency, now],
    )
    .map_err(e)?;
    let order_id = tx.last_insert_rowid();
    let event = ServerEvent {
        event_name: "Purchase".into(),
        event_time: now,
        event_id: event_id_for(order_id),
        action_source: "website".into(),
        event_source_url: source_url.map(str::to_string),
        user_data,
        custom_data: Some(CustomData {
            value: order.value_cents as f64 / 100.0,
            currency: order.currency.clone(),
            order_id: format!("{order_id}"),
        }),
    };
    Outbox::enqueue_in_tx(tx, &event).map_err(e)?;
    Ok(PlacedOrder {
        order_id,
        event_id: event.event_id,
    })
}
