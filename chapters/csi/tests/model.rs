//! The in-memory model (what the page's Try it block runs) and the real gRPC
//! plugin (SQLite state, symlinks on disk) answer a whole lifecycle, with its
//! refusals, with the same status codes and the same messages.

use csi::error::code_name;
use csi::lifecycle::{
    AccessType, Capability, ControllerPublish, ControllerUnpublish, CreateVolume, DeleteVolume,
    GIB, NodePublish, NodeStage, NodeUnpublish, NodeUnstage,
};
use csi::model::ModelPlugin;
use csi::pb;
use csi::pb::controller_server::Controller;
use csi::pb::node_server::Node;
use csi::plugin::{Plugin, PluginConfig};
use tonic::Request;

enum Op {
    Create(CreateVolume),
    Delete(DeleteVolume),
    Publish(ControllerPublish),
    Unpublish(ControllerUnpublish),
    Stage(usize, NodeStage),
    Unstage(usize, NodeUnstage),
    NodePublish(usize, NodePublish),
    NodeUnpublish(usize, NodeUnpublish),
}

fn pb_cap(c: &Capability) -> pb::VolumeCapability {
    pb::VolumeCapability {
        access_type: c.access_type.map(|t| match t {
            AccessType::Mount => pb::volume_capability::AccessType::Mount(Default::default()),
            AccessType::Block => pb::volume_capability::AccessType::Block(Default::default()),
        }),
        access_mode: c
            .access_mode
            .map(|mode| pb::volume_capability::AccessMode { mode }),
    }
}

/// "OK" or "CODE: message", from the real plugin.
async fn real(plugins: &[Plugin], op: &Op) -> String {
    let answer = |r: Result<(), tonic::Status>| match r {
        Ok(()) => "OK".to_string(),
        Err(s) => format!("{}: {}", code_name(s.code()), s.message()),
    };
    let p = &plugins[0];
    match op {
        Op::Create(r) => answer(
            p.create_volume(Request::new(pb::CreateVolumeRequest {
                name: r.name.clone(),
                capacity_range: r.capacity_range.map(|(required_bytes, limit_bytes)| {
                    pb::CapacityRange {
                        required_bytes,
                        limit_bytes,
                    }
                }),
                volume_capabilities: r.capabilities.iter().map(pb_cap).collect(),
                ..Default::default()
            }))
            .await
            .map(|_| ()),
        ),
        Op::Delete(r) => answer(
            p.delete_volume(Request::new(pb::DeleteVolumeRequest {
                volume_id: r.volume_id.clone(),
                ..Default::default()
            }))
            .await
            .map(|_| ()),
        ),
        Op::Publish(r) => answer(
            p.controller_publish_volume(Request::new(pb::ControllerPublishVolumeRequest {
                volume_id: r.volume_id.clone(),
                node_id: r.node_id.clone(),
                volume_capability: r.capability.as_ref().map(pb_cap),
                readonly: r.readonly,
                ..Default::default()
            }))
            .await
            .map(|_| ()),
        ),
        Op::Unpublish(r) => answer(
            p.controller_unpublish_volume(Request::new(pb::ControllerUnpublishVolumeRequest {
                volume_id: r.volume_id.clone(),
                node_id: r.node_id.clone(),
                ..Default::default()
            }))
            .await
            .map(|_| ()),
        ),
        Op::Stage(n, r) => answer(
            plugins[*n]
                .node_stage_volume(Request::new(pb::NodeStageVolumeRequest {
                    volume_id: r.volume_id.clone(),
                    staging_target_path: r.staging_target_path.clone(),
                    volume_capability: r.capability.as_ref().map(pb_cap),
                    ..Default::default()
                }))
                .await
                .map(|_| ()),
        ),
        Op::Unstage(n, r) => answer(
            plugins[*n]
                .node_unstage_volume(Request::new(pb::NodeUnstageVolumeRequest {
                    volume_id: r.volume_id.clone(),
                    staging_target_path: r.staging_target_path.clone(),
                }))
                .await
                .map(|_| ()),
        ),
        Op::NodePublish(n, r) => answer(
            plugins[*n]
                .node_publish_volume(Request::new(pb::NodePublishVolumeRequest {
                    volume_id: r.volume_id.clone(),
                    staging_target_path: r.staging_target_path.clone(),
                    target_path: r.target_path.clone(),
                    volume_capability: r.capability.as_ref().map(pb_cap),
                    readonly: r.readonly,
                    ..Default::default()
                }))
                .await
                .map(|_| ()),
        ),
        Op::NodeUnpublish(n, r) => answer(
            plugins[*n]
                .node_unpublish_volume(Request::new(pb::NodeUnpublishVolumeRequest {
                    volume_id: r.volume_id.clone(),
                    target_path: r.target_path.clone(),
                }))
                .await
                .map(|_| ()),
        ),
    }
}

/// The same, from the model.
fn model(m: &mut ModelPlugin, nodes: &[&str], op: &Op) -> String {
    let r = match op {
        Op::Create(r) => m.create_volume(r).map(|_| ()),
        Op::Delete(r) => m.delete_volume(r),
        Op::Publish(r) => m.controller_publish(r),
        Op::Unpublish(r) => m.controller_unpublish(r),
        Op::Stage(n, r) => m.node_stage(nodes[*n], r),
        Op::Unstage(n, r) => m.node_unstage(nodes[*n], r),
        Op::NodePublish(n, r) => m.node_publish(nodes[*n], r),
        Op::NodeUnpublish(n, r) => m.node_unpublish(nodes[*n], r),
    };
    match r {
        Ok(()) => "OK".into(),
        Err(e) => format!("{}: {}", e.code_name(), e.message()),
    }
}

#[tokio::test]
async fn the_model_answers_like_the_grpc_plugin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("data");
    let nodes = ["node-a", "node-b"];
    let plugins: Vec<Plugin> = nodes
        .iter()
        .map(|n| {
            let mut cfg = PluginConfig::new(n, &root);
            cfg.capacity_bytes = 10 * GIB;
            cfg.max_volume_bytes = 10 * GIB;
            Plugin::new(cfg).expect("plugin")
        })
        .collect();
    let mut m = ModelPlugin::new(&nodes, 0, 10 * GIB);

    let path = |p: &str| dir.path().join(p).to_string_lossy().into_owned();
    let (staging, target) = (path("staging"), path("pods/mysql-0/vol"));
    std::fs::create_dir_all(&staging).expect("staging dir");
    let snw = Capability::mount(1);
    let create = |name: &str, gib: i64| {
        Op::Create(CreateVolume {
            name: name.into(),
            capabilities: vec![snw],
            capacity_range: Some((gib * GIB, 0)),
            ..Default::default()
        })
    };
    let v = "vol-000001".to_string();
    let publish = |node: &str| {
        Op::Publish(ControllerPublish {
            volume_id: v.clone(),
            node_id: node.into(),
            capability: Some(snw),
            readonly: false,
        })
    };
    let stage = |n| {
        Op::Stage(
            n,
            NodeStage {
                volume_id: v.clone(),
                staging_target_path: staging.clone(),
                capability: Some(snw),
            },
        )
    };
    let ops = vec![
        create("pvc-1", 1),
        create("pvc-1", 1),
        create("pvc-1", 2),
        create("pvc-2", 20),
        create("pvc-3", 10),
        stage(0),
        publish("node-a"),
        publish("node-z"),
        stage(0),
        Op::NodePublish(
            0,
            NodePublish {
                volume_id: v.clone(),
                target_path: target.clone(),
                staging_target_path: staging.clone(),
                capability: Some(snw),
                readonly: false,
            },
        ),
        publish("node-b"),
        Op::Delete(DeleteVolume {
            volume_id: v.clone(),
        }),
        Op::Unstage(
            0,
            NodeUnstage {
                volume_id: v.clone(),
                staging_target_path: staging.clone(),
            },
        ),
        Op::Unpublish(ControllerUnpublish {
            volume_id: v.clone(),
            node_id: "node-a".into(),
        }),
        Op::NodeUnpublish(
            0,
            NodeUnpublish {
                volume_id: v.clone(),
                target_path: target.clone(),
            },
        ),
        Op::Unstage(
            0,
            NodeUnstage {
                volume_id: v.clone(),
                staging_target_path: staging.clone(),
            },
        ),
        Op::Unpublish(ControllerUnpublish {
            volume_id: v.clone(),
            node_id: "node-a".into(),
        }),
        publish("node-b"),
        stage(1),
        Op::Unstage(
            1,
            NodeUnstage {
                volume_id: v.clone(),
                staging_target_path: staging.clone(),
            },
        ),
        Op::Unpublish(ControllerUnpublish {
            volume_id: v.clone(),
            node_id: String::new(),
        }),
        Op::Delete(DeleteVolume {
            volume_id: v.clone(),
        }),
        Op::Delete(DeleteVolume {
            volume_id: v.clone(),
        }),
        Op::Delete(DeleteVolume {
            volume_id: "../../etc".into(),
        }),
        stage(0),
    ];
    let mut codes = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let want = real(&plugins, op).await;
        let got = model(&mut m, &nodes, op);
        assert_eq!(got, want, "call {}", i + 1);
        codes.push(want.split(':').next().unwrap_or("").to_string());
    }
    // The sequence exercises every code the lifecycle can give.
    for code in [
        "OK",
        "ALREADY_EXISTS",
        "OUT_OF_RANGE",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "NOT_FOUND",
        "INVALID_ARGUMENT",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
}
