//! The volume lifecycle without a transport: what each state-changing CSI call
//! decides, given the plugin's state.
//!
//! The spec draws a volume's life as a state machine (its figure for a plugin
//! with `PUBLISH_UNPUBLISH_VOLUME` and `STAGE_UNSTAGE_VOLUME`):
//!
//! ```text
//!  CreateVolume ─▶ CREATED ─ControllerPublish─▶ NODE_READY ─NodeStage─▶ VOL_READY ─NodePublish─▶ PUBLISHED
//!  DeleteVolume ◀─         ◀ControllerUnpublish─            ◀NodeUnstage─          ◀NodeUnpublish─
//! ```
//!
//! Each RPC here is a request type with two steps, run in this order:
//!
//! 1. `check` looks at the request's fields alone (INVALID_ARGUMENT,
//!    OUT_OF_RANGE), before any lookup, as csi-sanity expects;
//! 2. `apply`, inside one transaction over a [`VolumeState`], checks the
//!    preconditions (NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS,
//!    RESOURCE_EXHAUSTED), makes the change, and asks the [`Host`] for the side
//!    effect (a directory, a mount).
//!
//! `apply` assumes `check` passed. Both are plain functions: no gRPC, no async,
//! no file system. The gRPC plugin ([`crate::plugin`], native only) runs them
//! over SQLite and real mounts, between the two taking the volume's in-flight
//! slot (ABORTED); [`crate::model::ModelPlugin`] runs them over
//! [`MemoryState`] and a host that only records, for tests and for the page's
//! Try it block in the browser.

use crate::error::PluginError;
use crate::validate;
use std::collections::BTreeMap;
use std::path::Path;

/// One gibibyte.
pub const GIB: i64 = 1 << 30;

/// The access mode's name as the spec spells it (`csi.proto`'s
/// `VolumeCapability.AccessMode.Mode`).
pub fn mode_name(mode: i32) -> &'static str {
    match mode {
        1 => "SINGLE_NODE_WRITER",
        2 => "SINGLE_NODE_READER_ONLY",
        3 => "MULTI_NODE_READER_ONLY",
        4 => "MULTI_NODE_SINGLE_WRITER",
        5 => "MULTI_NODE_MULTI_WRITER",
        6 => "SINGLE_NODE_SINGLE_WRITER",
        7 => "SINGLE_NODE_MULTI_WRITER",
        _ => "UNKNOWN",
    }
}

/// The mode's number, from its spec name (`SINGLE_NODE_WRITER` → 1).
pub fn mode_number(name: &str) -> Option<i32> {
    (1..=7).find(|&m| mode_name(m) == name)
}

/// Does this access mode allow only one node at a time?
pub fn single_node(mode: i32) -> bool {
    matches!(mode, 1 | 2 | 6 | 7)
}

/// How a volume is consumed: a mounted file system or a raw block device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessType {
    /// A file system at a path.
    Mount,
    /// A block device.
    Block,
}

/// A `VolumeCapability` with only what the plugin looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    /// `access_type` (mount or block), if the request set it.
    pub access_type: Option<AccessType>,
    /// `access_mode.mode`, if the request set an access mode.
    pub access_mode: Option<i32>,
}

impl Capability {
    /// A mount volume with access mode `mode`.
    pub fn mount(mode: i32) -> Self {
        Self {
            access_type: Some(AccessType::Mount),
            access_mode: Some(mode),
        }
    }
}

/// Check one volume capability: a mount volume with a known access mode.
/// Returns (access type, access mode).
pub fn check_capability(cap: &Capability) -> Result<(String, i32), PluginError> {
    let mode = cap.access_mode.ok_or_else(|| {
        PluginError::InvalidArgument("volume_capability.access_mode is required".into())
    })?;
    match mode {
        1..=5 => {}
        6 | 7 => {
            return Err(PluginError::InvalidArgument(format!(
                "access mode {} needs the SINGLE_NODE_MULTI_WRITER capability, which this plugin does not advertise",
                mode_name(mode)
            )));
        }
        _ => {
            return Err(PluginError::InvalidArgument(format!(
                "access mode {mode} is not valid"
            )));
        }
    }
    match cap.access_type {
        None => Err(PluginError::InvalidArgument(
            "volume_capability.access_type (mount or block) is required".into(),
        )),
        Some(AccessType::Block) => Err(PluginError::InvalidArgument(
            "block access is not supported: this plugin serves directories".into(),
        )),
        Some(AccessType::Mount) => Ok(("mount".to_string(), mode)),
    }
}

fn required_capability(field: &str, cap: &Option<Capability>) -> Result<i32, PluginError> {
    match cap {
        None => Err(PluginError::InvalidArgument(format!("{field} is required"))),
        Some(c) => check_capability(c).map(|(_, mode)| mode),
    }
}

/// The capacity rules of a plugin: the pool and the volume sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Total bytes the plugin may grant across all volumes.
    pub capacity_bytes: i64,
    /// Largest single volume.
    pub max_volume_bytes: i64,
    /// Size of a volume whose request names no capacity.
    pub default_volume_bytes: i64,
}

/// One provisioned volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeRecord {
    /// The plugin-chosen id (`vol-000001`), also its directory name.
    pub id: String,
    /// The CO's name for it (a PVC's UID in Kubernetes).
    pub name: String,
    /// Capacity granted, in bytes (accounting, not an enforced quota).
    pub capacity_bytes: i64,
    /// The capabilities it was created with: (access type, access mode).
    pub capabilities: Vec<(String, i32)>,
    /// The opaque parameters it was created with.
    pub parameters: BTreeMap<String, String>,
}

/// A volume published at a target path on a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// The volume.
    pub volume_id: String,
    /// The node it is published on.
    pub node_id: String,
    /// The target path.
    pub target: String,
    /// The staging path it was published from.
    pub staging: String,
    /// Published read-only?
    pub readonly: bool,
    /// The access mode it was published with.
    pub mode: i32,
}

/// The plugin's state as one transaction sees it: volumes, registered nodes,
/// attachments (ControllerPublish), stagings and publications.
///
/// Implemented over SQLite by [`crate::store::SqliteState`] (native) and in
/// memory by [`MemoryState`]. Lists come back in a fixed order (volumes by id,
/// attachments by node, publications by node then target).
pub trait VolumeState {
    /// A node's attach limit, or `None` if no node plugin registered that id.
    fn node_max_volumes(&self, node: &str) -> Result<Option<i64>, PluginError>;
    /// The volume with this id.
    fn volume(&self, id: &str) -> Result<Option<VolumeRecord>, PluginError>;
    /// The volume with this name.
    fn volume_by_name(&self, name: &str) -> Result<Option<VolumeRecord>, PluginError>;
    /// Bytes granted to all volumes together.
    fn allocated(&self) -> Result<i64, PluginError>;
    /// Insert a volume with the next id (`vol-000001`, `vol-000002`, …; never reused).
    fn insert_volume(
        &mut self,
        name: &str,
        capacity: i64,
        caps: &[(String, i32)],
        params: &BTreeMap<String, String>,
    ) -> Result<VolumeRecord, PluginError>;
    /// Forget a volume.
    fn delete_volume(&mut self, id: &str) -> Result<(), PluginError>;
    /// Volumes with ids after `after`, in id order, at most `limit` (0 = all),
    /// plus whether more follow.
    fn list_volumes(
        &self,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<VolumeRecord>, bool), PluginError>;
    /// The nodes a volume is attached to: (node, readonly, access mode).
    fn attachments(&self, volume: &str) -> Result<Vec<(String, bool, i32)>, PluginError>;
    /// How many volumes are attached to `node`.
    fn attached_count(&self, node: &str) -> Result<i64, PluginError>;
    /// Record an attachment (replacing one to the same node).
    fn attach(
        &mut self,
        volume: &str,
        node: &str,
        readonly: bool,
        mode: i32,
    ) -> Result<(), PluginError>;
    /// Remove attachments of `volume` (to `node`, or to every node).
    fn detach(&mut self, volume: &str, node: Option<&str>) -> Result<(), PluginError>;
    /// Where `volume` is staged on `node`.
    fn stage_of(&self, volume: &str, node: &str) -> Result<Option<String>, PluginError>;
    /// Record a staging.
    fn stage(&mut self, volume: &str, node: &str, path: &str) -> Result<(), PluginError>;
    /// Remove a staging.
    fn unstage(&mut self, volume: &str, node: &str) -> Result<(), PluginError>;
    /// The volume staged at `path` on `node`, if any.
    fn staging_owner(&self, node: &str, path: &str) -> Result<Option<String>, PluginError>;
    /// The publication at `target` on `node`, whichever volume it belongs to.
    fn publication_at(&self, node: &str, target: &str) -> Result<Option<Publication>, PluginError>;
    /// Every publication of `volume` (on `node`, or anywhere).
    fn publications(
        &self,
        volume: &str,
        node: Option<&str>,
    ) -> Result<Vec<Publication>, PluginError>;
    /// Record a publication (replacing one at the same node and target).
    fn publish(&mut self, p: &Publication) -> Result<(), PluginError>;
    /// Remove a publication.
    fn unpublish(&mut self, node: &str, target: &str) -> Result<(), PluginError>;
    /// Count of stagings of `volume` anywhere.
    fn stage_count(&self, volume: &str) -> Result<i64, PluginError>;
}

/// A volume's state on one node in the spec's lifecycle figure (the one for a
/// plugin with `PUBLISH_UNPUBLISH_VOLUME` and `STAGE_UNSTAGE_VOLUME`), in the
/// order the forward RPCs climb it. A volume that exists but is attached nowhere
/// is [`LifecycleState::Created`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LifecycleState {
    /// Provisioned (CreateVolume), attached nowhere.
    Created,
    /// Attached to the node (ControllerPublishVolume).
    NodeReady,
    /// Staged on the node (NodeStageVolume).
    VolReady,
    /// Published at a target on the node (NodePublishVolume).
    Published,
}

impl LifecycleState {
    /// Every state, from CREATED up to PUBLISHED.
    pub const ALL: [LifecycleState; 4] = [
        LifecycleState::Created,
        LifecycleState::NodeReady,
        LifecycleState::VolReady,
        LifecycleState::Published,
    ];

    /// The name the spec's figure gives the state.
    pub fn name(self) -> &'static str {
        match self {
            LifecycleState::Created => "CREATED",
            LifecycleState::NodeReady => "NODE_READY",
            LifecycleState::VolReady => "VOL_READY",
            LifecycleState::Published => "PUBLISHED",
        }
    }

    /// The RPCs that move a volume up into this state and back down out of it:
    /// `(CreateVolume, DeleteVolume)` for CREATED, `(ControllerPublishVolume,
    /// ControllerUnpublishVolume)` for NODE_READY, and so on.
    pub fn transitions(self) -> (&'static str, &'static str) {
        match self {
            LifecycleState::Created => ("CreateVolume", "DeleteVolume"),
            LifecycleState::NodeReady => ("ControllerPublishVolume", "ControllerUnpublishVolume"),
            LifecycleState::VolReady => ("NodeStageVolume", "NodeUnstageVolume"),
            LifecycleState::Published => ("NodePublishVolume", "NodeUnpublishVolume"),
        }
    }
}

/// Where a volume stands on one node (or, for [`LifecycleState::Created`], on none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The node, `None` for a volume attached nowhere.
    pub node: Option<String>,
    /// Its state there.
    pub state: LifecycleState,
    /// Targets it is published at on that node (0 below PUBLISHED).
    pub targets: usize,
}

/// Volume `id`'s place in the lifecycle: `None` if there is no such volume;
/// one [`Placement`] with no node if it is attached nowhere; otherwise one per
/// node it is attached to, staged on or published on, by node id. `nodes` are
/// the node plugins to look for stagings and publications that outlive their
/// attachment (only a forced detach leaves one).
pub fn placements(
    s: &impl VolumeState,
    id: &str,
    nodes: &[&str],
) -> Result<Option<Vec<Placement>>, PluginError> {
    if s.volume(id)?.is_none() {
        return Ok(None);
    }
    let mut on: Vec<String> = s.attachments(id)?.into_iter().map(|(n, _, _)| n).collect();
    for n in nodes {
        let used = s.stage_of(id, n)?.is_some() || !s.publications(id, Some(n))?.is_empty();
        if used && !on.iter().any(|x| x == n) {
            on.push((*n).to_string());
        }
    }
    if on.is_empty() {
        return Ok(Some(vec![Placement {
            node: None,
            state: LifecycleState::Created,
            targets: 0,
        }]));
    }
    on.sort();
    let mut out = Vec::with_capacity(on.len());
    for n in on {
        let targets = s.publications(id, Some(&n))?.len();
        let staged = s.stage_of(id, &n)?.is_some();
        let state = match (targets, staged) {
            (0, false) => LifecycleState::NodeReady,
            (0, true) => LifecycleState::VolReady,
            _ => LifecycleState::Published,
        };
        out.push(Placement {
            node: Some(n),
            state,
            targets,
        });
    }
    Ok(Some(out))
}

/// What the plugin does to the machine: a directory per volume, and making a
/// directory appear at a staging or target path. The native plugin's host
/// makes directories and bind mounts or symlinks ([`crate::mount`]); the
/// model's host does nothing, so the model shows only what the core decides.
pub trait Host {
    /// Make volume `volume_id`'s directory.
    fn create_volume_dir(&mut self, volume_id: &str) -> Result<(), PluginError>;
    /// Remove volume `volume_id`'s directory and its data (gone already is fine).
    fn remove_volume_dir(&mut self, volume_id: &str) -> Result<(), PluginError>;
    /// Make volume `volume_id`'s directory appear at `staging`.
    fn stage(&mut self, volume_id: &str, staging: &Path) -> Result<(), PluginError>;
    /// Undo [`Host::stage`], leaving the (CO-owned) staging path in place.
    fn unstage(&mut self, staging: &Path) -> Result<(), PluginError>;
    /// Make `staging` appear at `target`, read-only if asked.
    fn publish(&mut self, staging: &Path, target: &Path, readonly: bool)
    -> Result<(), PluginError>;
    /// Undo [`Host::publish`] and remove `target`, as the spec asks.
    fn unpublish(&mut self, target: &Path) -> Result<(), PluginError>;
}

/// `CreateVolume`: provision a volume called `name` (idempotent by name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateVolume {
    /// The CO's name for the volume.
    pub name: String,
    /// `volume_capabilities`.
    pub capabilities: Vec<Capability>,
    /// Was `volume_content_source` set (a snapshot or clone)?
    pub content_source: bool,
    /// Were `mutable_parameters` set?
    pub mutable_parameters: bool,
    /// `capacity_range` as (required_bytes, limit_bytes), if set.
    pub capacity_range: Option<(i64, i64)>,
    /// The opaque `parameters`.
    pub parameters: BTreeMap<String, String>,
}

/// A checked CreateVolume: the size it will get.
struct CreatePlan {
    caps: Vec<(String, i32)>,
    required: i64,
    limit: i64,
    size: i64,
}

impl CreateVolume {
    fn plan(&self, limits: &Limits) -> Result<CreatePlan, PluginError> {
        validate::volume_name(&self.name)?;
        if self.capabilities.is_empty() {
            return Err(PluginError::InvalidArgument(
                "volume_capabilities are required".into(),
            ));
        }
        let caps = self
            .capabilities
            .iter()
            .map(check_capability)
            .collect::<Result<Vec<_>, _>>()?;
        if self.content_source {
            return Err(PluginError::InvalidArgument(
                "volume_content_source is not supported (no snapshots, no CLONE_VOLUME)".into(),
            ));
        }
        if self.mutable_parameters {
            return Err(PluginError::InvalidArgument(
                "mutable_parameters need MODIFY_VOLUME, which this plugin does not advertise"
                    .into(),
            ));
        }
        let (required, limit) = self.capacity_range.unwrap_or((0, 0));
        if required < 0 || limit < 0 {
            return Err(PluginError::InvalidArgument(
                "capacity_range values must not be negative".into(),
            ));
        }
        if limit > 0 && required > limit {
            return Err(PluginError::OutOfRange(format!(
                "required_bytes {required} exceeds limit_bytes {limit}"
            )));
        }
        let size = if required > 0 {
            required
        } else if limit > 0 {
            limit.min(limits.default_volume_bytes)
        } else {
            limits.default_volume_bytes
        };
        if size > limits.max_volume_bytes {
            return Err(PluginError::OutOfRange(format!(
                "{size} bytes requested, the largest volume is {} bytes",
                limits.max_volume_bytes
            )));
        }
        Ok(CreatePlan {
            caps,
            required,
            limit,
            size,
        })
    }

    /// The request's fields alone: name, capabilities, capacity range.
    pub fn check(&self, limits: &Limits) -> Result<(), PluginError> {
        self.plan(limits).map(|_| ())
    }

    /// Return the volume of that name if it fits the request (a retry), or
    /// create it if the pool has room.
    pub fn apply(
        &self,
        s: &mut impl VolumeState,
        host: &mut impl Host,
        limits: &Limits,
    ) -> Result<VolumeRecord, PluginError> {
        let plan = self.plan(limits)?;
        if let Some(existing) = s.volume_by_name(&self.name)? {
            let fits = existing.capacity_bytes >= plan.required
                && (plan.limit == 0 || existing.capacity_bytes <= plan.limit);
            if fits && existing.parameters == self.parameters {
                return Ok(existing);
            }
            return Err(PluginError::AlreadyExists(format!(
                "volume {:?} exists as {} with {} bytes and other parameters",
                self.name, existing.id, existing.capacity_bytes
            )));
        }
        let allocated = s.allocated()?;
        if allocated + plan.size > limits.capacity_bytes {
            return Err(PluginError::ResourceExhausted(format!(
                "{} bytes requested, {} of {} bytes left",
                plan.size,
                limits.capacity_bytes - allocated,
                limits.capacity_bytes
            )));
        }
        let rec = s.insert_volume(&self.name, plan.size, &plan.caps, &self.parameters)?;
        host.create_volume_dir(&rec.id)?;
        Ok(rec)
    }
}

/// `DeleteVolume`: remove a volume that is no longer attached anywhere
/// (an unknown id is OK: it is already gone).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteVolume {
    /// The volume.
    pub volume_id: String,
}

impl DeleteVolume {
    /// The id must be one the plugin could have issued.
    pub fn check(&self) -> Result<(), PluginError> {
        validate::id("volume_id", &self.volume_id)
    }

    /// Delete it, unless it is still attached, staged or published.
    pub fn apply(&self, s: &mut impl VolumeState, host: &mut impl Host) -> Result<(), PluginError> {
        let id = &self.volume_id;
        if s.volume(id)?.is_none() {
            return Ok(()); // already gone: idempotent
        }
        if let Some((node, _, _)) = s.attachments(id)?.first() {
            return Err(PluginError::FailedPrecondition(format!(
                "{id} is still attached to {node}: ControllerUnpublishVolume first"
            )));
        }
        if s.stage_count(id)? > 0 || !s.publications(id, None)?.is_empty() {
            return Err(PluginError::FailedPrecondition(format!(
                "{id} is still staged or published on a node"
            )));
        }
        host.remove_volume_dir(id)?;
        s.delete_volume(id)
    }
}

/// `ControllerPublishVolume`: attach a volume to a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControllerPublish {
    /// The volume.
    pub volume_id: String,
    /// The node to attach it to.
    pub node_id: String,
    /// `volume_capability`.
    pub capability: Option<Capability>,
    /// Attach read-only?
    pub readonly: bool,
}

impl ControllerPublish {
    /// Ids and the capability.
    pub fn check(&self) -> Result<(), PluginError> {
        validate::id("volume_id", &self.volume_id)?;
        validate::id("node_id", &self.node_id)?;
        required_capability("volume_capability", &self.capability).map(|_| ())
    }

    /// Attach, unless the access mode or the node's attach limit forbids it.
    pub fn apply(&self, s: &mut impl VolumeState) -> Result<(), PluginError> {
        let mode = required_capability("volume_capability", &self.capability)?;
        let (id, node) = (&self.volume_id, &self.node_id);
        if s.volume(id)?.is_none() {
            return Err(PluginError::NotFound(format!("volume {id}")));
        }
        let Some(max) = s.node_max_volumes(node)? else {
            return Err(PluginError::NotFound(format!(
                "node {node} (no node plugin registered with that id)"
            )));
        };
        let attached = s.attachments(id)?;
        if let Some((_, ro, _)) = attached.iter().find(|(n, _, _)| n == node) {
            if *ro == self.readonly {
                return Ok(());
            }
            return Err(PluginError::AlreadyExists(format!(
                "{id} is attached to {node} with readonly={ro}"
            )));
        }
        if let Some((other, _, m)) = attached.first()
            && (single_node(mode) || single_node(*m))
        {
            return Err(PluginError::FailedPrecondition(format!(
                "{id} is attached to {other}; {} allows one node",
                mode_name(if single_node(*m) { *m } else { mode })
            )));
        }
        if max > 0 && s.attached_count(node)? >= max {
            return Err(PluginError::ResourceExhausted(format!(
                "{node} already has its maximum of {max} volumes"
            )));
        }
        s.attach(id, node, self.readonly, mode)
    }
}

/// `ControllerUnpublishVolume`: detach a volume from a node (or from every
/// node when `node_id` is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControllerUnpublish {
    /// The volume.
    pub volume_id: String,
    /// The node, or empty for all.
    pub node_id: String,
}

impl ControllerUnpublish {
    /// Ids.
    pub fn check(&self) -> Result<(), PluginError> {
        validate::id("volume_id", &self.volume_id)?;
        if !self.node_id.is_empty() {
            validate::id("node_id", &self.node_id)?;
        }
        Ok(())
    }

    /// Detach, unless the node still has it staged or published.
    pub fn apply(&self, s: &mut impl VolumeState) -> Result<(), PluginError> {
        let id = &self.volume_id;
        let node = (!self.node_id.is_empty()).then_some(self.node_id.as_str());
        // A volume or node that is gone is, safely, unpublished: OK.
        if s.volume(id)?.is_none() {
            return Ok(());
        }
        let still_used = match node {
            Some(n) => s.stage_of(id, n)?.is_some() || !s.publications(id, Some(n))?.is_empty(),
            None => s.stage_count(id)? > 0,
        };
        if still_used {
            return Err(PluginError::FailedPrecondition(format!(
                "{id} is still staged or published on {}: unpublish and unstage it there first",
                node.unwrap_or("a node")
            )));
        }
        s.detach(id, node)
    }
}

/// `NodeStageVolume`: make an attached volume available on this node at a
/// staging path (once per node).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeStage {
    /// The volume.
    pub volume_id: String,
    /// `staging_target_path`.
    pub staging_target_path: String,
    /// `volume_capability`.
    pub capability: Option<Capability>,
}

impl NodeStage {
    /// The id, the path (outside `data_root`) and the capability.
    pub fn check(&self, data_root: &Path) -> Result<(), PluginError> {
        validate::id("volume_id", &self.volume_id)?;
        validate::co_path("staging_target_path", &self.staging_target_path, data_root)?;
        required_capability("volume_capability", &self.capability).map(|_| ())
    }

    /// Stage on `node`, unless the volume is not attached there or staged elsewhere.
    pub fn apply(
        &self,
        s: &mut impl VolumeState,
        host: &mut impl Host,
        node: &str,
    ) -> Result<(), PluginError> {
        let (id, path) = (&self.volume_id, &self.staging_target_path);
        if s.volume(id)?.is_none() {
            return Err(PluginError::NotFound(format!("volume {id}")));
        }
        if !s.attachments(id)?.iter().any(|(n, _, _)| n == node) {
            return Err(PluginError::FailedPrecondition(format!(
                "{id} is not attached to {node}: ControllerPublishVolume first"
            )));
        }
        match s.stage_of(id, node)? {
            Some(p) if p == *path => {}
            Some(p) => {
                return Err(PluginError::AlreadyExists(format!(
                    "{id} is already staged at {p} on {node}"
                )));
            }
            None => {
                if let Some(other) = s.staging_owner(node, path)? {
                    return Err(PluginError::FailedPrecondition(format!(
                        "{path} is the staging path of {other}"
                    )));
                }
            }
        }
        host.stage(id, Path::new(path))?;
        s.stage(id, node, path)
    }
}

/// `NodeUnstageVolume`: undo NodeStageVolume on this node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeUnstage {
    /// The volume.
    pub volume_id: String,
    /// `staging_target_path`.
    pub staging_target_path: String,
}

impl NodeUnstage {
    /// The id and the path.
    pub fn check(&self, data_root: &Path) -> Result<(), PluginError> {
        validate::id("volume_id", &self.volume_id)?;
        validate::co_path("staging_target_path", &self.staging_target_path, data_root).map(|_| ())
    }

    /// Unstage on `node`, unless a pod still has it published there.
    pub fn apply(
        &self,
        s: &mut impl VolumeState,
        host: &mut impl Host,
        node: &str,
    ) -> Result<(), PluginError> {
        let (id, path) = (&self.volume_id, &self.staging_target_path);
        if s.volume(id)?.is_none() {
            return Err(PluginError::NotFound(format!("volume {id}")));
        }
        if s.stage_of(id, node)?.as_deref() != Some(path.as_str()) {
            return Ok(()); // not staged there: nothing to undo
        }
        if let Some(p) = s.publications(id, Some(node))?.first() {
            return Err(PluginError::FailedPrecondition(format!(
                "{id} is still published at {} on {node}: NodeUnpublishVolume first",
                p.target
            )));
        }
        host.unstage(Path::new(path))?;
        s.unstage(id, node)
    }
}

/// `NodePublishVolume`: make a staged volume appear at a pod's target path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodePublish {
    /// The volume.
    pub volume_id: String,
    /// `target_path`.
    pub target_path: String,
    /// `staging_target_path` (required: the plugin has STAGE_UNSTAGE_VOLUME).
    pub staging_target_path: String,
    /// `volume_capability`.
    pub capability: Option<Capability>,
    /// Publish read-only?
    pub readonly: bool,
}

impl NodePublish {
    /// The id, both paths and the capability.
    pub fn check(&self, data_root: &Path) -> Result<(), PluginError> {
        validate::id("volume_id", &self.volume_id)?;
        let target = validate::co_path("target_path", &self.target_path, data_root)?;
        required_capability("volume_capability", &self.capability)?;
        if self.staging_target_path.is_empty() {
            return Err(PluginError::InvalidArgument(
                "staging_target_path is required: this plugin has STAGE_UNSTAGE_VOLUME".into(),
            ));
        }
        let staging =
            validate::co_path("staging_target_path", &self.staging_target_path, data_root)?;
        if target == staging {
            return Err(PluginError::InvalidArgument(
                "target_path equals staging_target_path".into(),
            ));
        }
        Ok(())
    }

    /// Publish on `node`, unless the volume is not staged there or the target
    /// is taken.
    pub fn apply(
        &self,
        s: &mut impl VolumeState,
        host: &mut impl Host,
        node: &str,
    ) -> Result<(), PluginError> {
        let mode = required_capability("volume_capability", &self.capability)?;
        let (id, target, staging) = (
            &self.volume_id,
            &self.target_path,
            &self.staging_target_path,
        );
        if s.volume(id)?.is_none() {
            return Err(PluginError::NotFound(format!("volume {id}")));
        }
        if s.stage_of(id, node)?.as_deref() != Some(staging.as_str()) {
            return Err(PluginError::FailedPrecondition(format!(
                "{id} is not staged at {staging} on {node}: NodeStageVolume first"
            )));
        }
        if let Some(p) = s.publication_at(node, target)? {
            if p.volume_id != *id {
                return Err(PluginError::FailedPrecondition(format!(
                    "{target} is where {} is published",
                    p.volume_id
                )));
            }
            if p.readonly != self.readonly || p.staging != *staging {
                return Err(PluginError::AlreadyExists(format!(
                    "{id} is published at {target} with other settings"
                )));
            }
        }
        host.publish(Path::new(staging), Path::new(target), self.readonly)?;
        s.publish(&Publication {
            volume_id: id.clone(),
            node_id: node.to_string(),
            target: target.clone(),
            staging: staging.clone(),
            readonly: self.readonly,
            mode,
        })
    }
}

/// `NodeUnpublishVolume`: undo NodePublishVolume at a target path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeUnpublish {
    /// The volume.
    pub volume_id: String,
    /// `target_path`.
    pub target_path: String,
}

impl NodeUnpublish {
    /// The id and the path.
    pub fn check(&self, data_root: &Path) -> Result<(), PluginError> {
        validate::id("volume_id", &self.volume_id)?;
        validate::co_path("target_path", &self.target_path, data_root).map(|_| ())
    }

    /// Unpublish on `node` (not published there is OK: nothing to undo).
    pub fn apply(
        &self,
        s: &mut impl VolumeState,
        host: &mut impl Host,
        node: &str,
    ) -> Result<(), PluginError> {
        let (id, target) = (&self.volume_id, &self.target_path);
        if s.volume(id)?.is_none() {
            return Err(PluginError::NotFound(format!("volume {id}")));
        }
        match s.publication_at(node, target)? {
            Some(p) if p.volume_id == *id => {
                host.unpublish(Path::new(target))?;
                s.unpublish(node, target)
            }
            _ => Ok(()), // not published there: nothing to undo
        }
    }
}

/// The plugin's state in memory, with the same rules and orders as the SQLite
/// store: ids are `vol-NNNNNN` from a counter that never goes back, an
/// attachment is keyed by (volume, node), a staging by (volume, node), a
/// publication by (node, target).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryState {
    last_volume: i64,
    volumes: BTreeMap<String, VolumeRecord>,
    nodes: BTreeMap<String, i64>,
    attachments: BTreeMap<(String, String), (bool, i32)>,
    stages: BTreeMap<(String, String), String>,
    publications: BTreeMap<(String, String), Publication>,
}

impl MemoryState {
    /// Record that a node plugin with this id exists, with its attach limit (0 = none).
    pub fn register_node(&mut self, node_id: &str, max_volumes: i64) {
        self.nodes.insert(node_id.to_string(), max_volumes);
    }

    /// The registered nodes, by id.
    pub fn nodes(&self) -> impl Iterator<Item = &str> {
        self.nodes.keys().map(String::as_str)
    }
}

impl VolumeState for MemoryState {
    fn node_max_volumes(&self, node: &str) -> Result<Option<i64>, PluginError> {
        Ok(self.nodes.get(node).copied())
    }

    fn volume(&self, id: &str) -> Result<Option<VolumeRecord>, PluginError> {
        Ok(self.volumes.get(id).cloned())
    }

    fn volume_by_name(&self, name: &str) -> Result<Option<VolumeRecord>, PluginError> {
        Ok(self.volumes.values().find(|v| v.name == name).cloned())
    }

    fn allocated(&self) -> Result<i64, PluginError> {
        Ok(self.volumes.values().map(|v| v.capacity_bytes).sum())
    }

    fn insert_volume(
        &mut self,
        name: &str,
        capacity: i64,
        caps: &[(String, i32)],
        params: &BTreeMap<String, String>,
    ) -> Result<VolumeRecord, PluginError> {
        if self.volumes.values().any(|v| v.name == name) {
            return Err(PluginError::Internal(format!(
                "state: a volume named {name:?} exists"
            )));
        }
        self.last_volume += 1;
        let rec = VolumeRecord {
            id: format!("vol-{:06}", self.last_volume),
            name: name.to_string(),
            capacity_bytes: capacity,
            capabilities: caps.to_vec(),
            parameters: params.clone(),
        };
        self.volumes.insert(rec.id.clone(), rec.clone());
        Ok(rec)
    }

    fn delete_volume(&mut self, id: &str) -> Result<(), PluginError> {
        self.volumes.remove(id);
        Ok(())
    }

    fn list_volumes(
        &self,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<VolumeRecord>, bool), PluginError> {
        let mut all: Vec<VolumeRecord> = self
            .volumes
            .values()
            .filter(|v| v.id.as_str() > after)
            .cloned()
            .collect();
        let more = limit > 0 && all.len() > limit;
        if more {
            all.truncate(limit);
        }
        Ok((all, more))
    }

    fn attachments(&self, volume: &str) -> Result<Vec<(String, bool, i32)>, PluginError> {
        Ok(self
            .attachments
            .iter()
            .filter(|((v, _), _)| v == volume)
            .map(|((_, n), (ro, m))| (n.clone(), *ro, *m))
            .collect())
    }

    fn attached_count(&self, node: &str) -> Result<i64, PluginError> {
        Ok(self.attachments.keys().filter(|(_, n)| n == node).count() as i64)
    }

    fn attach(
        &mut self,
        volume: &str,
        node: &str,
        readonly: bool,
        mode: i32,
    ) -> Result<(), PluginError> {
        self.attachments
            .insert((volume.to_string(), node.to_string()), (readonly, mode));
        Ok(())
    }

    fn detach(&mut self, volume: &str, node: Option<&str>) -> Result<(), PluginError> {
        self.attachments
            .retain(|(v, n), _| !(v == volume && node.is_none_or(|x| x == n)));
        Ok(())
    }

    fn stage_of(&self, volume: &str, node: &str) -> Result<Option<String>, PluginError> {
        Ok(self
            .stages
            .get(&(volume.to_string(), node.to_string()))
            .cloned())
    }

    fn stage(&mut self, volume: &str, node: &str, path: &str) -> Result<(), PluginError> {
        self.stages
            .insert((volume.to_string(), node.to_string()), path.to_string());
        Ok(())
    }

    fn unstage(&mut self, volume: &str, node: &str) -> Result<(), PluginError> {
        self.stages.remove(&(volume.to_string(), node.to_string()));
        Ok(())
    }

    fn staging_owner(&self, node: &str, path: &str) -> Result<Option<String>, PluginError> {
        Ok(self
            .stages
            .iter()
            .find(|((_, n), p)| n == node && *p == path)
            .map(|((v, _), _)| v.clone()))
    }

    fn publication_at(&self, node: &str, target: &str) -> Result<Option<Publication>, PluginError> {
        Ok(self
            .publications
            .get(&(node.to_string(), target.to_string()))
            .cloned())
    }

    fn publications(
        &self,
        volume: &str,
        node: Option<&str>,
    ) -> Result<Vec<Publication>, PluginError> {
        Ok(self
            .publications
            .values()
            .filter(|p| p.volume_id == volume && node.is_none_or(|n| n == p.node_id))
            .cloned()
            .collect())
    }

    fn publish(&mut self, p: &Publication) -> Result<(), PluginError> {
        self.publications
            .insert((p.node_id.clone(), p.target.clone()), p.clone());
        Ok(())
    }

    fn unpublish(&mut self, node: &str, target: &str) -> Result<(), PluginError> {
        self.publications
            .remove(&(node.to_string(), target.to_string()));
        Ok(())
    }

    fn stage_count(&self, volume: &str) -> Result<i64, PluginError> {
        Ok(self.stages.keys().filter(|(v, _)| v == volume).count() as i64)
    }
}
