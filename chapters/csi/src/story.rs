//! The seed's WordPress story, run for real: an orchestrator (playing
//! Kubernetes' external-provisioner, external-attacher and the kubelets of two
//! nodes) drives two node plugins over their Unix sockets, while a "MySQL pod"
//! process writes orders to the volume, is killed, and is replaced on the
//! other node by a pod that reads every committed row back.
//!
//! Besides the text the page prints, a run keeps each RPC it made as an
//! [`RpcEvent`], with the volume's place in the lifecycle afterwards read back
//! from the plugins' own state database; [`crate::picture`] draws them.

use crate::error::code_name;
use crate::lifecycle::{Placement, VolumeState, placements};
use crate::mount::{self, Attachment, MountMode};
use crate::pb;
use crate::plugin::{GIB, Plugin, PluginConfig};
use crate::pod::{self, Order};
use crate::store::{SqliteState, Store};
use crate::transport::{CsiClients, serve_unix};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tokio::sync::oneshot;

/// What the story run is set up with.
#[derive(Debug, Clone)]
pub struct StoryOptions {
    /// A scratch directory for sockets, the data root and the node paths.
    pub work_dir: PathBuf,
    /// Seed for the orders.
    pub seed: u64,
    /// Orders the first pod commits before it is killed.
    pub orders: usize,
    /// Leave one more order in an open transaction at the kill.
    pub in_flight: bool,
    /// How the node plugins attach volumes.
    pub mount_mode: MountMode,
    /// Let the plugins log every RPC to stderr.
    pub plugin_log: bool,
    /// Say which mount mode the plugins use and, after each node call, what the
    /// file system shows at the staging or target path (a link, a mount point).
    pub show_mounts: bool,
}

/// Errors that stop the story (an RPC failing where it must succeed, a pod
/// that does not behave).
#[derive(Debug, thiserror::Error)]
pub enum StoryError {
    /// A step failed.
    #[error("{0}")]
    Step(String),
}

fn step<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> StoryError + '_ {
    move |e| StoryError::Step(format!("{what}: {e}"))
}

/// Builds the command that runs a pod: `("write", volume_dir, seed, orders,
/// in_flight)` or `("read", volume_dir, …)`. The example re-runs itself.
pub type PodLauncher = dyn Fn(&str, &Path, u64, usize, bool) -> Command + Send + Sync;

/// One RPC the story made, as it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcEvent {
    /// Its number in the printed sequence (1, 2, …).
    pub n: usize,
    /// Who made it: `provisioner`, `attacher`, `kubelet/a`, …
    pub caller: String,
    /// The RPC as printed: `CreateVolume`, `CreateVolume (retry)`, …
    pub rpc: String,
    /// The printed volume / where column.
    pub args: String,
    /// The node the call was for: the kubelet's node for a Node call, the
    /// `node_id` of a ControllerPublish/Unpublish; `None` for the provisioner's.
    pub node: Option<String>,
    /// The status code's name: `OK`, `FAILED_PRECONDITION`, …
    pub code: &'static str,
    /// The plugin's message with a failure.
    pub message: Option<String>,
    /// The story's volume in the lifecycle after the call, read from the
    /// plugins' state database: `None` while there is no such volume.
    pub after: Option<Vec<Placement>>,
}

/// What a story run gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryRun {
    /// The text the page prints.
    pub text: String,
    /// Every numbered RPC of the text, in order.
    pub events: Vec<RpcEvent>,
}

/// The name the story's volume is claimed under.
pub const VOLUME_NAME: &str = "pvc-mysql-data";

/// Reads the story's volume's state from the plugins' shared database.
struct Watch {
    store: Store,
    nodes: Vec<&'static str>,
}

impl Watch {
    fn state(&self) -> Result<Option<Vec<Placement>>, StoryError> {
        self.store
            .tx(|t| {
                let s = SqliteState(t);
                match s.volume_by_name(VOLUME_NAME)? {
                    Some(v) => placements(&s, &v.id, &self.nodes),
                    None => Ok(None),
                }
            })
            .map_err(step("reading the state database"))
    }
}

struct Trace {
    n: usize,
    out: String,
    /// Describe paths after node calls (relative to this scratch folder), or not.
    show_mounts: Option<PathBuf>,
    events: Vec<RpcEvent>,
    watch: Watch,
}

impl Trace {
    /// With `show_mounts`, a `└` line saying what is at `path` now.
    fn attachment(&mut self, what: &str, path: &Path) {
        let Some(work) = &self.show_mounts else {
            return;
        };
        let rel = |p: &Path| p.strip_prefix(work).unwrap_or(p).display().to_string();
        let seen = match mount::observe(path) {
            Attachment::Missing => "is gone".to_string(),
            Attachment::Symlink(to) => format!("is a symlink -> {}", rel(&to)),
            Attachment::MountPoint => "is a bind mount (in /proc/self/mountinfo)".to_string(),
            Attachment::Directory => "is a plain directory, nothing attached".to_string(),
            Attachment::Other => "is not a directory".to_string(),
        };
        self.line(&format!("      \u{2514} {what} {seen}"));
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn rpc<T>(
        &mut self,
        (caller, rpc, args): (&str, &str, &str),
        node: Option<&str>,
        r: &Result<T, tonic::Status>,
    ) -> Result<(), StoryError> {
        self.n += 1;
        let code = match r {
            Ok(_) => "OK",
            Err(s) => code_name(s.code()),
        };
        let line = format!("{:>2}  {caller:<11} {rpc:<25} {args:<18} {code}", self.n);
        self.line(line.trim_end());
        if let Err(s) = r {
            self.line(&format!("      \u{2514} {}", s.message()));
        }
        let after = self.watch.state()?;
        self.events.push(RpcEvent {
            n: self.n,
            caller: caller.to_string(),
            rpc: rpc.to_string(),
            args: args.to_string(),
            node: node.map(str::to_string),
            code,
            message: r.as_ref().err().map(|s| s.message().to_string()),
            after,
        });
        Ok(())
    }
}

fn mount_cap() -> pb::VolumeCapability {
    use pb::volume_capability::{AccessMode, AccessType, MountVolume, access_mode::Mode};
    pb::VolumeCapability {
        access_type: Some(AccessType::Mount(MountVolume::default())),
        access_mode: Some(AccessMode {
            mode: Mode::SingleNodeWriter as i32,
        }),
    }
}

struct Node {
    name: &'static str,
    kubelet: &'static str,
    clients: CsiClients,
    staging: PathBuf,
    pods: PathBuf,
}

/// Run the story; returns the text the page shows and the RPCs it made.
pub async fn run(opts: &StoryOptions, launcher: &PodLauncher) -> Result<StoryRun, StoryError> {
    let work = &opts.work_dir;
    let data_root = work.join("storage");
    let mut shutdowns = Vec::new();
    let mut servers = Vec::new();
    let mut nodes = Vec::new();
    for (name, kubelet) in [("node-a", "kubelet/a"), ("node-b", "kubelet/b")] {
        let mut cfg = PluginConfig::new(name, &data_root);
        cfg.mount_mode = opts.mount_mode;
        cfg.log = opts.plugin_log;
        let plugin = Plugin::new(cfg).map_err(step("starting plugin"))?;
        let socket = work.join(name).join("csi.sock");
        let (tx, rx) = oneshot::channel::<()>();
        let sock = socket.clone();
        servers.push(tokio::spawn(async move {
            serve_unix(plugin, &sock, async {
                let _ = rx.await;
            })
            .await
        }));
        shutdowns.push(tx);
        let mut tries = 0;
        let clients = loop {
            match CsiClients::connect(&socket).await {
                Ok(c) => break c,
                Err(e) if tries > 200 => return Err(step("connecting")(e)),
                Err(_) => {
                    tries += 1;
                    tokio::task::yield_now().await;
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            }
        };
        nodes.push(Node {
            name,
            kubelet,
            clients,
            staging: work.join(name).join("staging").join(VOLUME_NAME),
            pods: work.join(name).join("pods"),
        });
    }
    let result = match Store::open(&data_root) {
        Ok(store) => {
            let watch = Watch {
                store,
                nodes: nodes.iter().map(|n| n.name).collect(),
            };
            story(opts, launcher, &mut nodes, watch).await
        }
        Err(e) => Err(step("opening the state database")(e)),
    };
    for tx in shutdowns {
        let _ = tx.send(());
    }
    for s in servers {
        let _ = s.await;
    }
    result
}

async fn story(
    opts: &StoryOptions,
    launcher: &PodLauncher,
    nodes: &mut [Node],
    watch: Watch,
) -> Result<StoryRun, StoryError> {
    let mut t = Trace {
        n: 0,
        out: String::new(),
        show_mounts: opts.show_mounts.then(|| opts.work_dir.clone()),
        events: Vec::new(),
        watch,
    };
    let (a, b) = (0, 1);
    let mut ctl = nodes[a].clients.controller.clone();

    // Who is this plugin?
    let info = nodes[a]
        .clients
        .identity
        .get_plugin_info(pb::GetPluginInfoRequest {})
        .await
        .map_err(step("GetPluginInfo"))?
        .into_inner();
    let ccaps = ctl
        .controller_get_capabilities(pb::ControllerGetCapabilitiesRequest {})
        .await
        .map_err(step("ControllerGetCapabilities"))?
        .into_inner();
    let ncaps = nodes[a]
        .clients
        .node
        .node_get_capabilities(pb::NodeGetCapabilitiesRequest {})
        .await
        .map_err(step("NodeGetCapabilities"))?
        .into_inner();
    t.line(&format!("plugin {} {}", info.name, info.vendor_version));
    let names: Vec<&str> = ccaps
        .capabilities
        .iter()
        .filter_map(|c| match &c.r#type {
            Some(pb::controller_service_capability::Type::Rpc(r)) => {
                pb::controller_service_capability::rpc::Type::try_from(r.r#type)
                    .ok()
                    .map(|x| x.as_str_name())
            }
            _ => None,
        })
        .collect();
    for chunk in names.chunks(3) {
        t.line(&format!("  controller: {}", chunk.join(", ")));
    }
    let names: Vec<&str> = ncaps
        .capabilities
        .iter()
        .filter_map(|c| match &c.r#type {
            Some(pb::node_service_capability::Type::Rpc(r)) => {
                pb::node_service_capability::rpc::Type::try_from(r.r#type)
                    .ok()
                    .map(|x| x.as_str_name())
            }
            _ => None,
        })
        .collect();
    t.line(&format!("  node:       {}", names.join(", ")));
    if opts.show_mounts {
        t.line(&format!("mount mode: {}", opts.mount_mode.name()));
        for l in opts.mount_mode.meaning() {
            t.line(&format!("  {l}"));
        }
    }
    t.line("");
    t.line(" #  caller      RPC                       volume / where     result");

    // 1. The PVC is claimed: the provisioner creates the volume (and retries).
    let create = pb::CreateVolumeRequest {
        name: VOLUME_NAME.into(),
        capacity_range: Some(pb::CapacityRange {
            required_bytes: GIB,
            limit_bytes: 0,
        }),
        volume_capabilities: vec![mount_cap()],
        ..Default::default()
    };
    let r = ctl.create_volume(create.clone()).await;
    let claim = format!("{VOLUME_NAME} 1Gi");
    t.rpc(("provisioner", "CreateVolume", &claim), None, &r)?;
    let vol = r
        .map_err(step("CreateVolume"))?
        .into_inner()
        .volume
        .ok_or_else(|| StoryError::Step("CreateVolume returned no volume".into()))?;
    let id = vol.volume_id.clone();
    let r = ctl.create_volume(create).await;
    t.rpc(("provisioner", "CreateVolume (retry)", &claim), None, &r)?;
    let same = r
        .map_err(step("CreateVolume retry"))?
        .into_inner()
        .volume
        .map(|v| v.volume_id);
    t.line(&format!(
        "      \u{2514} volume_id {id}{}",
        if same.as_deref() == Some(id.as_str()) {
            " both times: idempotent"
        } else {
            " then another id!"
        }
    ));

    // 2. mysql-0 is scheduled on node-a.
    let pod0 = nodes[a].pods.join("mysql-0").join("volumes").join("data");
    mount_on(&mut t, &mut ctl, &mut nodes[a], &id, &pod0, "mysql-0").await?;

    // 3. The pod writes orders, then dies.
    let all = pod::orders(opts.seed, opts.orders + 1);
    let committed = &all[..opts.orders];
    t.line("");
    t.line("pod mysql-0 on node-a (a child process) writes to its volume:");
    let mut child = launcher("write", &pod0, opts.seed, opts.orders, opts.in_flight)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(step("starting pod mysql-0"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| StoryError::Step("pod stdout".into()))?;
    let mut commits = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(step("reading pod output"))?;
        if line == "READY" {
            break;
        }
        if let Some(n) = line.strip_prefix("COMMIT ") {
            commits.push(n.to_string());
        } else if let Some(n) = line.strip_prefix("OPEN ") {
            t.line(&format!("  committed orders {}", commits.join(", ")));
            t.line(&format!("  order {n}: INSERT sent, transaction still open"));
        }
    }
    if !opts.in_flight {
        t.line(&format!("  committed orders {}", commits.join(", ")));
    }
    child.kill().map_err(step("killing mysql-0"))?;
    let status = child.wait().map_err(step("reaping mysql-0"))?;
    use std::os::unix::process::ExitStatusExt;
    t.line(&format!(
        "  mysql-0 is killed (SIGKILL, signal {}); node-a and its page cache keep running",
        status
            .signal()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "?".into())
    ));
    t.line("");

    // 4. The scheduler moves the pod to node-b; the attacher tries at once.
    let r = ctl
        .controller_publish_volume(publish_req(&id, nodes[b].name))
        .await;
    let to_b = format!("{id} @{}", nodes[b].name);
    t.rpc(
        ("attacher", "ControllerPublishVolume", &to_b),
        Some(nodes[b].name),
        &r,
    )?;

    // 5. node-a cleans up after the dead pod, the volume is detached.
    unmount_from(&mut t, &mut ctl, &mut nodes[a], &id, &pod0).await?;

    // 6. mysql-1 on node-b.
    let pod1 = nodes[b].pods.join("mysql-1").join("volumes").join("data");
    mount_on(&mut t, &mut ctl, &mut nodes[b], &id, &pod1, "mysql-1").await?;
    let out = launcher("read", &pod1, opts.seed, opts.orders, false)
        .stderr(Stdio::inherit())
        .output()
        .map_err(step("running mysql-1"))?;
    if !out.status.success() {
        return Err(StoryError::Step("pod mysql-1 failed".into()));
    }
    let rows: Vec<Order> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(pod::from_line)
        .collect();
    t.line("");
    t.line("pod mysql-1 on node-b reads the orders table from the same volume:");
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.customer.clone(),
                o.item.clone(),
                o.qty.to_string(),
                format!("{}.{:02}", o.total_cents / 100, o.total_cents % 100),
            ]
        })
        .collect();
    t.line(kit::table::render(&["order", "customer", "item", "qty", "total"], &table).trim_end());
    let survived = rows.as_slice() == committed;
    t.line(&format!(
        "{} of {} committed orders survived{}",
        rows.len(),
        committed.len(),
        if survived {
            "; every row is intact"
        } else {
            "; ROWS DIFFER"
        }
    ));
    if opts.in_flight {
        let lost = &all[opts.orders];
        let present = rows.iter().any(|o| o.id == lost.id);
        t.line(&format!(
            "order {} (open at the kill) is {}",
            lost.id,
            if present {
                "PRESENT: a torn write!"
            } else {
                "absent: it never committed"
            }
        ));
    }
    t.line("");
    t.line("wordpress frontend (3 replicas): stateless, no volume, no CSI calls;");
    t.line("its pods restart on any node and read everything from mysql.");
    t.line("");

    // 7. The PVC is deleted: tear down and delete, twice to show idempotency.
    unmount_from(&mut t, &mut ctl, &mut nodes[b], &id, &pod1).await?;
    let r = ctl
        .delete_volume(pb::DeleteVolumeRequest {
            volume_id: id.clone(),
            ..Default::default()
        })
        .await;
    t.rpc(("provisioner", "DeleteVolume", &id), None, &r)?;
    r.map_err(step("DeleteVolume"))?;
    let r = ctl
        .delete_volume(pb::DeleteVolumeRequest {
            volume_id: id.clone(),
            ..Default::default()
        })
        .await;
    t.rpc(("provisioner", "DeleteVolume (retry)", &id), None, &r)?;
    let r = ctl.list_volumes(pb::ListVolumesRequest::default()).await;
    let left = r.as_ref().map(|v| v.get_ref().entries.len()).unwrap_or(0);
    let left = format!("{left} volumes left");
    t.rpc(("provisioner", "ListVolumes", &left), None, &r)?;
    if !survived {
        return Err(StoryError::Step(format!("rows differ:\n{}", t.out)));
    }
    Ok(StoryRun {
        text: t.out,
        events: t.events,
    })
}

fn publish_req(id: &str, node: &str) -> pb::ControllerPublishVolumeRequest {
    pb::ControllerPublishVolumeRequest {
        volume_id: id.to_string(),
        node_id: node.to_string(),
        volume_capability: Some(mount_cap()),
        readonly: false,
        ..Default::default()
    }
}

async fn mount_on(
    t: &mut Trace,
    ctl: &mut pb::controller_client::ControllerClient<tonic::transport::Channel>,
    node: &mut Node,
    id: &str,
    target: &Path,
    pod: &str,
) -> Result<(), StoryError> {
    let r = ctl
        .controller_publish_volume(publish_req(id, node.name))
        .await;
    let at = format!("{id} @{}", node.name);
    t.rpc(
        ("attacher", "ControllerPublishVolume", &at),
        Some(node.name),
        &r,
    )?;
    let ctx = r
        .map_err(step("ControllerPublishVolume"))?
        .into_inner()
        .publish_context;
    let r = node
        .clients
        .node
        .node_stage_volume(pb::NodeStageVolumeRequest {
            volume_id: id.to_string(),
            publish_context: ctx.clone(),
            staging_target_path: node.staging.to_string_lossy().into_owned(),
            volume_capability: Some(mount_cap()),
            ..Default::default()
        })
        .await;
    let staging = format!("{id} staging");
    t.rpc(
        (node.kubelet, "NodeStageVolume", &staging),
        Some(node.name),
        &r,
    )?;
    r.map_err(step("NodeStageVolume"))?;
    t.attachment("staging", &node.staging);
    let r = node
        .clients
        .node
        .node_publish_volume(pb::NodePublishVolumeRequest {
            volume_id: id.to_string(),
            publish_context: ctx,
            staging_target_path: node.staging.to_string_lossy().into_owned(),
            target_path: target.to_string_lossy().into_owned(),
            volume_capability: Some(mount_cap()),
            readonly: false,
            ..Default::default()
        })
        .await;
    let for_pod = format!("{id} {pod}");
    t.rpc(
        (node.kubelet, "NodePublishVolume", &for_pod),
        Some(node.name),
        &r,
    )?;
    r.map_err(step("NodePublishVolume"))?;
    t.attachment("target", target);
    Ok(())
}

async fn unmount_from(
    t: &mut Trace,
    ctl: &mut pb::controller_client::ControllerClient<tonic::transport::Channel>,
    node: &mut Node,
    id: &str,
    target: &Path,
) -> Result<(), StoryError> {
    let r = node
        .clients
        .node
        .node_unpublish_volume(pb::NodeUnpublishVolumeRequest {
            volume_id: id.to_string(),
            target_path: target.to_string_lossy().into_owned(),
        })
        .await;
    t.rpc(
        (node.kubelet, "NodeUnpublishVolume", id),
        Some(node.name),
        &r,
    )?;
    r.map_err(step("NodeUnpublishVolume"))?;
    let gone = std::fs::symlink_metadata(target).is_err();
    t.line(&format!(
        "      \u{2514} target path {}",
        if gone { "removed" } else { "STILL THERE" }
    ));
    let r = node
        .clients
        .node
        .node_unstage_volume(pb::NodeUnstageVolumeRequest {
            volume_id: id.to_string(),
            staging_target_path: node.staging.to_string_lossy().into_owned(),
        })
        .await;
    t.rpc((node.kubelet, "NodeUnstageVolume", id), Some(node.name), &r)?;
    r.map_err(step("NodeUnstageVolume"))?;
    t.attachment("staging", &node.staging);
    let r = ctl
        .controller_unpublish_volume(pb::ControllerUnpublishVolumeRequest {
            volume_id: id.to_string(),
            node_id: node.name.to_string(),
            ..Default::default()
        })
        .await;
    let at = format!("{id} @{}", node.name);
    t.rpc(
        ("attacher", "ControllerUnpublishVolume", &at),
        Some(node.name),
        &r,
    )?;
    r.map_err(step("ControllerUnpublishVolume"))?;
    Ok(())
}
