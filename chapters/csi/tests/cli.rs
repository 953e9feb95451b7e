//! The `csi-hostpath` binary as a process: SIGTERM removes the socket, state
//! survives a restart, bad flags give an error and a non-zero exit; and the
//! page's program tells the story it claims.

mod common;
use common::*;
use csi::pb;
use csi::transport::CsiClients;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_csi-hostpath");

fn spawn(socket: &Path, root: &Path, mode: &str) -> Child {
    Command::new(BIN)
        .arg("--endpoint")
        .arg(format!("unix://{}", socket.display()))
        .arg("--data-root")
        .arg(root)
        .args(["--node-id", "node-1", "--mount-mode", mode])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn csi-hostpath")
}

async fn connect(socket: &Path) -> CsiClients {
    for _ in 0..1000 {
        if socket.exists()
            && let Ok(c) = CsiClients::connect(socket).await
        {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("plugin did not come up at {}", socket.display());
}

fn sigterm(child: &mut Child) -> String {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
    let out = std::mem::replace(child, Command::new("true").spawn().expect("true"));
    let out = out.wait_with_output().expect("wait");
    assert!(out.status.success(), "clean exit on SIGTERM");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_removes_socket_and_state_survives_restart() {
    for mode in ["symlink", "auto"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("run").join("csi.sock");
        let root = dir.path().join("data");
        let staging = dir.path().join("staging");
        let target = dir.path().join("pod").join("target");
        std::fs::create_dir_all(&staging).expect("staging");

        let mut child = spawn(&socket, &root, mode);
        let c = connect(&socket).await;
        let mut ctl = c.controller.clone();
        let mut node = c.node.clone();
        let vol = ctl
            .create_volume(create_req("pvc-restart", GIB))
            .await
            .expect("create")
            .into_inner();
        let id = vol.volume.expect("vol").volume_id;
        ctl.controller_publish_volume(publish_req(&id, "node-1"))
            .await
            .expect("attach");
        node.node_stage_volume(pb::NodeStageVolumeRequest {
            volume_id: id.clone(),
            staging_target_path: staging.to_string_lossy().into(),
            volume_capability: Some(snw()),
            ..Default::default()
        })
        .await
        .expect("stage");
        node.node_publish_volume(pb::NodePublishVolumeRequest {
            volume_id: id.clone(),
            staging_target_path: staging.to_string_lossy().into(),
            target_path: target.to_string_lossy().into(),
            volume_capability: Some(snw()),
            ..Default::default()
        })
        .await
        .expect("publish");
        std::fs::write(target.join("row"), b"1001").expect("write");
        drop((c, ctl, node));

        let log = sigterm(&mut child);
        assert!(!socket.exists(), "{mode}: socket removed on SIGTERM");
        assert!(
            log.contains("CreateVolume name=\"pvc-restart\" id=vol-000001 -> OK"),
            "{log}"
        );
        assert!(
            log.contains("-> OK"),
            "RPCs are logged with their outcome: {log}"
        );

        // restart: the volume, its attachment and its publication are remembered
        let mut child = spawn(&socket, &root, mode);
        let c = connect(&socket).await;
        let mut ctl = c.controller.clone();
        let mut node = c.node.clone();
        let list = ctl
            .list_volumes(pb::ListVolumesRequest::default())
            .await
            .expect("list")
            .into_inner();
        assert_eq!(list.entries.len(), 1);
        let status = list.entries[0].status.clone().expect("status");
        assert_eq!(status.published_node_ids, vec!["node-1".to_string()]);
        assert_eq!(
            std::fs::read(target.join("row")).expect("still mounted"),
            b"1001"
        );
        node.node_unpublish_volume(pb::NodeUnpublishVolumeRequest {
            volume_id: id.clone(),
            target_path: target.to_string_lossy().into(),
        })
        .await
        .expect("unpublish after restart");
        assert!(
            std::fs::symlink_metadata(&target).is_err(),
            "target removed"
        );
        node.node_unstage_volume(pb::NodeUnstageVolumeRequest {
            volume_id: id.clone(),
            staging_target_path: staging.to_string_lossy().into(),
        })
        .await
        .expect("unstage");
        ctl.controller_unpublish_volume(pb::ControllerUnpublishVolumeRequest {
            volume_id: id.clone(),
            node_id: "node-1".into(),
            ..Default::default()
        })
        .await
        .expect("detach");
        ctl.delete_volume(pb::DeleteVolumeRequest {
            volume_id: id,
            ..Default::default()
        })
        .await
        .expect("delete");
        drop((c, ctl, node));
        sigterm(&mut child);
        assert!(!socket.exists());
    }
}

#[test]
fn bad_flags_fail_with_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-socket");
    std::fs::write(&file, "precious").expect("file");
    let root = dir.path().join("data");
    let root_s = root.to_string_lossy().to_string();
    let file_ep = format!("unix://{}", file.display());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "--endpoint"),
        (
            vec![
                "--endpoint",
                "unix://relative.sock",
                "--data-root",
                &root_s,
                "--node-id",
                "n",
            ],
            "endpoint",
        ),
        (
            vec![
                "--endpoint",
                "tcp://127.0.0.1:1",
                "--data-root",
                &root_s,
                "--node-id",
                "n",
            ],
            "endpoint",
        ),
        (
            vec![
                "--endpoint",
                &file_ep,
                "--data-root",
                &root_s,
                "--node-id",
                "n",
            ],
            "not a socket",
        ),
        (
            vec![
                "--endpoint",
                "unix:///tmp/x.sock",
                "--data-root",
                &root_s,
                "--node-id",
                "../../etc",
            ],
            "node_id",
        ),
        (
            vec![
                "--endpoint",
                "unix:///tmp/x.sock",
                "--data-root",
                &root_s,
                "--node-id",
                "n",
                "--max-volumes=-1",
            ],
            "max-volumes",
        ),
        (
            vec![
                "--endpoint",
                "unix:///tmp/x.sock",
                "--data-root",
                &root_s,
                "--node-id",
                "n",
                "--mount-mode",
                "nfs",
            ],
            "mount-mode",
        ),
        (
            vec![
                "--endpoint",
                "unix:///tmp/x.sock",
                "--data-root",
                &root_s,
                "--node-id",
                "n",
                "--capacity-gib",
                "lots",
            ],
            "capacity-gib",
        ),
    ];
    for (args, needle) in cases {
        let out = Command::new(BIN).args(&args).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(
        std::fs::read_to_string(&file).expect("file"),
        "precious",
        "left alone"
    );
}

#[test]
fn the_page_program_keeps_every_committed_row() {
    for mode in ["symlink", "auto"] {
        let out = kit::programs::run_example("csi", "wordpress", &["--mount-mode", mode], "")
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("5 of 5 committed orders survived; every row is intact"),
            "{text}"
        );
        assert!(
            text.contains("order 1006 (open at the kill) is absent"),
            "{text}"
        );
        assert!(
            text.contains("FAILED_PRECONDITION"),
            "RWO refuses a second node: {text}"
        );
        assert!(text.contains("0 volumes left"));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(!text.contains("/tmp"), "no temp paths in the output");
        // A named mode is visible: which one, and what each node call left behind.
        assert!(text.contains("mount mode: "), "{text}");
        if mode == "symlink" {
            assert!(text.contains("mount mode: symlink"), "{text}");
            assert!(
                text.contains("target is a symlink -> node-a/staging/pvc-mysql-data"),
                "{text}"
            );
        }
        assert!(
            text.contains("staging is a plain directory, nothing attached"),
            "unstaged: {text}"
        );
    }
    // Left to `auto` unnamed (the page's run), the output is the same on any machine.
    let page = kit::programs::run_example("csi", "wordpress", &[], "").expect("run");
    let text = String::from_utf8_lossy(&page.stdout);
    assert!(page.status.success());
    assert!(
        !text.contains("mount mode") && !text.contains("is a "),
        "{text}"
    );
    let help = kit::programs::run_example("csi", "wordpress", &["--help"], "").expect("help");
    let h = String::from_utf8_lossy(&help.stdout);
    for knob in ["--seed", "--orders", "--no-in-flight", "--mount-mode"] {
        assert!(h.contains(knob), "{h}");
    }
    let bad =
        kit::programs::run_example("csi", "wordpress", &["--orders", "many"], "").expect("bad");
    assert!(!bad.status.success());
}

/// The page's picture is that run: one dot per numbered RPC of the text, in order,
/// its tooltip the printed row, and each dot in the column the lifecycle's
/// transitions say the call leads to (a refused call stays put).
#[test]
fn the_page_picture_draws_every_rpc_of_the_run_on_the_lifecycle() {
    use csi::lifecycle::LifecycleState;
    use csi::picture::{column, column_x, row_y};
    let text = kit::programs::run_example("csi", "wordpress", &[], "").expect("run");
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let out = kit::programs::run_example("csi", "wordpress", &["--svg"], "").expect("svg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        svg.starts_with("<svg ") && svg.ends_with("</svg>\n"),
        "{svg}"
    );
    assert_eq!(svg.matches("<svg").count(), 1, "one element");

    // The numbered rows of the text: "10  attacher    ControllerPublishVolume …  OK".
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| {
            l.get(..2)
                .is_some_and(|n| n.trim().parse::<usize>().is_ok())
                && l.get(2..4) == Some("  ")
        })
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 18, "{text}");
    let attr = |line: &str, name: &str| -> String {
        line.split(&format!(r#" {name}=""#))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string()
    };
    let dots: Vec<&str> = svg.lines().filter(|l| l.contains("data-call=")).collect();
    assert_eq!(dots.len(), rows.len(), "one dot per RPC: {svg}");

    let mut col = column(None);
    for (i, (row, dot)) in rows.iter().zip(&dots).enumerate() {
        assert_eq!(attr(dot, "data-call"), row[0], "in call order");
        assert_eq!(attr(dot, "cy"), format!("{:.1}", row_y(i)));
        let tip = dot
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split(" → ").next())
            .expect("tooltip");
        assert_eq!(tip, row.join(" "), "the printed row");
        // Where the diagram's arrows say this call takes the volume.
        let (rpc, code) = (row[2], row[row.len() - 1]);
        let retry = row[3] == "(retry)";
        if code == "OK" && !retry {
            for s in LifecycleState::ALL {
                let (up, down) = s.transitions();
                if rpc == up {
                    col = column(Some(s));
                } else if rpc == down {
                    col -= 1;
                }
            }
        }
        assert_eq!(
            attr(dot, "cx"),
            format!("{:.1}", column_x(col)),
            "call {}: {tip}",
            row[0]
        );
    }
    assert_eq!(col, column(None), "the volume is gone at the end");
    // Same build, same bytes.
    let again = kit::programs::run_example("csi", "wordpress", &["--svg"], "").expect("svg");
    assert_eq!(String::from_utf8_lossy(&again.stdout), svg);
}
