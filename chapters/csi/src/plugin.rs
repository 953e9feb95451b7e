//! The plugin: the three CSI services over one shared state (native only).
//!
//! Each RPC validates its fields first (missing or malformed → INVALID_ARGUMENT,
//! before any lookup, as csi-sanity expects), then takes the volume's
//! in-flight slot (a second call on the same volume meanwhile → ABORTED), then
//! reads and changes the state in one transaction. Every RPC is idempotent:
//! repeating a call that already took effect returns OK with the same answer.
//!
//! The decisions are [`crate::lifecycle`]'s (`check`, then `apply` in the
//! transaction); this module adds what needs a runtime: protobuf in and out,
//! the in-flight slots, the SQLite state and the file system.

use crate::error::PluginError;
use crate::lifecycle::{self, Capability, Host, Limits, check_capability};
use crate::mount::{self, MountMode};
use crate::pb::{
    self, controller_server::Controller, identity_server::Identity, node_server::Node,
    volume_capability::AccessType,
};
use crate::store::{SqliteState, Store, VolumeRecord, q};
use crate::validate;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tonic::{Request, Response, Status};

/// The plugin's name as GetPluginInfo reports it (domain-name notation).
pub const DRIVER_NAME: &str = "hostpath.csi.workbook.dev";

/// How a plugin process is set up (the CLI's flags).
#[derive(Debug, Clone)]
pub struct PluginConfig {
    /// The node this plugin's Node service runs on (NodeGetInfo's `node_id`).
    pub node_id: String,
    /// Where volumes and the state database live.
    pub data_root: PathBuf,
    /// NodeGetInfo's `max_volumes_per_node`, enforced by ControllerPublishVolume
    /// for this node (0 = no limit).
    pub max_volumes_per_node: i64,
    /// Total bytes the plugin may grant across all volumes.
    pub capacity_bytes: i64,
    /// Largest single volume.
    pub max_volume_bytes: i64,
    /// Size of a volume whose request names no capacity.
    pub default_volume_bytes: i64,
    /// Bind mounts or symlinks.
    pub mount_mode: MountMode,
    /// Log every RPC and its outcome to stderr.
    pub log: bool,
    /// Hold each volume operation this long (to show ABORTED in class and tests).
    pub op_delay: Duration,
}

impl PluginConfig {
    /// Defaults for `node_id` on `data_root`: 1 TiB pool, 1 GiB default volume,
    /// no attach limit, symlink mode, quiet.
    pub fn new(node_id: &str, data_root: &Path) -> Self {
        Self {
            node_id: node_id.to_string(),
            data_root: data_root.to_path_buf(),
            max_volumes_per_node: 0,
            capacity_bytes: 1024 * GIB,
            max_volume_bytes: 1024 * GIB,
            default_volume_bytes: GIB,
            mount_mode: MountMode::Symlink,
            log: false,
            op_delay: Duration::ZERO,
        }
    }
}

/// The CSI plugin. Cheap to clone; every clone shares the state.
#[derive(Clone)]
pub struct Plugin {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: PluginConfig,
    data_root: PathBuf,
    store: Store,
    in_flight: Mutex<HashSet<String>>,
}

/// Holds a volume's in-flight slot; releases it when dropped.
struct OpGuard<'a> {
    set: &'a Mutex<HashSet<String>>,
    key: String,
}

impl Drop for OpGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.set.lock() {
            s.remove(&self.key);
        }
    }
}

pub use crate::lifecycle::{GIB, mode_name};

/// The lifecycle's view of a protobuf `VolumeCapability`.
fn capability(cap: &pb::VolumeCapability) -> Capability {
    Capability {
        access_type: cap.access_type.as_ref().map(|t| match t {
            AccessType::Mount(_) => lifecycle::AccessType::Mount,
            AccessType::Block(_) => lifecycle::AccessType::Block,
        }),
        access_mode: cap.access_mode.as_ref().map(|m| m.mode),
    }
}

/// The host side of the lifecycle: volume directories under the data root and
/// bind mounts or symlinks at the CO's paths.
struct HostFs<'a> {
    store: &'a Store,
    mode: MountMode,
}

impl Host for HostFs<'_> {
    fn create_volume_dir(&mut self, volume_id: &str) -> Result<(), PluginError> {
        let dir = self.store.volume_dir(volume_id);
        std::fs::create_dir_all(&dir)
            .map_err(|e| PluginError::Internal(format!("creating {}: {e}", dir.display())))
    }

    fn remove_volume_dir(&mut self, volume_id: &str) -> Result<(), PluginError> {
        let dir = self.store.volume_dir(volume_id);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(PluginError::Internal(format!(
                "removing {}: {e}",
                dir.display()
            ))),
        }
    }

    fn stage(&mut self, volume_id: &str, staging: &Path) -> Result<(), PluginError> {
        mount::attach(self.mode, &self.store.volume_dir(volume_id), staging, false)
    }

    fn unstage(&mut self, staging: &Path) -> Result<(), PluginError> {
        mount::detach(self.mode, staging, false)
    }

    fn publish(
        &mut self,
        staging: &Path,
        target: &Path,
        readonly: bool,
    ) -> Result<(), PluginError> {
        mount::attach(self.mode, staging, target, readonly)
    }

    fn unpublish(&mut self, target: &Path) -> Result<(), PluginError> {
        mount::detach(self.mode, target, true)
    }
}

fn to_volume(v: &VolumeRecord) -> pb::Volume {
    pb::Volume {
        capacity_bytes: v.capacity_bytes,
        volume_id: v.id.clone(),
        volume_context: BTreeMap::new().into_iter().collect(),
        content_source: None,
        accessible_topology: vec![],
    }
}

fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&p) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                total += meta.len();
            }
        }
    }
    total
}

fn rpc_cap(t: pb::controller_service_capability::rpc::Type) -> pb::ControllerServiceCapability {
    pb::ControllerServiceCapability {
        r#type: Some(pb::controller_service_capability::Type::Rpc(
            pb::controller_service_capability::Rpc { r#type: t as i32 },
        )),
    }
}

fn node_cap(t: pb::node_service_capability::rpc::Type) -> pb::NodeServiceCapability {
    pb::NodeServiceCapability {
        r#type: Some(pb::node_service_capability::Type::Rpc(
            pb::node_service_capability::Rpc { r#type: t as i32 },
        )),
    }
}

impl Plugin {
    /// Open the state in the data root and register this node.
    pub fn new(cfg: PluginConfig) -> Result<Self, PluginError> {
        validate::id("node_id", &cfg.node_id)?;
        std::fs::create_dir_all(&cfg.data_root).map_err(|e| {
            PluginError::Internal(format!("creating {}: {e}", cfg.data_root.display()))
        })?;
        let data_root = std::fs::canonicalize(&cfg.data_root).map_err(|e| {
            PluginError::Internal(format!("resolving {}: {e}", cfg.data_root.display()))
        })?;
        let store = Store::open(&data_root)?;
        store.register_node(&cfg.node_id, cfg.max_volumes_per_node)?;
        Ok(Self {
            inner: Arc::new(Inner {
                cfg,
                data_root,
                store,
                in_flight: Mutex::new(HashSet::new()),
            }),
        })
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &PluginConfig {
        &self.inner.cfg
    }

    /// Where volume `id`'s data lives.
    pub fn volume_dir(&self, id: &str) -> PathBuf {
        self.inner.store.volume_dir(id)
    }

    async fn begin(&self, key: &str) -> Result<OpGuard<'_>, PluginError> {
        {
            let mut set = self
                .inner
                .in_flight
                .lock()
                .map_err(|_| PluginError::Internal("in-flight set poisoned".into()))?;
            if !set.insert(key.to_string()) {
                return Err(PluginError::Aborted(format!(
                    "an operation on {key} is already in progress"
                )));
            }
        }
        let guard = OpGuard {
            set: &self.inner.in_flight,
            key: key.to_string(),
        };
        if !self.inner.cfg.op_delay.is_zero() {
            tokio::time::sleep(self.inner.cfg.op_delay).await;
        }
        Ok(guard)
    }

    fn finish<T>(
        &self,
        method: &str,
        detail: &str,
        out: Result<T, PluginError>,
    ) -> Result<Response<T>, Status> {
        if self.inner.cfg.log {
            let node = &self.inner.cfg.node_id;
            match &out {
                Ok(_) => eprintln!("csi-hostpath[{node}] {method} {detail} -> OK"),
                Err(e) => eprintln!(
                    "csi-hostpath[{node}] {method} {detail} -> {}: {}",
                    crate::error::code_name(e.code()),
                    e.message()
                ),
            }
        }
        out.map(Response::new).map_err(Status::from)
    }

    fn node(&self) -> &str {
        &self.inner.cfg.node_id
    }

    fn limits(&self) -> Limits {
        let cfg = &self.inner.cfg;
        Limits {
            capacity_bytes: cfg.capacity_bytes,
            max_volume_bytes: cfg.max_volume_bytes,
            default_volume_bytes: cfg.default_volume_bytes,
        }
    }

    fn host(&self) -> HostFs<'_> {
        HostFs {
            store: &self.inner.store,
            mode: self.inner.cfg.mount_mode,
        }
    }

    // ---------------- Controller ----------------

    async fn create_volume_inner(
        &self,
        r: pb::CreateVolumeRequest,
    ) -> Result<pb::CreateVolumeResponse, PluginError> {
        let req = lifecycle::CreateVolume {
            capabilities: r.volume_capabilities.iter().map(capability).collect(),
            content_source: r.volume_content_source.is_some(),
            mutable_parameters: !r.mutable_parameters.is_empty(),
            capacity_range: r.capacity_range.map(|c| (c.required_bytes, c.limit_bytes)),
            parameters: r.parameters.into_iter().collect(),
            name: r.name,
        };
        let limits = self.limits();
        req.check(&limits)?;
        let _op = self.begin(&format!("name {}", req.name)).await?;
        let vol = self
            .inner
            .store
            .tx(|t| req.apply(&mut SqliteState(t), &mut self.host(), &limits))?;
        Ok(pb::CreateVolumeResponse {
            volume: Some(to_volume(&vol)),
        })
    }

    async fn delete_volume_inner(&self, r: pb::DeleteVolumeRequest) -> Result<(), PluginError> {
        let req = lifecycle::DeleteVolume {
            volume_id: r.volume_id,
        };
        req.check()?;
        let _op = self.begin(&req.volume_id).await?;
        self.inner
            .store
            .tx(|t| req.apply(&mut SqliteState(t), &mut self.host()))
    }

    async fn controller_publish_inner(
        &self,
        r: pb::ControllerPublishVolumeRequest,
    ) -> Result<pb::ControllerPublishVolumeResponse, PluginError> {
        let req = lifecycle::ControllerPublish {
            capability: r.volume_capability.as_ref().map(capability),
            volume_id: r.volume_id,
            node_id: r.node_id,
            readonly: r.readonly,
        };
        req.check()?;
        let _op = self.begin(&req.volume_id).await?;
        self.inner.store.tx(|t| req.apply(&mut SqliteState(t)))?;
        Ok(pb::ControllerPublishVolumeResponse {
            publish_context: [("attached-to".to_string(), req.node_id)]
                .into_iter()
                .collect(),
        })
    }

    async fn controller_unpublish_inner(
        &self,
        r: pb::ControllerUnpublishVolumeRequest,
    ) -> Result<(), PluginError> {
        let req = lifecycle::ControllerUnpublish {
            volume_id: r.volume_id,
            node_id: r.node_id,
        };
        req.check()?;
        let _op = self.begin(&req.volume_id).await?;
        self.inner.store.tx(|t| req.apply(&mut SqliteState(t)))
    }

    async fn validate_inner(
        &self,
        r: pb::ValidateVolumeCapabilitiesRequest,
    ) -> Result<pb::ValidateVolumeCapabilitiesResponse, PluginError> {
        validate::id("volume_id", &r.volume_id)?;
        if r.volume_capabilities.is_empty() {
            return Err(PluginError::InvalidArgument(
                "volume_capabilities are required".into(),
            ));
        }
        let vol = self
            .inner
            .store
            .tx(|t| q::volume(t, &r.volume_id))?
            .ok_or_else(|| PluginError::NotFound(format!("volume {}", r.volume_id)))?;
        let unconfirmed = |message: String| pb::ValidateVolumeCapabilitiesResponse {
            confirmed: None,
            message,
        };
        for cap in &r.volume_capabilities {
            if let Err(e) = check_capability(&capability(cap)) {
                return Ok(unconfirmed(e.message().to_string()));
            }
        }
        if !r.volume_context.is_empty() {
            return Ok(unconfirmed(
                "volume_context does not match this volume's (empty) context".into(),
            ));
        }
        let params: BTreeMap<String, String> = r.parameters.clone().into_iter().collect();
        if !params.is_empty() && params != vol.parameters {
            return Ok(unconfirmed("parameters do not match the volume's".into()));
        }
        Ok(pb::ValidateVolumeCapabilitiesResponse {
            confirmed: Some(pb::validate_volume_capabilities_response::Confirmed {
                volume_context: r.volume_context,
                volume_capabilities: r.volume_capabilities,
                parameters: r.parameters,
                mutable_parameters: Default::default(),
            }),
            message: String::new(),
        })
    }

    fn list_volumes_inner(
        &self,
        r: pb::ListVolumesRequest,
    ) -> Result<pb::ListVolumesResponse, PluginError> {
        if r.max_entries < 0 {
            return Err(PluginError::InvalidArgument(
                "max_entries must not be negative".into(),
            ));
        }
        if !r.starting_token.is_empty() && !is_volume_id(&r.starting_token) {
            return Err(PluginError::Aborted(format!(
                "starting_token {:?} was not issued by this plugin",
                r.starting_token
            )));
        }
        let limit = usize::try_from(r.max_entries).unwrap_or(0);
        self.inner.store.tx(|t| {
            let (vols, more) = q::list_volumes(t, &r.starting_token, limit)?;
            let mut entries = Vec::with_capacity(vols.len());
            for v in &vols {
                let nodes = q::attachments(t, &v.id)?
                    .into_iter()
                    .map(|(n, _, _)| n)
                    .collect();
                entries.push(pb::list_volumes_response::Entry {
                    volume: Some(to_volume(v)),
                    status: Some(pb::list_volumes_response::VolumeStatus {
                        published_node_ids: nodes,
                        volume_condition: None,
                    }),
                });
            }
            let next_token = if more {
                vols.last().map(|v| v.id.clone()).unwrap_or_default()
            } else {
                String::new()
            };
            Ok(pb::ListVolumesResponse {
                entries,
                next_token,
            })
        })
    }

    fn get_capacity_inner(
        &self,
        r: pb::GetCapacityRequest,
    ) -> Result<pb::GetCapacityResponse, PluginError> {
        let cfg = &self.inner.cfg;
        if r.volume_capabilities
            .iter()
            .any(|c| check_capability(&capability(c)).is_err())
        {
            return Ok(pb::GetCapacityResponse {
                available_capacity: 0,
                maximum_volume_size: Some(0),
                minimum_volume_size: None,
            });
        }
        let allocated = self.inner.store.tx(q::allocated)?;
        let available = (cfg.capacity_bytes - allocated).max(0);
        Ok(pb::GetCapacityResponse {
            available_capacity: available,
            maximum_volume_size: Some(available.min(cfg.max_volume_bytes)),
            minimum_volume_size: None,
        })
    }

    // ---------------- Node ----------------

    async fn node_stage_inner(&self, r: pb::NodeStageVolumeRequest) -> Result<(), PluginError> {
        let req = lifecycle::NodeStage {
            capability: r.volume_capability.as_ref().map(capability),
            volume_id: r.volume_id,
            staging_target_path: r.staging_target_path,
        };
        req.check(&self.inner.data_root)?;
        let _op = self.begin(&req.volume_id).await?;
        self.inner
            .store
            .tx(|t| req.apply(&mut SqliteState(t), &mut self.host(), self.node()))
    }

    async fn node_unstage_inner(&self, r: pb::NodeUnstageVolumeRequest) -> Result<(), PluginError> {
        let req = lifecycle::NodeUnstage {
            volume_id: r.volume_id,
            staging_target_path: r.staging_target_path,
        };
        req.check(&self.inner.data_root)?;
        let _op = self.begin(&req.volume_id).await?;
        self.inner
            .store
            .tx(|t| req.apply(&mut SqliteState(t), &mut self.host(), self.node()))
    }

    async fn node_publish_inner(&self, r: pb::NodePublishVolumeRequest) -> Result<(), PluginError> {
        let req = lifecycle::NodePublish {
            capability: r.volume_capability.as_ref().map(capability),
            volume_id: r.volume_id,
            target_path: r.target_path,
            staging_target_path: r.staging_target_path,
            readonly: r.readonly,
        };
        req.check(&self.inner.data_root)?;
        let _op = self.begin(&req.volume_id).await?;
        self.inner
            .store
            .tx(|t| req.apply(&mut SqliteState(t), &mut self.host(), self.node()))
    }

    async fn node_unpublish_inner(
        &self,
        r: pb::NodeUnpublishVolumeRequest,
    ) -> Result<(), PluginError> {
        let req = lifecycle::NodeUnpublish {
            volume_id: r.volume_id,
            target_path: r.target_path,
        };
        req.check(&self.inner.data_root)?;
        let _op = self.begin(&req.volume_id).await?;
        self.inner
            .store
            .tx(|t| req.apply(&mut SqliteState(t), &mut self.host(), self.node()))
    }

    fn node_stats_inner(
        &self,
        r: pb::NodeGetVolumeStatsRequest,
    ) -> Result<pb::NodeGetVolumeStatsResponse, PluginError> {
        validate::id("volume_id", &r.volume_id)?;
        if r.volume_path.is_empty() {
            return Err(PluginError::InvalidArgument(
                "volume_path is required".into(),
            ));
        }
        let node = self.node();
        let vol = self.inner.store.tx(|t| {
            let vol = q::volume(t, &r.volume_id)?
                .ok_or_else(|| PluginError::NotFound(format!("volume {}", r.volume_id)))?;
            let published = q::publications(t, &r.volume_id, Some(node))?
                .iter()
                .any(|p| p.target == r.volume_path);
            let staged =
                q::stage_of(t, &r.volume_id, node)?.as_deref() == Some(r.volume_path.as_str());
            if !published && !staged {
                return Err(PluginError::NotFound(format!(
                    "{} is not staged or published at {} on {node}",
                    r.volume_id, r.volume_path
                )));
            }
            Ok(vol)
        })?;
        let used = i64::try_from(dir_size(&self.volume_dir(&vol.id))).unwrap_or(i64::MAX);
        Ok(pb::NodeGetVolumeStatsResponse {
            usage: vec![pb::VolumeUsage {
                available: (vol.capacity_bytes - used).max(0),
                total: vol.capacity_bytes,
                used,
                unit: pb::volume_usage::Unit::Bytes as i32,
            }],
            volume_condition: None,
        })
    }
}

fn is_volume_id(s: &str) -> bool {
    s.len() == 10 && s.starts_with("vol-") && s[4..].bytes().all(|b| b.is_ascii_digit())
}

fn unimplemented<T>(what: &str) -> Result<T, PluginError> {
    Err(PluginError::Unimplemented(format!(
        "{what} is not offered by this plugin"
    )))
}

#[tonic::async_trait]
impl Identity for Plugin {
    async fn get_plugin_info(
        &self,
        _r: Request<pb::GetPluginInfoRequest>,
    ) -> Result<Response<pb::GetPluginInfoResponse>, Status> {
        let out = Ok(pb::GetPluginInfoResponse {
            name: DRIVER_NAME.to_string(),
            vendor_version: env!("CARGO_PKG_VERSION").to_string(),
            manifest: [(
                "mount-mode".to_string(),
                self.inner.cfg.mount_mode.name().to_string(),
            )]
            .into_iter()
            .collect(),
        });
        self.finish("GetPluginInfo", "", out)
    }

    async fn get_plugin_capabilities(
        &self,
        _r: Request<pb::GetPluginCapabilitiesRequest>,
    ) -> Result<Response<pb::GetPluginCapabilitiesResponse>, Status> {
        use pb::plugin_capability::{Service, Type, service};
        let out = Ok(pb::GetPluginCapabilitiesResponse {
            capabilities: vec![pb::PluginCapability {
                r#type: Some(Type::Service(Service {
                    r#type: service::Type::ControllerService as i32,
                })),
            }],
        });
        self.finish("GetPluginCapabilities", "", out)
    }

    async fn probe(
        &self,
        _r: Request<pb::ProbeRequest>,
    ) -> Result<Response<pb::ProbeResponse>, Status> {
        self.finish("Probe", "", Ok(pb::ProbeResponse { ready: Some(true) }))
    }
}

#[tonic::async_trait]
impl Controller for Plugin {
    async fn create_volume(
        &self,
        r: Request<pb::CreateVolumeRequest>,
    ) -> Result<Response<pb::CreateVolumeResponse>, Status> {
        let r = r.into_inner();
        let detail = format!("name={:?}", r.name);
        let out = self.create_volume_inner(r).await;
        let detail = match &out {
            Ok(v) => format!(
                "{detail} id={}",
                v.volume
                    .as_ref()
                    .map(|v| v.volume_id.as_str())
                    .unwrap_or("")
            ),
            Err(_) => detail,
        };
        self.finish("CreateVolume", &detail, out)
    }

    async fn delete_volume(
        &self,
        r: Request<pb::DeleteVolumeRequest>,
    ) -> Result<Response<pb::DeleteVolumeResponse>, Status> {
        let r = r.into_inner();
        let detail = format!("volume_id={:?}", r.volume_id);
        let out = self
            .delete_volume_inner(r)
            .await
            .map(|()| pb::DeleteVolumeResponse {});
        self.finish("DeleteVolume", &detail, out)
    }

    async fn controller_publish_volume(
        &self,
        r: Request<pb::ControllerPublishVolumeRequest>,
    ) -> Result<Response<pb::ControllerPublishVolumeResponse>, Status> {
        let r = r.into_inner();
        let detail = format!("volume_id={:?} node_id={:?}", r.volume_id, r.node_id);
        let out = self.controller_publish_inner(r).await;
        self.finish("ControllerPublishVolume", &detail, out)
    }

    async fn controller_unpublish_volume(
        &self,
        r: Request<pb::ControllerUnpublishVolumeRequest>,
    ) -> Result<Response<pb::ControllerUnpublishVolumeResponse>, Status> {
        let r = r.into_inner();
        let detail = format!("volume_id={:?} node_id={:?}", r.volume_id, r.node_id);
        let out = self
            .controller_unpublish_inner(r)
            .await
            .map(|()| pb::ControllerUnpublishVolumeResponse {});
        self.finish("ControllerUnpublishVolume", &detail, out)
    }

    async fn validate_volume_capabilities(
        &self,
        r: Request<pb::ValidateVolumeCapabilitiesRequest>,
    ) -> Result<Response<pb::ValidateVolumeCapabilitiesResponse>, Status> {
        let r = r.into_inner();
        let detail = format!("volume_id={:?}", r.volume_id);
        let out = self.validate_inner(r).await;
        self.finish("ValidateVolumeCapabilities", &detail, out)
    }

    async fn list_volumes(
        &self,
        r: Request<pb::ListVolumesRequest>,
    ) -> Result<Response<pb::ListVolumesResponse>, Status> {
        let r = r.into_inner();
        let detail = format!(
            "max_entries={} starting_token={:?}",
            r.max_entries, r.starting_token
        );
        let out = self.list_volumes_inner(r);
        self.finish("ListVolumes", &detail, out)
    }

    async fn get_capacity(
        &self,
        r: Request<pb::GetCapacityRequest>,
    ) -> Result<Response<pb::GetCapacityResponse>, Status> {
        let out = self.get_capacity_inner(r.into_inner());
        self.finish("GetCapacity", "", out)
    }

    async fn controller_get_capabilities(
        &self,
        _r: Request<pb::ControllerGetCapabilitiesRequest>,
    ) -> Result<Response<pb::ControllerGetCapabilitiesResponse>, Status> {
        use pb::controller_service_capability::rpc::Type;
        let out = Ok(pb::ControllerGetCapabilitiesResponse {
            capabilities: [
                Type::CreateDeleteVolume,
                Type::PublishUnpublishVolume,
                Type::ListVolumes,
                Type::GetCapacity,
                Type::PublishReadonly,
                Type::ListVolumesPublishedNodes,
            ]
            .into_iter()
            .map(rpc_cap)
            .collect(),
        });
        self.finish("ControllerGetCapabilities", "", out)
    }

    async fn create_snapshot(
        &self,
        _r: Request<pb::CreateSnapshotRequest>,
    ) -> Result<Response<pb::CreateSnapshotResponse>, Status> {
        self.finish("CreateSnapshot", "", unimplemented("CreateSnapshot"))
    }

    async fn delete_snapshot(
        &self,
        _r: Request<pb::DeleteSnapshotRequest>,
    ) -> Result<Response<pb::DeleteSnapshotResponse>, Status> {
        self.finish("DeleteSnapshot", "", unimplemented("DeleteSnapshot"))
    }

    async fn list_snapshots(
        &self,
        _r: Request<pb::ListSnapshotsRequest>,
    ) -> Result<Response<pb::ListSnapshotsResponse>, Status> {
        self.finish("ListSnapshots", "", unimplemented("ListSnapshots"))
    }

    async fn controller_expand_volume(
        &self,
        _r: Request<pb::ControllerExpandVolumeRequest>,
    ) -> Result<Response<pb::ControllerExpandVolumeResponse>, Status> {
        self.finish(
            "ControllerExpandVolume",
            "",
            unimplemented("ControllerExpandVolume"),
        )
    }

    async fn controller_get_volume(
        &self,
        _r: Request<pb::ControllerGetVolumeRequest>,
    ) -> Result<Response<pb::ControllerGetVolumeResponse>, Status> {
        self.finish(
            "ControllerGetVolume",
            "",
            unimplemented("ControllerGetVolume"),
        )
    }

    async fn controller_modify_volume(
        &self,
        _r: Request<pb::ControllerModifyVolumeRequest>,
    ) -> Result<Response<pb::ControllerModifyVolumeResponse>, Status> {
        self.finish(
            "ControllerModifyVolume",
            "",
            unimplemented("ControllerModifyVolume"),
        )
    }
}

#[tonic::async_trait]
impl Node for Plugin {
    async fn node_stage_volume(
        &self,
        r: Request<pb::NodeStageVolumeRequest>,
    ) -> Result<Response<pb::NodeStageVolumeResponse>, Status> {
        let r = r.into_inner();
        let detail = format!("volume_id={:?}", r.volume_id);
        let out = self
            .node_stage_inner(r)
            .await
            .map(|()| pb::NodeStageVolumeResponse {});
        self.finish("NodeStageVolume", &detail, out)
    }

    async fn node_unstage_volume(
        &self,
        r: Request<pb::NodeUnstageVolumeRequest>,
    ) -> Result<Response<pb::NodeUnstageVolumeResponse>, Status> {
        let r = r.into_inner();
        let detail = format!("volume_id={:?}", r.volume_id);
        let out = self
            .node_unstage_inner(r)
            .await
            .map(|()| pb::NodeUnstageVolumeResponse {});
        self.finish("NodeUnstageVolume", &detail, out)
    }

    async fn node_publish_volume(
        &self,
        r: Request<pb::NodePublishVolumeRequest>,
    ) -> Result<Response<pb::NodePublishVolumeResponse>, Status> {
        let r = r.into_inner();
        let detail = format!(
            "volume_id={:?} target_path={:?}",
            r.volume_id, r.target_path
        );
        let out = self
            .node_publish_inner(r)
            .await
            .map(|()| pb::NodePublishVolumeResponse {});
        self.finish("NodePublishVolume", &detail, out)
    }

    async fn node_unpublish_volume(
        &self,
        r: Request<pb::NodeUnpublishVolumeRequest>,
    ) -> Result<Response<pb::NodeUnpublishVolumeResponse>, Status> {
        let r = r.into_inner();
        let detail = format!(
            "volume_id={:?} target_path={:?}",
            r.volume_id, r.target_path
        );
        let out = self
            .node_unpublish_inner(r)
            .await
            .map(|()| pb::NodeUnpublishVolumeResponse {});
        self.finish("NodeUnpublishVolume", &detail, out)
    }

    async fn node_get_volume_stats(
        &self,
        r: Request<pb::NodeGetVolumeStatsRequest>,
    ) -> Result<Response<pb::NodeGetVolumeStatsResponse>, Status> {
        let r = r.into_inner();
        let detail = format!("volume_id={:?}", r.volume_id);
        let out = self.node_stats_inner(r);
        self.finish("NodeGetVolumeStats", &detail, out)
    }

    async fn node_expand_volume(
        &self,
        _r: Request<pb::NodeExpandVolumeRequest>,
    ) -> Result<Response<pb::NodeExpandVolumeResponse>, Status> {
        self.finish("NodeExpandVolume", "", unimplemented("NodeExpandVolume"))
    }

    async fn node_get_capabilities(
        &self,
        _r: Request<pb::NodeGetCapabilitiesRequest>,
    ) -> Result<Response<pb::NodeGetCapabilitiesResponse>, Status> {
        use pb::node_service_capability::rpc::Type;
        let out = Ok(pb::NodeGetCapabilitiesResponse {
            capabilities: vec![
                node_cap(Type::StageUnstageVolume),
                node_cap(Type::GetVolumeStats),
            ],
        });
        self.finish("NodeGetCapabilities", "", out)
    }

    async fn node_get_info(
        &self,
        _r: Request<pb::NodeGetInfoRequest>,
    ) -> Result<Response<pb::NodeGetInfoResponse>, Status> {
        let out = Ok(pb::NodeGetInfoResponse {
            node_id: self.inner.cfg.node_id.clone(),
            max_volumes_per_node: self.inner.cfg.max_volumes_per_node,
            accessible_topology: None,
        });
        self.finish("NodeGetInfo", "", out)
    }
}
