//! `csi-hostpath`: the CSI plugin as a process, serving Identity, Controller and
//! Node on a Unix socket until SIGTERM or SIGINT, then removing the socket.
//!
//! ```text
//! csi-hostpath --endpoint unix:///run/csi/csi.sock --data-root /var/lib/csi-hostpath --node-id node-a
//! ```

use clap::Parser;
use csi::mount::MountMode;
use csi::plugin::{GIB, Plugin, PluginConfig};
use std::path::PathBuf;
use std::time::Duration;

/// A hostpath CSI plugin (csi.v1 Identity, Controller, Node) on a Unix socket.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Where to listen: unix:///absolute/path/csi.sock
    #[arg(long)]
    endpoint: String,
    /// Directory for volumes and the state database (shared by every node
    /// plugin that serves the same volumes).
    #[arg(long)]
    data_root: PathBuf,
    /// This node's id, as NodeGetInfo reports it.
    #[arg(long)]
    node_id: String,
    /// Most volumes attached to this node at once (0 = no limit).
    #[arg(long, default_value_t = 0)]
    max_volumes: i64,
    /// Capacity of the whole pool, in GiB.
    #[arg(long, default_value_t = 1024)]
    capacity_gib: i64,
    /// How volumes appear at staging and target paths: bind mounts (root),
    /// symlinks (anyone), or auto (bind when root and possible).
    #[arg(long, default_value = "auto", value_parser = ["auto", "bind", "symlink"])]
    mount_mode: String,
    /// Hold every volume operation this long (to watch ABORTED happen).
    #[arg(long, default_value_t = 0)]
    op_delay_ms: u64,
    /// Don't log RPCs to stderr.
    #[arg(long)]
    quiet: bool,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(args) {
        eprintln!("csi-hostpath: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let socket = csi::transport::parse_endpoint(&args.endpoint)?;
    if args.max_volumes < 0 || args.capacity_gib <= 0 {
        return Err("--max-volumes must be >= 0 and --capacity-gib > 0".into());
    }
    std::fs::create_dir_all(&args.data_root)
        .map_err(|e| format!("--data-root {}: {e}", args.data_root.display()))?;
    let mode = match args.mount_mode.as_str() {
        "bind" => MountMode::Bind,
        "symlink" => MountMode::Symlink,
        _ => MountMode::auto(&args.data_root),
    };
    let mut cfg = PluginConfig::new(&args.node_id, &args.data_root);
    cfg.max_volumes_per_node = args.max_volumes;
    cfg.capacity_bytes = args.capacity_gib.saturating_mul(GIB);
    cfg.max_volume_bytes = cfg.capacity_bytes;
    cfg.mount_mode = mode;
    cfg.log = !args.quiet;
    cfg.op_delay = Duration::from_millis(args.op_delay_ms);
    let plugin = Plugin::new(cfg)?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        eprintln!(
            "csi-hostpath[{}] serving {} on {} (mount mode {})",
            args.node_id,
            csi::plugin::DRIVER_NAME,
            socket.display(),
            mode.name()
        );
        let shutdown = async {
            use tokio::signal::unix::{SignalKind, signal};
            match (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                _ => std::future::pending::<()>().await,
            }
        };
        csi::transport::serve_unix(plugin, &socket, shutdown).await?;
        eprintln!("csi-hostpath[{}] stopped; socket removed", args.node_id);
        Ok(())
    })
}
