//! The plugin's state on disk: an SQLite database in the data root.
//!
//! Volumes, registered nodes, controller attachments, node stagings and node
//! publications all live here, so a restarted plugin knows what it had done,
//! and several node plugins can share one data root (like nodes sharing a
//! storage array) without trampling on each other: every change is one
//! transaction, and SQLite's locking orders them.

use crate::error::PluginError;
use crate::lifecycle::VolumeState;
pub use crate::lifecycle::{Publication, VolumeRecord};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The state database.
pub struct Store {
    conn: Mutex<Connection>,
    volumes_dir: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS volumes (
  id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, capacity INTEGER NOT NULL,
  caps TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (node_id TEXT PRIMARY KEY, max_volumes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attachments (
  volume_id TEXT NOT NULL, node_id TEXT NOT NULL, readonly INTEGER NOT NULL, mode INTEGER NOT NULL,
  PRIMARY KEY (volume_id, node_id));
CREATE TABLE IF NOT EXISTS stages (
  volume_id TEXT NOT NULL, node_id TEXT NOT NULL, path TEXT NOT NULL,
  PRIMARY KEY (volume_id, node_id));
CREATE TABLE IF NOT EXISTS publications (
  volume_id TEXT NOT NULL, node_id TEXT NOT NULL, target TEXT NOT NULL, staging TEXT NOT NULL,
  readonly INTEGER NOT NULL, mode INTEGER NOT NULL, PRIMARY KEY (node_id, target));
";

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn row_to_volume(r: &rusqlite::Row<'_>) -> rusqlite::Result<VolumeRecord> {
    let caps: String = r.get(3)?;
    let params: String = r.get(4)?;
    Ok(VolumeRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        capacity_bytes: r.get(2)?,
        capabilities: serde_json::from_str(&caps).unwrap_or_default(),
        parameters: serde_json::from_str(&params).unwrap_or_default(),
    })
}

fn row_to_publication(r: &rusqlite::Row<'_>) -> rusqlite::Result<Publication> {
    Ok(Publication {
        volume_id: r.get(0)?,
        node_id: r.get(1)?,
        target: r.get(2)?,
        staging: r.get(3)?,
        readonly: r.get::<_, i64>(4)? != 0,
        mode: r.get(5)?,
    })
}

const VOLUME_COLS: &str = "id, name, capacity, caps, params";
const PUB_COLS: &str = "volume_id, node_id, target, staging, readonly, mode";

impl Store {
    /// Open (or create) the state in `data_root`: `state.sqlite` and `volumes/`.
    pub fn open(data_root: &Path) -> Result<Self, PluginError> {
        let volumes_dir = data_root.join("volumes");
        std::fs::create_dir_all(&volumes_dir).map_err(|e| {
            PluginError::Internal(format!("creating {}: {e}", volumes_dir.display()))
        })?;
        let conn = Connection::open(data_root.join("state.sqlite"))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            conn: Mutex::new(conn),
            volumes_dir,
        })
    }

    /// Run `f` in one IMMEDIATE transaction (a write lock from the start, so two
    /// plugins sharing the data root can't interleave a read and a write).
    pub fn tx<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, PluginError>,
    ) -> Result<T, PluginError> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| PluginError::Internal("state lock poisoned".into()))?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The directory that holds volume `id`'s data.
    pub fn volume_dir(&self, id: &str) -> PathBuf {
        self.volumes_dir.join(id)
    }

    /// Record that a node plugin with this id exists (at start-up).
    pub fn register_node(&self, node_id: &str, max_volumes: i64) -> Result<(), PluginError> {
        self.tx(|t| {
            t.execute(
                "INSERT INTO nodes (node_id, max_volumes) VALUES (?1, ?2)
                 ON CONFLICT(node_id) DO UPDATE SET max_volumes = excluded.max_volumes",
                params![node_id, max_volumes],
            )?;
            Ok(())
        })
    }
}

/// The lifecycle's view of one [`Store::tx`] transaction.
pub struct SqliteState<'a, 'c>(pub &'a rusqlite::Transaction<'c>);

impl VolumeState for SqliteState<'_, '_> {
    fn node_max_volumes(&self, node: &str) -> Result<Option<i64>, PluginError> {
        q::node_max_volumes(self.0, node)
    }
    fn volume(&self, id: &str) -> Result<Option<VolumeRecord>, PluginError> {
        q::volume(self.0, id)
    }
    fn volume_by_name(&self, name: &str) -> Result<Option<VolumeRecord>, PluginError> {
        q::volume_by_name(self.0, name)
    }
    fn allocated(&self) -> Result<i64, PluginError> {
        q::allocated(self.0)
    }
    fn insert_volume(
        &mut self,
        name: &str,
        capacity: i64,
        caps: &[(String, i32)],
        params: &BTreeMap<String, String>,
    ) -> Result<VolumeRecord, PluginError> {
        q::insert_volume(self.0, name, capacity, caps, params)
    }
    fn delete_volume(&mut self, id: &str) -> Result<(), PluginError> {
        q::delete_volume(self.0, id)
    }
    fn list_volumes(
        &self,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<VolumeRecord>, bool), PluginError> {
        q::list_volumes(self.0, after, limit)
    }
    fn attachments(&self, volume: &str) -> Result<Vec<(String, bool, i32)>, PluginError> {
        q::attachments(self.0, volume)
    }
    fn attached_count(&self, node: &str) -> Result<i64, PluginError> {
        q::attached_count(self.0, node)
    }
    fn attach(
        &mut self,
        volume: &str,
        node: &str,
        readonly: bool,
        mode: i32,
    ) -> Result<(), PluginError> {
        q::attach(self.0, volume, node, readonly, mode)
    }
    fn detach(&mut self, volume: &str, node: Option<&str>) -> Result<(), PluginError> {
        q::detach(self.0, volume, node)
    }
    fn stage_of(&self, volume: &str, node: &str) -> Result<Option<String>, PluginError> {
        q::stage_of(self.0, volume, node)
    }
    fn stage(&mut self, volume: &str, node: &str, path: &str) -> Result<(), PluginError> {
        q::stage(self.0, volume, node, path)
    }
    fn unstage(&mut self, volume: &str, node: &str) -> Result<(), PluginError> {
        q::unstage(self.0, volume, node)
    }
    fn staging_owner(&self, node: &str, path: &str) -> Result<Option<String>, PluginError> {
        q::staging_owner(self.0, node, path)
    }
    fn publication_at(&self, node: &str, target: &str) -> Result<Option<Publication>, PluginError> {
        q::publication_at(self.0, node, target)
    }
    fn publications(
        &self,
        volume: &str,
        node: Option<&str>,
    ) -> Result<Vec<Publication>, PluginError> {
        q::publications(self.0, volume, node)
    }
    fn publish(&mut self, p: &Publication) -> Result<(), PluginError> {
        q::publish(self.0, p)
    }
    fn unpublish(&mut self, node: &str, target: &str) -> Result<(), PluginError> {
        q::unpublish(self.0, node, target)
    }
    fn stage_count(&self, volume: &str) -> Result<i64, PluginError> {
        q::stage_count(self.0, volume)
    }
}

/// Queries and changes, run inside [`Store::tx`].
pub mod q {
    use super::*;
    use rusqlite::Transaction;

    /// A node's attach limit, or `None` if no node plugin registered that id.
    pub fn node_max_volumes(t: &Transaction<'_>, node: &str) -> Result<Option<i64>, PluginError> {
        Ok(t.query_row(
            "SELECT max_volumes FROM nodes WHERE node_id = ?1",
            [node],
            |r| r.get(0),
        )
        .optional()?)
    }

    /// The volume with this id.
    pub fn volume(t: &Transaction<'_>, id: &str) -> Result<Option<VolumeRecord>, PluginError> {
        let sql = format!("SELECT {VOLUME_COLS} FROM volumes WHERE id = ?1");
        Ok(t.query_row(&sql, [id], row_to_volume).optional()?)
    }

    /// The volume with this name.
    pub fn volume_by_name(
        t: &Transaction<'_>,
        name: &str,
    ) -> Result<Option<VolumeRecord>, PluginError> {
        let sql = format!("SELECT {VOLUME_COLS} FROM volumes WHERE name = ?1");
        Ok(t.query_row(&sql, [name], row_to_volume).optional()?)
    }

    /// Bytes granted to all volumes together.
    pub fn allocated(t: &Transaction<'_>) -> Result<i64, PluginError> {
        Ok(
            t.query_row("SELECT COALESCE(SUM(capacity), 0) FROM volumes", [], |r| {
                r.get(0)
            })?,
        )
    }

    /// Insert a volume with the next id (`vol-000001`, `vol-000002`, …).
    pub fn insert_volume(
        t: &Transaction<'_>,
        name: &str,
        capacity: i64,
        caps: &[(String, i32)],
        params: &BTreeMap<String, String>,
    ) -> Result<VolumeRecord, PluginError> {
        let next: i64 = t
            .query_row(
                "SELECT value FROM counters WHERE name = 'volume'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0)
            + 1;
        t.execute(
            "INSERT INTO counters (name, value) VALUES ('volume', ?1)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [next],
        )?;
        let rec = VolumeRecord {
            id: format!("vol-{next:06}"),
            name: name.to_string(),
            capacity_bytes: capacity,
            capabilities: caps.to_vec(),
            parameters: params.clone(),
        };
        t.execute(
            "INSERT INTO volumes (id, name, capacity, caps, params) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                rec.id,
                rec.name,
                rec.capacity_bytes,
                json(&rec.capabilities),
                json(&rec.parameters)
            ],
        )?;
        Ok(rec)
    }

    /// Forget a volume.
    pub fn delete_volume(t: &Transaction<'_>, id: &str) -> Result<(), PluginError> {
        t.execute("DELETE FROM volumes WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Volumes with ids after `after`, in id order, at most `limit` (0 = all),
    /// plus whether more follow.
    pub fn list_volumes(
        t: &Transaction<'_>,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<VolumeRecord>, bool), PluginError> {
        let sql = format!("SELECT {VOLUME_COLS} FROM volumes WHERE id > ?1 ORDER BY id");
        let mut stmt = t.prepare(&sql)?;
        let mut all = stmt
            .query_map([after], row_to_volume)?
            .collect::<Result<Vec<_>, _>>()?;
        let more = limit > 0 && all.len() > limit;
        if more {
            all.truncate(limit);
        }
        Ok((all, more))
    }

    /// The nodes a volume is attached to (ControllerPublished), with readonly flags.
    pub fn attachments(
        t: &Transaction<'_>,
        volume: &str,
    ) -> Result<Vec<(String, bool, i32)>, PluginError> {
        let mut stmt = t.prepare(
            "SELECT node_id, readonly, mode FROM attachments WHERE volume_id = ?1 ORDER BY node_id",
        )?;
        let rows = stmt
            .query_map([volume], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? != 0, r.get(2)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// How many volumes are attached to `node`.
    pub fn attached_count(t: &Transaction<'_>, node: &str) -> Result<i64, PluginError> {
        Ok(t.query_row(
            "SELECT COUNT(*) FROM attachments WHERE node_id = ?1",
            [node],
            |r| r.get(0),
        )?)
    }

    /// Record an attachment.
    pub fn attach(
        t: &Transaction<'_>,
        volume: &str,
        node: &str,
        readonly: bool,
        mode: i32,
    ) -> Result<(), PluginError> {
        t.execute(
            "INSERT OR REPLACE INTO attachments (volume_id, node_id, readonly, mode) VALUES (?1, ?2, ?3, ?4)",
            params![volume, node, readonly as i64, mode],
        )?;
        Ok(())
    }

    /// Remove attachments of `volume` (to `node`, or to every node).
    pub fn detach(
        t: &Transaction<'_>,
        volume: &str,
        node: Option<&str>,
    ) -> Result<(), PluginError> {
        match node {
            Some(n) => t.execute(
                "DELETE FROM attachments WHERE volume_id = ?1 AND node_id = ?2",
                [volume, n],
            )?,
            None => t.execute("DELETE FROM attachments WHERE volume_id = ?1", [volume])?,
        };
        Ok(())
    }

    /// Where `volume` is staged on `node`.
    pub fn stage_of(
        t: &Transaction<'_>,
        volume: &str,
        node: &str,
    ) -> Result<Option<String>, PluginError> {
        Ok(t.query_row(
            "SELECT path FROM stages WHERE volume_id = ?1 AND node_id = ?2",
            [volume, node],
            |r| r.get(0),
        )
        .optional()?)
    }

    /// Record a staging.
    pub fn stage(
        t: &Transaction<'_>,
        volume: &str,
        node: &str,
        path: &str,
    ) -> Result<(), PluginError> {
        t.execute(
            "INSERT OR REPLACE INTO stages (volume_id, node_id, path) VALUES (?1, ?2, ?3)",
            [volume, node, path],
        )?;
        Ok(())
    }

    /// Remove a staging.
    pub fn unstage(t: &Transaction<'_>, volume: &str, node: &str) -> Result<(), PluginError> {
        t.execute(
            "DELETE FROM stages WHERE volume_id = ?1 AND node_id = ?2",
            [volume, node],
        )?;
        Ok(())
    }

    /// Is any path on `node` used as a staging path by another volume?
    pub fn staging_owner(
        t: &Transaction<'_>,
        node: &str,
        path: &str,
    ) -> Result<Option<String>, PluginError> {
        Ok(t.query_row(
            "SELECT volume_id FROM stages WHERE node_id = ?1 AND path = ?2",
            [node, path],
            |r| r.get(0),
        )
        .optional()?)
    }

    /// The publication at `target` on `node`, whichever volume it belongs to.
    pub fn publication_at(
        t: &Transaction<'_>,
        node: &str,
        target: &str,
    ) -> Result<Option<Publication>, PluginError> {
        let sql = format!("SELECT {PUB_COLS} FROM publications WHERE node_id = ?1 AND target = ?2");
        Ok(t.query_row(&sql, [node, target], row_to_publication)
            .optional()?)
    }

    /// Every publication of `volume` (on `node`, or anywhere).
    pub fn publications(
        t: &Transaction<'_>,
        volume: &str,
        node: Option<&str>,
    ) -> Result<Vec<Publication>, PluginError> {
        let sql = format!(
            "SELECT {PUB_COLS} FROM publications WHERE volume_id = ?1 AND (?2 IS NULL OR node_id = ?2) ORDER BY node_id, target"
        );
        let mut stmt = t.prepare(&sql)?;
        let rows = stmt
            .query_map(params![volume, node], row_to_publication)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Record a publication.
    pub fn publish(t: &Transaction<'_>, p: &Publication) -> Result<(), PluginError> {
        t.execute(
            "INSERT OR REPLACE INTO publications (volume_id, node_id, target, staging, readonly, mode)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![p.volume_id, p.node_id, p.target, p.staging, p.readonly as i64, p.mode],
        )?;
        Ok(())
    }

    /// Remove a publication.
    pub fn unpublish(t: &Transaction<'_>, node: &str, target: &str) -> Result<(), PluginError> {
        t.execute(
            "DELETE FROM publications WHERE node_id = ?1 AND target = ?2",
            [node, target],
        )?;
        Ok(())
    }

    /// Count of stagings of `volume` anywhere.
    pub fn stage_count(t: &Transaction<'_>, volume: &str) -> Result<i64, PluginError> {
        Ok(t.query_row(
            "SELECT COUNT(*) FROM stages WHERE volume_id = ?1",
            [volume],
            |r| r.get(0),
        )?)
    }
}
