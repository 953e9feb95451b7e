//! The checks csi-sanity (kubernetes-csi/csi-test v5.2.0, pkg/sanity) makes,
//! for the capabilities this plugin advertises, re-made in Rust over the real
//! Unix socket. Section names follow csi-sanity's `Describe` blocks.

mod common;
use common::*;
use csi::mount::MountMode;
use csi::pb;
use tonic::Code;

#[tokio::test]
async fn identity_service() {
    let f = start(MountMode::Symlink, |_| {}).await;
    let mut id = f.c.identity.clone();
    let info = id
        .get_plugin_info(pb::GetPluginInfoRequest {})
        .await
        .expect("info")
        .into_inner();
    // csi-sanity: ^[a-zA-Z][A-Za-z0-9-\.\_]{0,61}[a-zA-Z]$ and a vendor version.
    let n = info.name.as_bytes();
    assert!(n.len() <= 63 && n[0].is_ascii_alphabetic() && n[n.len() - 1].is_ascii_alphabetic());
    assert!(
        info.name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
    );
    assert!(!info.vendor_version.is_empty());
    let caps = id
        .get_plugin_capabilities(pb::GetPluginCapabilitiesRequest {})
        .await
        .expect("caps")
        .into_inner();
    assert!(caps.capabilities.iter().any(|c| matches!(
        &c.r#type,
        Some(pb::plugin_capability::Type::Service(s)) if s.r#type == 1
    )));
    let probe = id
        .probe(pb::ProbeRequest {})
        .await
        .expect("probe")
        .into_inner();
    assert_eq!(probe.ready, Some(true));
    f.stop().await;
}

#[tokio::test]
async fn capabilities_and_node_info() {
    let f = start(MountMode::Symlink, |c| c.max_volumes_per_node = 3).await;
    let caps =
        f.c.controller
            .clone()
            .controller_get_capabilities(pb::ControllerGetCapabilitiesRequest {})
            .await
            .expect("caps")
            .into_inner();
    for c in &caps.capabilities {
        match &c.r#type {
            Some(pb::controller_service_capability::Type::Rpc(r)) => {
                assert!((1..=14).contains(&r.r#type), "known capability")
            }
            None => panic!("capability without rpc"),
        }
    }
    let info =
        f.c.node
            .clone()
            .node_get_info(pb::NodeGetInfoRequest {})
            .await
            .expect("info")
            .into_inner();
    assert_eq!(info.node_id, "node-1");
    assert_eq!(info.max_volumes_per_node, 3);
    assert!(
        info.accessible_topology.is_none(),
        "no VOLUME_ACCESSIBILITY_CONSTRAINTS"
    );
    f.stop().await;
}

#[tokio::test]
async fn create_volume() {
    let f = start(MountMode::Symlink, |_| {}).await;
    let mut ctl = f.c.controller.clone();
    // should fail when no name is provided / no capabilities
    assert_eq!(
        code(ctl.create_volume(pb::CreateVolumeRequest::default()).await),
        Code::InvalidArgument
    );
    let mut no_caps = create_req("sanity-no-caps", TEST_SIZE);
    no_caps.volume_capabilities.clear();
    assert_eq!(
        code(ctl.create_volume(no_caps).await),
        Code::InvalidArgument
    );
    // SingleNodeWriter NoCapacity and WithCapacity
    let v0 = f.create("sanity-no-capacity", 0).await;
    assert_eq!(v0.capacity_bytes, GIB, "the default size");
    let v1 = f.create("sanity-with-capacity", TEST_SIZE).await;
    assert!(v1.capacity_bytes >= TEST_SIZE);
    assert!(
        f.plugin.volume_dir(&v1.volume_id).is_dir(),
        "a directory per volume"
    );
    // same name, same capacity: same volume
    let again = f.create("sanity-with-capacity", TEST_SIZE).await;
    assert_eq!(again.volume_id, v1.volume_id);
    // same name, different capacity: ALREADY_EXISTS
    let mut twice = create_req("sanity-with-capacity", 2 * TEST_SIZE);
    twice.capacity_range = Some(pb::CapacityRange {
        required_bytes: 2 * TEST_SIZE,
        limit_bytes: 2 * TEST_SIZE,
    });
    assert_eq!(code(ctl.create_volume(twice).await), Code::AlreadyExists);
    // maximum-length name (128 bytes) works, 129 does not
    let max = format!("sanity-controller-create-maxlen-{}", "x".repeat(128 - 32));
    assert_eq!(max.len(), 128);
    f.create(&max, TEST_SIZE).await;
    assert_eq!(
        code(ctl.create_volume(create_req(&format!("{max}y"), 0)).await),
        Code::InvalidArgument
    );
    // a name is never a path: `../../etc` makes vol-…, inside the data root
    let odd = f.create("../../etc", 0).await;
    assert!(odd.volume_id.starts_with("vol-"));
    assert!(
        f.plugin
            .volume_dir(&odd.volume_id)
            .starts_with(&f.data_root)
    );
    // block access, content sources, bad ranges
    let mut block = create_req("sanity-block", 0);
    block.volume_capabilities[0].access_type =
        Some(pb::volume_capability::AccessType::Block(Default::default()));
    assert_eq!(code(ctl.create_volume(block).await), Code::InvalidArgument);
    let mut clone = create_req("sanity-clone", 0);
    clone.volume_content_source = Some(pb::VolumeContentSource {
        r#type: Some(pb::volume_content_source::Type::Volume(
            pb::volume_content_source::VolumeSource {
                volume_id: v1.volume_id.clone(),
            },
        )),
    });
    assert_eq!(code(ctl.create_volume(clone).await), Code::InvalidArgument);
    let mut inverted = create_req("sanity-inverted", 0);
    inverted.capacity_range = Some(pb::CapacityRange {
        required_bytes: 2 * GIB,
        limit_bytes: GIB,
    });
    assert_eq!(code(ctl.create_volume(inverted).await), Code::OutOfRange);
    assert_eq!(
        code(
            ctl.create_volume(create_req("sanity-huge", 2048 * GIB))
                .await
        ),
        Code::OutOfRange
    );
    f.stop().await;
}

#[tokio::test]
async fn capacity_is_accounted_and_runs_out() {
    let f = start(MountMode::Symlink, |c| {
        c.capacity_bytes = 25 * GIB;
        c.max_volume_bytes = 25 * GIB;
    })
    .await;
    let mut ctl = f.c.controller.clone();
    let cap0 = ctl
        .get_capacity(pb::GetCapacityRequest::default())
        .await
        .expect("cap")
        .into_inner();
    assert_eq!(cap0.available_capacity, 25 * GIB);
    f.create("a", TEST_SIZE).await;
    f.create("b", TEST_SIZE).await;
    let cap = ctl
        .get_capacity(pb::GetCapacityRequest::default())
        .await
        .expect("cap")
        .into_inner();
    assert_eq!(cap.available_capacity, 5 * GIB);
    assert_eq!(
        code(ctl.create_volume(create_req("c", TEST_SIZE)).await),
        Code::ResourceExhausted
    );
    f.stop().await;
}

#[tokio::test]
async fn delete_volume() {
    let f = start(MountMode::Symlink, |_| {}).await;
    let mut ctl = f.c.controller.clone();
    let del = |id: &str| pb::DeleteVolumeRequest {
        volume_id: id.into(),
        ..Default::default()
    };
    assert_eq!(
        code(ctl.delete_volume(del("")).await),
        Code::InvalidArgument
    );
    assert_eq!(
        code(ctl.delete_volume(del("fake-invalid-vol-id")).await),
        Code::Ok
    );
    // path traversal through the id
    let canary = f.dir.path().join("canary");
    std::fs::create_dir(&canary).expect("canary");
    for bad in ["../../etc", "../canary", "..", "a/b"] {
        assert_eq!(
            code(ctl.delete_volume(del(bad)).await),
            Code::InvalidArgument,
            "{bad}"
        );
    }
    assert!(canary.is_dir(), "nothing outside the data root was touched");
    let v = f.create("sanity-delete", TEST_SIZE).await;
    assert_eq!(code(ctl.delete_volume(del(&v.volume_id)).await), Code::Ok);
    assert!(
        !f.plugin.volume_dir(&v.volume_id).exists(),
        "directory removed"
    );
    assert_eq!(
        code(ctl.delete_volume(del(&v.volume_id)).await),
        Code::Ok,
        "idempotent"
    );
    f.stop().await;
}

#[tokio::test]
async fn validate_volume_capabilities() {
    let f = start(MountMode::Symlink, |_| {}).await;
    let mut ctl = f.c.controller.clone();
    assert_eq!(
        code(
            ctl.validate_volume_capabilities(pb::ValidateVolumeCapabilitiesRequest::default())
                .await
        ),
        Code::InvalidArgument
    );
    let v = f.create("sanity-validate", TEST_SIZE).await;
    let req = |id: &str, caps: Vec<pb::VolumeCapability>| pb::ValidateVolumeCapabilitiesRequest {
        volume_id: id.into(),
        volume_capabilities: caps,
        ..Default::default()
    };
    assert_eq!(
        code(
            ctl.validate_volume_capabilities(req(&v.volume_id, vec![]))
                .await
        ),
        Code::InvalidArgument
    );
    let ok = ctl
        .validate_volume_capabilities(req(&v.volume_id, vec![snw()]))
        .await
        .expect("ok")
        .into_inner();
    assert!(
        !ok.confirmed
            .expect("confirmed")
            .volume_capabilities
            .is_empty()
    );
    assert_eq!(
        code(
            ctl.validate_volume_capabilities(req("fake-vol-id-123", vec![snw()]))
                .await
        ),
        Code::NotFound
    );
    f.stop().await;
}

#[tokio::test]
async fn list_volumes_pages_and_tokens() {
    let f = start(MountMode::Symlink, |_| {}).await;
    let mut ctl = f.c.controller.clone();
    let bad = ctl
        .list_volumes(pb::ListVolumesRequest {
            starting_token: "invalid-token".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(code(bad), Code::Aborted);
    let empty = ctl
        .list_volumes(pb::ListVolumesRequest::default())
        .await
        .expect("list")
        .into_inner();
    assert!(empty.entries.is_empty());
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(f.create(&format!("sanity-list-{i}"), 0).await.volume_id);
    }
    // walk the pages two at a time
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = ctl
            .list_volumes(pb::ListVolumesRequest {
                max_entries: 2,
                starting_token: token.clone(),
            })
            .await
            .expect("page")
            .into_inner();
        assert!(page.entries.len() <= 2);
        seen.extend(
            page.entries
                .iter()
                .map(|e| e.volume.as_ref().expect("vol").volume_id.clone()),
        );
        if page.next_token.is_empty() {
            break;
        }
        token = page.next_token;
    }
    assert_eq!(seen, ids, "every volume once, in order");
    // a deleted volume disappears; a token survives the deletion of its volume
    let first = ctl
        .list_volumes(pb::ListVolumesRequest {
            max_entries: 2,
            ..Default::default()
        })
        .await
        .expect("page")
        .into_inner();
    ctl.delete_volume(pb::DeleteVolumeRequest {
        volume_id: ids[1].clone(),
        ..Default::default()
    })
    .await
    .expect("delete");
    let rest = ctl
        .list_volumes(pb::ListVolumesRequest {
            max_entries: 0,
            starting_token: first.next_token,
        })
        .await
        .expect("rest")
        .into_inner();
    assert_eq!(rest.entries.len(), 3);
    let all = ctl
        .list_volumes(pb::ListVolumesRequest::default())
        .await
        .expect("all")
        .into_inner();
    assert_eq!(all.entries.len(), 4);
    assert_eq!(
        code(
            ctl.list_volumes(pb::ListVolumesRequest {
                max_entries: -1,
                ..Default::default()
            })
            .await
        ),
        Code::InvalidArgument
    );
    f.stop().await;
}

#[tokio::test]
async fn controller_publish_volume() {
    let f = start(MountMode::Symlink, |c| c.max_volumes_per_node = 2).await;
    let mut ctl = f.c.controller.clone();
    let mut req = pb::ControllerPublishVolumeRequest::default();
    assert_eq!(
        code(ctl.controller_publish_volume(req.clone()).await),
        Code::InvalidArgument
    );
    req.volume_id = "fake-vol-id-1".into();
    assert_eq!(
        code(ctl.controller_publish_volume(req.clone()).await),
        Code::InvalidArgument
    );
    req.node_id = "fake-node-id-1".into();
    assert_eq!(
        code(ctl.controller_publish_volume(req.clone()).await),
        Code::InvalidArgument
    );
    req.volume_capability = Some(snw());
    assert_eq!(
        code(ctl.controller_publish_volume(req).await),
        Code::NotFound,
        "no such volume"
    );
    let v = f.create("sanity-publish", 0).await;
    let wrong_node = publish_req(&v.volume_id, "fake-node-id-1");
    assert_eq!(
        code(ctl.controller_publish_volume(wrong_node).await),
        Code::NotFound,
        "no such node"
    );
    // volume lifecycle, idempotent
    for _ in 0..10 {
        f.controller_publish(&v.volume_id).await.expect("publish");
    }
    let mut ro = publish_req(&v.volume_id, &f.node_id);
    ro.readonly = true;
    assert_eq!(
        code(ctl.controller_publish_volume(ro).await),
        Code::AlreadyExists
    );
    // attach limit
    let v2 = f.create("sanity-publish-2", 0).await;
    let v3 = f.create("sanity-publish-3", 0).await;
    f.controller_publish(&v2.volume_id).await.expect("second");
    assert_eq!(
        code(f.controller_publish(&v3.volume_id).await),
        Code::ResourceExhausted
    );
    // ControllerUnpublish: missing id; repeated unpublish is OK
    assert_eq!(
        code(
            ctl.controller_unpublish_volume(pb::ControllerUnpublishVolumeRequest::default())
                .await
        ),
        Code::InvalidArgument
    );
    for id in [&v.volume_id, &v2.volume_id, &v3.volume_id] {
        f.sanity_cleanup(id).await;
        f.sanity_cleanup(id).await;
    }
    f.stop().await;
}

#[tokio::test]
async fn single_node_writer_stays_on_one_node() {
    let f = start(MountMode::Symlink, |_| {}).await;
    // a second node plugin on the same data root registers node-2
    let _other = csi::plugin::Plugin::new(csi::plugin::PluginConfig::new("node-2", &f.data_root))
        .expect("node-2");
    let v = f.create("rwo", 0).await;
    f.controller_publish(&v.volume_id).await.expect("node-1");
    let mut ctl = f.c.controller.clone();
    let to2 = publish_req(&v.volume_id, "node-2");
    assert_eq!(
        code(ctl.controller_publish_volume(to2.clone()).await),
        Code::FailedPrecondition
    );
    let mut rwx = to2.clone();
    rwx.volume_capability = Some(cap(
        pb::volume_capability::access_mode::Mode::MultiNodeMultiWriter,
    ));
    assert_eq!(
        code(ctl.controller_publish_volume(rwx).await),
        Code::FailedPrecondition,
        "attached as RWO"
    );
    // in use: can't be deleted
    let del = pb::DeleteVolumeRequest {
        volume_id: v.volume_id.clone(),
        ..Default::default()
    };
    assert_eq!(code(ctl.delete_volume(del).await), Code::FailedPrecondition);
    f.sanity_cleanup(&v.volume_id).await;
    f.stop().await;
}

#[tokio::test]
async fn node_missing_fields() {
    let f = start(MountMode::Symlink, |_| {}).await;
    let mut node = f.c.node.clone();
    let target = f.target.to_string_lossy().to_string();
    let staging = f.staging.to_string_lossy().to_string();
    // NodePublishVolume: no volume id, no target path, no capability
    let mut p = pb::NodePublishVolumeRequest::default();
    assert_eq!(
        code(node.node_publish_volume(p.clone()).await),
        Code::InvalidArgument
    );
    p.volume_id = "fake-vol-id-2".into();
    assert_eq!(
        code(node.node_publish_volume(p.clone()).await),
        Code::InvalidArgument
    );
    p.target_path = target.clone();
    assert_eq!(
        code(node.node_publish_volume(p).await),
        Code::InvalidArgument
    );
    // NodeUnpublishVolume
    let mut u = pb::NodeUnpublishVolumeRequest::default();
    assert_eq!(
        code(node.node_unpublish_volume(u.clone()).await),
        Code::InvalidArgument
    );
    u.volume_id = "fake-vol-id-2".into();
    assert_eq!(
        code(node.node_unpublish_volume(u).await),
        Code::InvalidArgument
    );
    // NodeStageVolume: no volume id, no staging path, no capability (existing volume)
    let mut s = pb::NodeStageVolumeRequest {
        staging_target_path: staging.clone(),
        volume_capability: Some(snw()),
        publish_context: [("device".to_string(), "/dev/mock".to_string())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    assert_eq!(
        code(node.node_stage_volume(s.clone()).await),
        Code::InvalidArgument
    );
    s.volume_id = "fake-vol-id-2".into();
    s.staging_target_path.clear();
    assert_eq!(
        code(node.node_stage_volume(s.clone()).await),
        Code::InvalidArgument
    );
    let v = f.create("sanity-node-stage-nocaps", 0).await;
    s.volume_id = v.volume_id.clone();
    s.staging_target_path = staging.clone();
    s.volume_capability = None;
    assert_eq!(code(node.node_stage_volume(s).await), Code::InvalidArgument);
    // NodeUnstageVolume
    let mut us = pb::NodeUnstageVolumeRequest {
        staging_target_path: staging,
        ..Default::default()
    };
    assert_eq!(
        code(node.node_unstage_volume(us.clone()).await),
        Code::InvalidArgument
    );
    us.volume_id = "fake-vol-id-2".into();
    us.staging_target_path.clear();
    assert_eq!(
        code(node.node_unstage_volume(us).await),
        Code::InvalidArgument
    );
    // NodeGetVolumeStats: no id, no path, unknown volume
    let stats = |id: &str, path: &str| pb::NodeGetVolumeStatsRequest {
        volume_id: id.into(),
        volume_path: path.into(),
        ..Default::default()
    };
    assert_eq!(
        code(node.node_get_volume_stats(stats("", "some/path")).await),
        Code::InvalidArgument
    );
    assert_eq!(
        code(node.node_get_volume_stats(stats("fake-vol-id-3", "")).await),
        Code::InvalidArgument
    );
    assert_eq!(
        code(
            node.node_get_volume_stats(stats("fake-vol-id-3", "some/path"))
                .await
        ),
        Code::NotFound
    );
    f.sanity_cleanup(&v.volume_id).await;
    f.stop().await;
}

#[tokio::test]
async fn hostile_target_paths_are_refused() {
    let f = start(MountMode::Symlink, |_| {}).await;
    let v = f.create("hostile", 0).await;
    f.controller_publish(&v.volume_id).await.expect("attach");
    f.stage(&v.volume_id).await.expect("stage");
    let inside_root = f
        .data_root
        .join("volumes")
        .join("vol-999999")
        .to_string_lossy()
        .to_string();
    let climbing = format!("{}/../../etc", f.target.display());
    for bad in [
        "relative/target",
        "/",
        climbing.as_str(),
        inside_root.as_str(),
    ] {
        let r =
            f.c.node
                .clone()
                .node_publish_volume(pb::NodePublishVolumeRequest {
                    volume_id: v.volume_id.clone(),
                    staging_target_path: f.staging.to_string_lossy().into(),
                    target_path: bad.into(),
                    volume_capability: Some(snw()),
                    ..Default::default()
                })
                .await;
        assert_eq!(code(r), Code::InvalidArgument, "{bad}");
    }
    // publishing before staging, or from the wrong staging path
    f.unstage(&v.volume_id).await.expect("unstage");
    assert_eq!(
        code(f.publish(&v.volume_id).await),
        Code::FailedPrecondition
    );
    f.sanity_cleanup(&v.volume_id).await;
    f.stop().await;
}

/// csi-sanity's "Node Service should work / should be idempotent" plus "should
/// remove target path", in every mount mode this machine offers.
#[tokio::test]
async fn node_lifecycle_is_idempotent_and_unpublish_removes_target() {
    for mode in modes() {
        let f = start(mode, |_| {}).await;
        let v = f.create("sanity-node-full", TEST_SIZE).await;
        let id = v.volume_id.clone();
        // staging before ControllerPublish is refused
        assert_eq!(
            code(f.stage(&id).await),
            Code::FailedPrecondition,
            "{mode:?}"
        );
        f.controller_publish(&id).await.expect("attach");
        for _ in 0..10 {
            f.stage(&id).await.expect("stage");
        }
        for _ in 0..10 {
            f.publish(&id).await.expect("publish");
        }
        // the pod sees the volume: a file written at the target lands in the volume
        std::fs::write(f.target.join("hello.txt"), b"kept").expect("write through target");
        assert_eq!(
            std::fs::read(f.plugin.volume_dir(&id).join("hello.txt")).expect("in volume"),
            b"kept"
        );
        let mut node = f.c.node.clone();
        let stats = node
            .node_get_volume_stats(pb::NodeGetVolumeStatsRequest {
                volume_id: id.clone(),
                volume_path: f.target.to_string_lossy().into(),
                ..Default::default()
            })
            .await
            .expect("stats")
            .into_inner();
        assert_eq!(stats.usage[0].total, TEST_SIZE);
        assert_eq!(stats.usage[0].used, 4);
        let elsewhere = node
            .node_get_volume_stats(pb::NodeGetVolumeStatsRequest {
                volume_id: id.clone(),
                volume_path: "some/path".into(),
                ..Default::default()
            })
            .await;
        assert_eq!(code(elsewhere), Code::NotFound);
        // unstage while published is refused
        assert_eq!(code(f.unstage(&id).await), Code::FailedPrecondition);
        // another volume's cleanup must not touch this target
        let other = f.create("sanity-other", 0).await;
        f.unpublish(&other.volume_id)
            .await
            .expect("not published there: OK");
        assert!(
            std::fs::symlink_metadata(&f.target).is_ok(),
            "target untouched"
        );
        f.sanity_cleanup(&other.volume_id).await;
        // should remove target path
        f.unpublish(&id).await.expect("unpublish");
        assert!(
            std::fs::symlink_metadata(&f.target).is_err(),
            "{mode:?}: target removed"
        );
        f.unpublish(&id).await.expect("idempotent");
        f.unstage(&id).await.expect("unstage");
        assert!(f.staging.is_dir(), "staging dir is left for the CO");
        assert!(!csi::mount::is_mount_point(&f.staging));
        f.sanity_cleanup(&id).await;
        assert!(!f.plugin.volume_dir(&id).exists());
        f.stop().await;
    }
}

#[tokio::test]
async fn concurrent_operations_on_one_volume_are_aborted() {
    let f = start(MountMode::Symlink, |c| {
        c.op_delay = std::time::Duration::from_millis(300)
    })
    .await;
    let (mut c1, mut c2) = (f.c.controller.clone(), f.c.controller.clone());
    let (a, b) = tokio::join!(c1.create_volume(create_req("same", 0)), async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        c2.create_volume(create_req("same", 0)).await
    });
    assert_eq!(code(b), Code::Aborted);
    let id = a
        .expect("first create wins")
        .into_inner()
        .volume
        .expect("v")
        .volume_id;
    let (x, y) = tokio::join!(f.controller_publish(&id), async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        f.c.controller
            .clone()
            .delete_volume(pb::DeleteVolumeRequest {
                volume_id: id.clone(),
                ..Default::default()
            })
            .await
    });
    assert_eq!(code(x), Code::Ok);
    assert_eq!(code(y), Code::Aborted);
    // once the first finishes, the volume is free again
    f.sanity_cleanup(&id).await;
    f.stop().await;
}

#[tokio::test]
async fn unimplemented_rpcs_say_so() {
    let f = start(MountMode::Symlink, |_| {}).await;
    let mut ctl = f.c.controller.clone();
    assert_eq!(
        code(
            ctl.create_snapshot(pb::CreateSnapshotRequest::default())
                .await
        ),
        Code::Unimplemented
    );
    assert_eq!(
        code(
            ctl.list_snapshots(pb::ListSnapshotsRequest::default())
                .await
        ),
        Code::Unimplemented
    );
    assert_eq!(
        code(
            ctl.controller_expand_volume(pb::ControllerExpandVolumeRequest::default())
                .await
        ),
        Code::Unimplemented
    );
    f.stop().await;
}
