//! # Day 5 — Container Storage Interface
//!
//! The Container Storage Interface (CSI) is the contract between a container
//! orchestrator (the CO: Kubernetes, Nomad, Mesos) and a storage plugin. The
//! plugin serves three gRPC services on a Unix socket, in the protobuf
//! package `csi.v1`:
//!
//! - **Identity** — who are you, what can you do, are you ready
//!   (`GetPluginInfo`, `GetPluginCapabilities`, `Probe`);
//! - **Controller** — cluster-wide volume management: `CreateVolume`,
//!   `DeleteVolume`, `ControllerPublishVolume` (attach to a node),
//!   `ListVolumes`, `GetCapacity`, …;
//! - **Node** — on each node: `NodeStageVolume` (once per node, at a staging
//!   path), `NodePublishVolume` (once per pod, at the pod's target path),
//!   and their inverses.
//!
//! Every call may be retried, so every call is idempotent, and the spec names
//! the gRPC status code for each failure (INVALID_ARGUMENT, NOT_FOUND,
//! ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE,
//! RESOURCE_EXHAUSTED).
//!
//! This crate is a hostpath plugin in that mould ([`plugin::Plugin`]): each
//! volume is a directory under a data root, with its capacity accounted in an
//! SQLite state database ([`store`]) that survives restarts and can be shared
//! by several node plugins; staging and publishing are bind mounts when root,
//! symlinks otherwise ([`mount`]); names, ids and paths are checked before
//! they touch the file system ([`validate`]). What each call decides — the
//! volume's lifecycle, its preconditions and its status codes — is a
//! transport-free core ([`lifecycle`]) that the gRPC service only wraps; the
//! same core runs in memory in [`model`], which is what the page's Try it
//! block compiles to WebAssembly ([`tryit`]). The protobuf file
//! `proto/csi.proto` is compiled at build time with protox (no `protoc`).
//! [`story`] runs the seed's WordPress example through it: the MySQL pod's
//! rows outlive the pod and follow it to another node, and [`picture`] draws
//! that run's RPCs on the lifecycle.
//!
//! ```
//! use csi::pb;
//! use csi::pb::controller_server::Controller;
//! use csi::plugin::{Plugin, PluginConfig};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let root = std::env::temp_dir().join(format!("csi-doc-{}", std::process::id()));
//! let plugin = Plugin::new(PluginConfig::new("node-a", &root)).unwrap();
//! let cap = pb::VolumeCapability {
//!     access_type: Some(pb::volume_capability::AccessType::Mount(Default::default())),
//!     access_mode: Some(pb::volume_capability::AccessMode { mode: 1 }),
//! };
//! let req = pb::CreateVolumeRequest {
//!     name: "pvc-mysql".into(),
//!     volume_capabilities: vec![cap],
//!     ..Default::default()
//! };
//! let first = plugin.create_volume(tonic::Request::new(req.clone())).await.unwrap();
//! let again = plugin.create_volume(tonic::Request::new(req)).await.unwrap();
//! // A retried CreateVolume returns the same volume: idempotency.
//! assert_eq!(first.get_ref().volume, again.get_ref().volume);
//! // An id that tries to climb out of the data root is refused.
//! let bad = pb::DeleteVolumeRequest { volume_id: "../../etc".into(), ..Default::default() };
//! let err = plugin.delete_volume(tonic::Request::new(bad)).await.unwrap_err();
//! assert_eq!(err.code(), tonic::Code::InvalidArgument);
//! # std::fs::remove_dir_all(&root).ok();
//! # });
//! ```

pub mod error;
pub mod lifecycle;
pub mod model;
#[cfg(not(target_arch = "wasm32"))]
pub mod mount;
#[cfg(not(target_arch = "wasm32"))]
#[allow(missing_docs, clippy::all)]
pub mod pb {
    //! The `csi.v1` messages, clients and server traits, generated at build
    //! time from `proto/csi.proto`.
    tonic::include_proto!("csi.v1");
}
#[cfg(not(target_arch = "wasm32"))]
pub mod picture;
#[cfg(not(target_arch = "wasm32"))]
pub mod plugin;
#[cfg(not(target_arch = "wasm32"))]
pub mod pod;
#[cfg(not(target_arch = "wasm32"))]
pub mod store;
#[cfg(not(target_arch = "wasm32"))]
pub mod story;
#[cfg(not(target_arch = "wasm32"))]
pub mod transport;
pub mod tryit;
pub mod validate;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The gRPC method paths a CO calls are `/csi.v1.<Service>/<Method>`.
    #[test]
    fn method_paths_are_the_specs() {
        let generated = include_str!(concat!(env!("OUT_DIR"), "/csi.v1.rs"));
        for path in [
            "/csi.v1.Identity/GetPluginInfo",
            "/csi.v1.Identity/Probe",
            "/csi.v1.Controller/CreateVolume",
            "/csi.v1.Controller/ControllerPublishVolume",
            "/csi.v1.Controller/ListVolumes",
            "/csi.v1.Controller/ControllerModifyVolume",
            "/csi.v1.Node/NodeStageVolume",
            "/csi.v1.Node/NodePublishVolume",
            "/csi.v1.Node/NodeGetInfo",
        ] {
            assert!(generated.contains(path), "{path}");
        }
    }
}
