//! The plugin without I/O: the [`lifecycle`](crate::lifecycle) over
//! [`MemoryState`] and a host that touches nothing, for a cluster of node
//! plugins sharing one state (as the native plugins share one data root).
//!
//! Every call runs the same `check` then `apply` as the gRPC plugin, and an
//! `apply` that fails leaves the state as it was (a rolled-back transaction).
//! What the model leaves out: the file system (no directories, no bind mounts
//! or symlinks, so nothing refuses a `readonly` publish the way symlink mode
//! does) and concurrency (no call is ever in flight, so no ABORTED).
//!
//! ```
//! use csi::lifecycle::{Capability, ControllerPublish, CreateVolume, GIB, NodeStage};
//! use csi::model::ModelPlugin;
//!
//! let mut p = ModelPlugin::new(&["node-a", "node-b"], 0, 10 * GIB);
//! let create = CreateVolume {
//!     name: "pvc-1".into(),
//!     capabilities: vec![Capability::mount(1)],
//!     capacity_range: Some((GIB, 0)),
//!     ..Default::default()
//! };
//! let vol = p.create_volume(&create).unwrap();
//! // Staging before the volume is attached to the node: FAILED_PRECONDITION.
//! let stage = NodeStage {
//!     volume_id: vol.id.clone(),
//!     staging_target_path: "/csi/staging/pvc-1".into(),
//!     capability: Some(Capability::mount(1)),
//! };
//! let err = p.node_stage("node-a", &stage).unwrap_err();
//! assert_eq!(err.code_name(), "FAILED_PRECONDITION");
//! let attach = ControllerPublish {
//!     volume_id: vol.id.clone(),
//!     node_id: "node-a".into(),
//!     capability: Some(Capability::mount(1)),
//!     readonly: false,
//! };
//! p.controller_publish(&attach).unwrap();
//! p.node_stage("node-a", &stage).unwrap();
//! assert_eq!(p.describe(&vol.id).as_deref(), Some("VOL_READY@node-a"));
//! ```

use crate::error::PluginError;
use crate::lifecycle::{
    ControllerPublish, ControllerUnpublish, CreateVolume, DeleteVolume, GIB, Host, Limits,
    MemoryState, NodePublish, NodeStage, NodeUnpublish, NodeUnstage, VolumeRecord, VolumeState,
    placements,
};
use std::path::{Path, PathBuf};

/// The data root the model's plugins pretend to own: node paths inside it are refused.
pub const MODEL_DATA_ROOT: &str = "/var/lib/csi-hostpath";

/// A host that does nothing: the model keeps only what the core decides.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelHost;

impl Host for ModelHost {
    fn create_volume_dir(&mut self, _volume_id: &str) -> Result<(), PluginError> {
        Ok(())
    }
    fn remove_volume_dir(&mut self, _volume_id: &str) -> Result<(), PluginError> {
        Ok(())
    }
    fn stage(&mut self, _volume_id: &str, _staging: &Path) -> Result<(), PluginError> {
        Ok(())
    }
    fn unstage(&mut self, _staging: &Path) -> Result<(), PluginError> {
        Ok(())
    }
    fn publish(
        &mut self,
        _staging: &Path,
        _target: &Path,
        _readonly: bool,
    ) -> Result<(), PluginError> {
        Ok(())
    }
    fn unpublish(&mut self, _target: &Path) -> Result<(), PluginError> {
        Ok(())
    }
}

/// A controller plus one node plugin per registered node, over one in-memory state.
#[derive(Debug, Clone)]
pub struct ModelPlugin {
    state: MemoryState,
    limits: Limits,
    data_root: PathBuf,
}

impl ModelPlugin {
    /// Node plugins on `nodes`, each with attach limit `max_volumes_per_node`
    /// (0 = none), and a pool of `capacity_bytes` (also the largest volume; a
    /// volume with no size gets 1 GiB).
    pub fn new(nodes: &[&str], max_volumes_per_node: i64, capacity_bytes: i64) -> Self {
        let mut state = MemoryState::default();
        for n in nodes {
            state.register_node(n, max_volumes_per_node);
        }
        Self {
            state,
            limits: Limits {
                capacity_bytes,
                max_volume_bytes: capacity_bytes,
                default_volume_bytes: GIB,
            },
            data_root: PathBuf::from(MODEL_DATA_ROOT),
        }
    }

    /// The state, to read.
    pub fn state(&self) -> &MemoryState {
        &self.state
    }

    /// Run `f` as one transaction: on an error the state is put back.
    fn tx<T>(
        &mut self,
        f: impl FnOnce(&mut MemoryState) -> Result<T, PluginError>,
    ) -> Result<T, PluginError> {
        let before = self.state.clone();
        let out = f(&mut self.state);
        if out.is_err() {
            self.state = before;
        }
        out
    }

    fn node_plugin(&self, node: &str) -> Result<(), PluginError> {
        match self.state.node_max_volumes(node)? {
            Some(_) => Ok(()),
            None => Err(PluginError::Internal(format!(
                "no node plugin runs on {node}"
            ))),
        }
    }

    /// CreateVolume.
    pub fn create_volume(&mut self, r: &CreateVolume) -> Result<VolumeRecord, PluginError> {
        let limits = self.limits;
        r.check(&limits)?;
        self.tx(|s| r.apply(s, &mut ModelHost, &limits))
    }

    /// DeleteVolume.
    pub fn delete_volume(&mut self, r: &DeleteVolume) -> Result<(), PluginError> {
        r.check()?;
        self.tx(|s| r.apply(s, &mut ModelHost))
    }

    /// ControllerPublishVolume.
    pub fn controller_publish(&mut self, r: &ControllerPublish) -> Result<(), PluginError> {
        r.check()?;
        self.tx(|s| r.apply(s))
    }

    /// ControllerUnpublishVolume.
    pub fn controller_unpublish(&mut self, r: &ControllerUnpublish) -> Result<(), PluginError> {
        r.check()?;
        self.tx(|s| r.apply(s))
    }

    /// NodeStageVolume, on `node`'s node plugin (INTERNAL if no plugin runs there).
    pub fn node_stage(&mut self, node: &str, r: &NodeStage) -> Result<(), PluginError> {
        self.node_plugin(node)?;
        r.check(&self.data_root)?;
        self.tx(|s| r.apply(s, &mut ModelHost, node))
    }

    /// NodeUnstageVolume, on `node`'s node plugin.
    pub fn node_unstage(&mut self, node: &str, r: &NodeUnstage) -> Result<(), PluginError> {
        self.node_plugin(node)?;
        r.check(&self.data_root)?;
        self.tx(|s| r.apply(s, &mut ModelHost, node))
    }

    /// NodePublishVolume, on `node`'s node plugin.
    pub fn node_publish(&mut self, node: &str, r: &NodePublish) -> Result<(), PluginError> {
        self.node_plugin(node)?;
        r.check(&self.data_root)?;
        self.tx(|s| r.apply(s, &mut ModelHost, node))
    }

    /// NodeUnpublishVolume, on `node`'s node plugin.
    pub fn node_unpublish(&mut self, node: &str, r: &NodeUnpublish) -> Result<(), PluginError> {
        self.node_plugin(node)?;
        r.check(&self.data_root)?;
        self.tx(|s| r.apply(s, &mut ModelHost, node))
    }

    /// Bytes granted to all volumes, and the pool's size.
    pub fn allocated(&self) -> (i64, i64) {
        (
            self.state.allocated().unwrap_or(0),
            self.limits.capacity_bytes,
        )
    }

    /// Volume `id`'s place in the spec's lifecycle, per node:
    /// `CREATED`, or `NODE_READY@node-a` (attached), `VOL_READY@node-a` (staged),
    /// `PUBLISHED@node-a` (published at one target; `×2` for two), joined by
    /// spaces for several nodes; `None` when no such volume exists.
    pub fn describe(&self, id: &str) -> Option<String> {
        let nodes: Vec<&str> = self.state.nodes().collect();
        let found = placements(&self.state, id, &nodes).ok().flatten()?;
        let parts: Vec<String> = found
            .iter()
            .map(|p| match (&p.node, p.targets) {
                (None, _) => p.state.name().to_string(),
                (Some(n), 0 | 1) => format!("{}@{n}", p.state.name()),
                (Some(n), k) => format!("{}@{n}×{k}", p.state.name()),
            })
            .collect();
        Some(parts.join(" "))
    }
}
