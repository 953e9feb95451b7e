//! A plugin on a real Unix socket in a scratch directory, set up the way
//! csi-sanity sets up its run: a staging directory and a target base directory
//! that exist; the target itself (`<base>/target`) does not.
#![allow(dead_code)]

use csi::mount::MountMode;
use csi::pb;
use csi::plugin::{Plugin, PluginConfig};
use csi::transport::{CsiClients, serve_unix};
use std::path::PathBuf;
use tokio::sync::oneshot;
use tonic::Code;

pub const GIB: i64 = 1 << 30;
/// csi-sanity's default test volume size.
pub const TEST_SIZE: i64 = 10 * GIB;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub c: CsiClients,
    pub node_id: String,
    pub data_root: PathBuf,
    pub staging: PathBuf,
    pub target: PathBuf,
    pub plugin: Plugin,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// The mount modes this machine can test: symlink always, bind when root.
pub fn modes() -> Vec<MountMode> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut m = vec![MountMode::Symlink];
    if MountMode::auto(dir.path()) == MountMode::Bind {
        m.push(MountMode::Bind);
    } else {
        println!("bind mode not available here (not root): testing symlink mode only");
    }
    m
}

pub async fn start(mode: MountMode, tweak: impl FnOnce(&mut PluginConfig)) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_root = dir.path().join("data");
    let mut cfg = PluginConfig::new("node-1", &data_root);
    cfg.mount_mode = mode;
    tweak(&mut cfg);
    let node_id = cfg.node_id.clone();
    let plugin = Plugin::new(cfg).expect("plugin");
    let socket = dir.path().join("csi.sock");
    let (stop, rx) = oneshot::channel::<()>();
    let p = plugin.clone();
    let sock = socket.clone();
    let server = tokio::spawn(async move {
        serve_unix(p, &sock, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    let mut c = None;
    for _ in 0..400 {
        if let Ok(x) = CsiClients::connect(&socket).await {
            c = Some(x);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let staging = dir.path().join("staging");
    let target_base = dir.path().join("mount");
    std::fs::create_dir_all(&staging).expect("staging");
    std::fs::create_dir_all(&target_base).expect("target base");
    Fixture {
        c: c.expect("connect"),
        node_id,
        data_root: std::fs::canonicalize(&data_root).expect("root"),
        staging,
        target: target_base.join("target"),
        plugin,
        stop: Some(stop),
        server: Some(server),
        dir,
    }
}

impl Fixture {
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }

    pub async fn create(&self, name: &str, size: i64) -> pb::Volume {
        self.c
            .controller
            .clone()
            .create_volume(create_req(name, size))
            .await
            .expect("create")
            .into_inner()
            .volume
            .expect("volume")
    }

    pub async fn controller_publish(
        &self,
        id: &str,
    ) -> Result<pb::ControllerPublishVolumeResponse, tonic::Status> {
        self.c
            .controller
            .clone()
            .controller_publish_volume(publish_req(id, &self.node_id))
            .await
            .map(|r| r.into_inner())
    }

    pub async fn stage(&self, id: &str) -> Result<(), tonic::Status> {
        self.c
            .node
            .clone()
            .node_stage_volume(pb::NodeStageVolumeRequest {
                volume_id: id.into(),
                staging_target_path: self.staging.to_string_lossy().into(),
                volume_capability: Some(snw()),
                ..Default::default()
            })
            .await
            .map(|_| ())
    }

    pub async fn publish(&self, id: &str) -> Result<(), tonic::Status> {
        self.c
            .node
            .clone()
            .node_publish_volume(pb::NodePublishVolumeRequest {
                volume_id: id.into(),
                staging_target_path: self.staging.to_string_lossy().into(),
                target_path: self.target.to_string_lossy().into(),
                volume_capability: Some(snw()),
                ..Default::default()
            })
            .await
            .map(|_| ())
    }

    pub async fn unpublish(&self, id: &str) -> Result<(), tonic::Status> {
        self.c
            .node
            .clone()
            .node_unpublish_volume(pb::NodeUnpublishVolumeRequest {
                volume_id: id.into(),
                target_path: self.target.to_string_lossy().into(),
            })
            .await
            .map(|_| ())
    }

    pub async fn unstage(&self, id: &str) -> Result<(), tonic::Status> {
        self.c
            .node
            .clone()
            .node_unstage_volume(pb::NodeUnstageVolumeRequest {
                volume_id: id.into(),
                staging_target_path: self.staging.to_string_lossy().into(),
            })
            .await
            .map(|_| ())
    }

    /// csi-sanity's per-test cleanup: NodeUnpublish, NodeUnstage,
    /// ControllerUnpublish, DeleteVolume; only NOT_FOUND is tolerated on the
    /// node calls, nothing on the controller calls.
    pub async fn sanity_cleanup(&self, id: &str) {
        for r in [self.unpublish(id).await, self.unstage(id).await] {
            if let Err(s) = r {
                assert_eq!(s.code(), Code::NotFound, "{s:?}");
            }
        }
        self.c
            .controller
            .clone()
            .controller_unpublish_volume(pb::ControllerUnpublishVolumeRequest {
                volume_id: id.into(),
                node_id: self.node_id.clone(),
                ..Default::default()
            })
            .await
            .expect("ControllerUnpublishVolume in cleanup");
        self.c
            .controller
            .clone()
            .delete_volume(pb::DeleteVolumeRequest {
                volume_id: id.into(),
                ..Default::default()
            })
            .await
            .expect("DeleteVolume in cleanup");
    }
}

pub fn snw() -> pb::VolumeCapability {
    cap(pb::volume_capability::access_mode::Mode::SingleNodeWriter)
}

pub fn cap(mode: pb::volume_capability::access_mode::Mode) -> pb::VolumeCapability {
    use pb::volume_capability::{AccessMode, AccessType, MountVolume};
    pb::VolumeCapability {
        access_type: Some(AccessType::Mount(MountVolume::default())),
        access_mode: Some(AccessMode { mode: mode as i32 }),
    }
}

pub fn create_req(name: &str, size: i64) -> pb::CreateVolumeRequest {
    pb::CreateVolumeRequest {
        name: name.into(),
        capacity_range: (size > 0).then_some(pb::CapacityRange {
            required_bytes: size,
            limit_bytes: 0,
        }),
        volume_capabilities: vec![snw()],
        ..Default::default()
    }
}

pub fn publish_req(id: &str, node: &str) -> pb::ControllerPublishVolumeRequest {
    pb::ControllerPublishVolumeRequest {
        volume_id: id.into(),
        node_id: node.into(),
        volume_capability: Some(snw()),
        ..Default::default()
    }
}

pub fn code<T: std::fmt::Debug>(r: Result<T, tonic::Status>) -> Code {
    match r {
        Ok(_) => Code::Ok,
        Err(s) => s.code(),
    }
}
