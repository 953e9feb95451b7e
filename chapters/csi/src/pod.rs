//! The "MySQL pod": a process that keeps shop orders in an SQLite database on
//! the volume it was given. SQLite stands in for MySQL: both write through to
//! files in their data directory and make a transaction durable at COMMIT, so
//! what matters for storage is the same — the files must outlive the process.

use kit::rng::{Rng, seeded};
use rusqlite::{Connection, params};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One order row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Order number.
    pub id: i64,
    /// Who bought.
    pub customer: String,
    /// What.
    pub item: String,
    /// How many.
    pub qty: i64,
    /// Total in cents.
    pub total_cents: i64,
}

const CUSTOMERS: [&str; 6] = ["ada", "grace", "linus", "barbara", "ken", "margaret"];
const ITEMS: [(&str, i64); 5] = [
    ("mug", 1200),
    ("t-shirt", 2200),
    ("sticker pack", 500),
    ("hoodie", 4900),
    ("notebook", 900),
];

/// `n` orders numbered from 1001, drawn from a generator seeded with `seed`.
pub fn orders(seed: u64, n: usize) -> Vec<Order> {
    let mut rng = seeded(seed);
    (0..n)
        .map(|i| {
            let (item, price) = ITEMS[rng.random_range(0..ITEMS.len())];
            let qty = rng.random_range(1..=3);
            Order {
                id: 1001 + i as i64,
                customer: CUSTOMERS[rng.random_range(0..CUSTOMERS.len())].to_string(),
                item: item.to_string(),
                qty,
                total_cents: qty * price,
            }
        })
        .collect()
}

/// The database file inside a mounted volume.
pub fn db_path(volume: &Path) -> PathBuf {
    volume.join("mysql").join("orders.db")
}

fn open(volume: &Path) -> rusqlite::Result<Connection> {
    let path = db_path(volume);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    }
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS orders (
           id INTEGER PRIMARY KEY, customer TEXT NOT NULL, item TEXT NOT NULL,
           qty INTEGER NOT NULL, total_cents INTEGER NOT NULL)",
    )?;
    Ok(conn)
}

/// Commit each of `committed` in its own transaction, then open one more
/// transaction with `in_flight` and leave it open. Reports each step on `out`
/// and ends with `READY`; the caller then kills the process. Returns the open
/// connection (holding the uncommitted transaction).
pub fn write_orders(
    volume: &Path,
    committed: &[Order],
    in_flight: Option<&Order>,
    out: &mut impl Write,
) -> Result<Connection, Box<dyn std::error::Error>> {
    let mut conn = open(volume)?;
    let insert =
        "INSERT INTO orders (id, customer, item, qty, total_cents) VALUES (?1, ?2, ?3, ?4, ?5)";
    for o in committed {
        let tx = conn.transaction()?;
        tx.execute(
            insert,
            params![o.id, o.customer, o.item, o.qty, o.total_cents],
        )?;
        tx.commit()?;
        writeln!(out, "COMMIT {}", o.id)?;
    }
    if let Some(o) = in_flight {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        conn.execute(
            insert,
            params![o.id, o.customer, o.item, o.qty, o.total_cents],
        )?;
        writeln!(out, "OPEN {}", o.id)?;
    }
    writeln!(out, "READY")?;
    out.flush()?;
    Ok(conn)
}

/// Every order in the volume's database, by id.
pub fn read_orders(volume: &Path) -> rusqlite::Result<Vec<Order>> {
    let conn = open(volume)?;
    let mut stmt =
        conn.prepare("SELECT id, customer, item, qty, total_cents FROM orders ORDER BY id")?;
    stmt.query_map([], |r| {
        Ok(Order {
            id: r.get(0)?,
            customer: r.get(1)?,
            item: r.get(2)?,
            qty: r.get(3)?,
            total_cents: r.get(4)?,
        })
    })?
    .collect()
}

/// One order as a tab-separated line (how the reader pod reports rows).
pub fn to_line(o: &Order) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}",
        o.id, o.customer, o.item, o.qty, o.total_cents
    )
}

/// Parse [`to_line`]'s output.
pub fn from_line(line: &str) -> Option<Order> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() != 5 {
        return None;
    }
    Some(Order {
        id: f[0].parse().ok()?,
        customer: f[1].to_string(),
        item: f[2].to_string(),
        qty: f[3].parse().ok()?,
        total_cents: f[4].parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_and_an_open_transaction_is_lost_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let all = orders(7, 3);
        let mut sink = Vec::new();
        let conn = write_orders(dir.path(), &all[..2], Some(&all[2]), &mut sink).expect("write");
        drop(conn); // like the process dying: the open transaction never commits
        assert_eq!(read_orders(dir.path()).expect("read"), all[..2].to_vec());
        assert_eq!(from_line(&to_line(&all[0])), Some(all[0].clone()));
        assert_eq!(orders(7, 3), all, "seeded");
    }
}
