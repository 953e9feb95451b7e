//! Wire compatibility with the CSI spec: bytes built by hand from the field
//! numbers in the spec's csi.proto (v1.9.0, container-storage-interface/spec)
//! decode into this crate's messages with every value in the right field, and
//! our encoding produces those same bytes. A renumbered or retyped field in
//! `proto/csi.proto` fails here.

use csi::pb;
use prost::Message;

/// A tiny protobuf writer: just enough to build messages by field number.
#[derive(Default)]
struct W(Vec<u8>);

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl W {
    fn int(mut self, field: u32, v: i64) -> Self {
        varint(u64::from(field) << 3, &mut self.0);
        varint(v as u64, &mut self.0);
        self
    }
    fn bytes(mut self, field: u32, b: &[u8]) -> Self {
        varint((u64::from(field) << 3) | 2, &mut self.0);
        varint(b.len() as u64, &mut self.0);
        self.0.extend_from_slice(b);
        self
    }
    fn str(self, field: u32, s: &str) -> Self {
        self.bytes(field, s.as_bytes())
    }
    fn msg(self, field: u32, m: W) -> Self {
        self.bytes(field, &m.0)
    }
    /// A `map<string,string>` entry: key = 1, value = 2.
    fn entry(self, field: u32, k: &str, v: &str) -> Self {
        self.msg(field, W::default().str(1, k).str(2, v))
    }
}

fn mount_snw() -> W {
    // VolumeCapability: mount = 2 { fs_type = 1, mount_flags = 2 }, access_mode = 3 { mode = 1 }
    W::default()
        .msg(2, W::default().str(1, "ext4").str(2, "noatime"))
        .msg(3, W::default().int(1, 1))
}

#[test]
fn create_volume_request() {
    let bytes = W::default()
        .str(1, "pvc-1")
        .msg(2, W::default().int(1, 10).int(2, 20))
        .msg(3, mount_snw())
        .entry(4, "tier", "gold")
        .entry(5, "password", "s3cret")
        .msg(6, W::default().msg(2, W::default().str(1, "vol-src")))
        .msg(7, W::default().msg(1, W::default().entry(1, "zone", "z1")))
        .entry(8, "iops", "100")
        .0;
    let r = pb::CreateVolumeRequest::decode(bytes.as_slice()).expect("decode");
    assert_eq!(r.name, "pvc-1");
    let cr = r.capacity_range.expect("range");
    assert_eq!((cr.required_bytes, cr.limit_bytes), (10, 20));
    let cap = &r.volume_capabilities[0];
    match &cap.access_type {
        Some(pb::volume_capability::AccessType::Mount(m)) => {
            assert_eq!(
                (m.fs_type.as_str(), m.mount_flags[0].as_str()),
                ("ext4", "noatime")
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cap.access_mode.as_ref().map(|m| m.mode), Some(1));
    assert_eq!(r.parameters["tier"], "gold");
    assert_eq!(r.secrets["password"], "s3cret");
    assert!(matches!(
        r.volume_content_source.as_ref().and_then(|s| s.r#type.as_ref()),
        Some(pb::volume_content_source::Type::Volume(v)) if v.volume_id == "vol-src"
    ));
    let topo = r.accessibility_requirements.as_ref().expect("topology");
    assert_eq!(topo.requisite[0].segments["zone"], "z1");
    assert_eq!(r.mutable_parameters["iops"], "100");
}

#[test]
fn volume_and_responses_encode_with_spec_numbers() {
    let v = pb::Volume {
        capacity_bytes: 7,
        volume_id: "vol-000001".into(),
        ..Default::default()
    };
    assert_eq!(
        v.encode_to_vec(),
        W::default().int(1, 7).str(2, "vol-000001").0
    );
    let list = pb::ListVolumesResponse {
        entries: vec![pb::list_volumes_response::Entry {
            volume: Some(v.clone()),
            status: Some(pb::list_volumes_response::VolumeStatus {
                published_node_ids: vec!["node-a".into()],
                volume_condition: None,
            }),
        }],
        next_token: "vol-000001".into(),
    };
    let want = W::default()
        .msg(
            1,
            W::default()
                .msg(1, W::default().int(1, 7).str(2, "vol-000001"))
                .msg(2, W::default().str(1, "node-a")),
        )
        .str(2, "vol-000001")
        .0;
    assert_eq!(list.encode_to_vec(), want);
    let cap = pb::GetCapacityResponse {
        available_capacity: 5,
        maximum_volume_size: Some(9),
        minimum_volume_size: None,
    };
    assert_eq!(
        cap.encode_to_vec(),
        W::default().int(1, 5).msg(2, W::default().int(1, 9)).0
    );
    let info = pb::NodeGetInfoResponse {
        node_id: "node-a".into(),
        max_volumes_per_node: 3,
        accessible_topology: None,
    };
    assert_eq!(
        info.encode_to_vec(),
        W::default().str(1, "node-a").int(2, 3).0
    );
    let probe = pb::ProbeResponse { ready: Some(true) };
    assert_eq!(
        probe.encode_to_vec(),
        W::default().msg(1, W::default().int(1, 1)).0
    );
    let usage = pb::VolumeUsage {
        available: 1,
        total: 2,
        used: 3,
        unit: 1,
    };
    assert_eq!(
        usage.encode_to_vec(),
        W::default().int(1, 1).int(2, 2).int(3, 3).int(4, 1).0
    );
    let plugin = pb::GetPluginInfoResponse {
        name: "n".into(),
        vendor_version: "v".into(),
        manifest: [("k".to_string(), "x".to_string())].into_iter().collect(),
    };
    assert_eq!(
        plugin.encode_to_vec(),
        W::default().str(1, "n").str(2, "v").entry(3, "k", "x").0
    );
    // capabilities: PluginCapability.service = 1 { type = 1 }, ControllerServiceCapability.rpc = 1 { type = 1 }
    let pc = pb::PluginCapability {
        r#type: Some(pb::plugin_capability::Type::Service(
            pb::plugin_capability::Service { r#type: 1 },
        )),
    };
    assert_eq!(
        pc.encode_to_vec(),
        W::default().msg(1, W::default().int(1, 1)).0
    );
    let vc = pb::ValidateVolumeCapabilitiesResponse {
        confirmed: Some(pb::validate_volume_capabilities_response::Confirmed {
            volume_context: Default::default(),
            volume_capabilities: vec![],
            parameters: [("a".to_string(), "b".to_string())].into_iter().collect(),
            mutable_parameters: Default::default(),
        }),
        message: "m".into(),
    };
    assert_eq!(
        vc.encode_to_vec(),
        W::default()
            .msg(1, W::default().entry(3, "a", "b"))
            .str(2, "m")
            .0
    );
}

#[test]
fn controller_requests() {
    let p = W::default()
        .str(1, "vol-1")
        .str(2, "node-a")
        .msg(3, mount_snw())
        .int(4, 1)
        .entry(5, "s", "t")
        .entry(6, "c", "d")
        .0;
    let r = pb::ControllerPublishVolumeRequest::decode(p.as_slice()).expect("publish");
    assert_eq!(
        (r.volume_id.as_str(), r.node_id.as_str(), r.readonly),
        ("vol-1", "node-a", true)
    );
    assert!(r.volume_capability.is_some());
    assert_eq!(
        (r.secrets["s"].as_str(), r.volume_context["c"].as_str()),
        ("t", "d")
    );
    let u = W::default()
        .str(1, "vol-1")
        .str(2, "node-a")
        .entry(3, "s", "t")
        .0;
    let r = pb::ControllerUnpublishVolumeRequest::decode(u.as_slice()).expect("unpublish");
    assert_eq!(
        (
            r.volume_id.as_str(),
            r.node_id.as_str(),
            r.secrets["s"].as_str()
        ),
        ("vol-1", "node-a", "t")
    );
    let d = W::default().str(1, "vol-1").entry(2, "s", "t").0;
    let r = pb::DeleteVolumeRequest::decode(d.as_slice()).expect("delete");
    assert_eq!(
        (r.volume_id.as_str(), r.secrets["s"].as_str()),
        ("vol-1", "t")
    );
    let l = W::default().int(1, 2).str(2, "tok").0;
    let r = pb::ListVolumesRequest::decode(l.as_slice()).expect("list");
    assert_eq!((r.max_entries, r.starting_token.as_str()), (2, "tok"));
    let v = W::default()
        .str(1, "vol-1")
        .entry(2, "c", "d")
        .msg(3, mount_snw())
        .entry(4, "p", "q")
        .entry(5, "s", "t")
        .entry(6, "m", "n")
        .0;
    let r = pb::ValidateVolumeCapabilitiesRequest::decode(v.as_slice()).expect("validate");
    assert_eq!(r.volume_context["c"], "d");
    assert_eq!(r.volume_capabilities.len(), 1);
    assert_eq!(
        (r.parameters["p"].as_str(), r.secrets["s"].as_str()),
        ("q", "t")
    );
    assert_eq!(r.mutable_parameters["m"], "n");
}

#[test]
fn node_requests() {
    let s = W::default()
        .str(1, "vol-1")
        .entry(2, "device", "/dev/x")
        .str(3, "/staging")
        .msg(4, mount_snw())
        .entry(5, "s", "t")
        .entry(6, "c", "d")
        .0;
    let r = pb::NodeStageVolumeRequest::decode(s.as_slice()).expect("stage");
    assert_eq!(
        (r.volume_id.as_str(), r.staging_target_path.as_str()),
        ("vol-1", "/staging")
    );
    assert_eq!(r.publish_context["device"], "/dev/x");
    assert!(r.volume_capability.is_some());
    assert_eq!(
        (r.secrets["s"].as_str(), r.volume_context["c"].as_str()),
        ("t", "d")
    );
    let p = W::default()
        .str(1, "vol-1")
        .entry(2, "device", "/dev/x")
        .str(3, "/staging")
        .str(4, "/target")
        .msg(5, mount_snw())
        .int(6, 1)
        .entry(7, "s", "t")
        .entry(8, "c", "d")
        .0;
    let r = pb::NodePublishVolumeRequest::decode(p.as_slice()).expect("publish");
    assert_eq!(
        (
            r.volume_id.as_str(),
            r.staging_target_path.as_str(),
            r.target_path.as_str(),
            r.readonly
        ),
        ("vol-1", "/staging", "/target", true)
    );
    assert_eq!(
        (r.secrets["s"].as_str(), r.volume_context["c"].as_str()),
        ("t", "d")
    );
    assert!(r.volume_capability.is_some() && r.publish_context.contains_key("device"));
    let u = W::default().str(1, "vol-1").str(2, "/target").0;
    let r = pb::NodeUnpublishVolumeRequest::decode(u.as_slice()).expect("unpublish");
    assert_eq!(
        (r.volume_id.as_str(), r.target_path.as_str()),
        ("vol-1", "/target")
    );
    let r = pb::NodeUnstageVolumeRequest::decode(u.as_slice()).expect("unstage");
    assert_eq!(
        (r.volume_id.as_str(), r.staging_target_path.as_str()),
        ("vol-1", "/target")
    );
    let st = W::default()
        .str(1, "vol-1")
        .str(2, "/target")
        .str(3, "/staging")
        .0;
    let r = pb::NodeGetVolumeStatsRequest::decode(st.as_slice()).expect("stats");
    assert_eq!(
        (
            r.volume_id.as_str(),
            r.volume_path.as_str(),
            r.staging_target_path.as_str()
        ),
        ("vol-1", "/target", "/staging")
    );
}

#[test]
fn enum_values_match_the_spec() {
    use pb::controller_service_capability::rpc::Type as C;
    use pb::node_service_capability::rpc::Type as N;
    use pb::volume_capability::access_mode::Mode as M;
    assert_eq!(
        [
            C::CreateDeleteVolume,
            C::PublishUnpublishVolume,
            C::ListVolumes,
            C::GetCapacity,
            C::PublishReadonly,
            C::ListVolumesPublishedNodes,
            C::ModifyVolume
        ]
        .map(|c| c as i32),
        [1, 2, 3, 4, 8, 10, 14]
    );
    assert_eq!(
        [
            N::StageUnstageVolume,
            N::GetVolumeStats,
            N::VolumeMountGroup
        ]
        .map(|c| c as i32),
        [1, 2, 6]
    );
    assert_eq!(
        [
            M::SingleNodeWriter,
            M::MultiNodeMultiWriter,
            M::SingleNodeMultiWriter
        ]
        .map(|m| m as i32),
        [1, 5, 7]
    );
}
