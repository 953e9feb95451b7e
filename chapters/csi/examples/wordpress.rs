//! Day 5 — the seed's WordPress story on a real CSI plugin: MySQL's data
//! outlives its pod and moves to another node.
//!
//! `cargo run -q --release -p csi --example wordpress -- --help`

use clap::{Parser, Subcommand};
use csi::mount::MountMode;
use csi::story::{StoryOptions, run};
use kit::{print, println};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Claim a volume, run a MySQL-style pod on node-a, kill it, and read its
/// rows back from a new pod on node-b — every storage step a CSI RPC.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Seed for the orders the pod writes.
    #[arg(long, default_value_t = 5)]
    seed: u64,
    /// Orders the first pod commits before it is killed.
    #[arg(long, default_value_t = 5)]
    orders: usize,
    /// Don't leave an order in an open transaction at the kill.
    #[arg(long)]
    no_in_flight: bool,
    /// auto (bind mounts when root, else symlinks), bind or symlink [default: auto].
    /// Naming a mode (even auto) also prints the mode the plugins use and what each
    /// node call left at its path.
    #[arg(long, value_parser = ["auto", "bind", "symlink"])]
    mount_mode: Option<String>,
    /// Print the plugins' RPC log to stderr as well.
    #[arg(long)]
    plugin_log: bool,
    /// Print only a picture of the run (SVG): the volume lifecycle and each RPC's
    /// step on it.
    #[arg(long)]
    svg: bool,
    #[command(subcommand)]
    pod: Option<Pod>,
}

/// The pod roles (the program runs itself as the pods).
#[derive(Subcommand)]
enum Pod {
    /// Write orders to a volume, leave one open, wait to be killed.
    #[command(hide = true)]
    PodWrite {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        orders: usize,
        #[arg(long)]
        in_flight: bool,
    },
    /// Print every order in a volume.
    #[command(hide = true)]
    PodRead {
        #[arg(long)]
        dir: PathBuf,
    },
}

fn main() {
    let args = Args::parse();
    let code = match args.pod {
        Some(Pod::PodWrite {
            dir,
            seed,
            orders,
            in_flight,
        }) => pod_write(&dir, seed, orders, in_flight),
        Some(Pod::PodRead { dir }) => pod_read(&dir),
        None => orchestrate(&args),
    };
    std::process::exit(code);
}

fn pod_write(dir: &Path, seed: u64, n: usize, in_flight: bool) -> i32 {
    let all = csi::pod::orders(seed, n + 1);
    let extra = in_flight.then(|| &all[n]);
    match csi::pod::write_orders(dir, &all[..n], extra, &mut std::io::stdout()) {
        Ok(_conn) => loop {
            // Serving traffic until the node dies.
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        Err(e) => {
            eprintln!("mysql pod: {e}");
            1
        }
    }
}

fn pod_read(dir: &Path) -> i32 {
    match csi::pod::read_orders(dir) {
        Ok(rows) => {
            for o in rows {
                println!("{}", csi::pod::to_line(&o));
            }
            0
        }
        Err(e) => {
            eprintln!("mysql pod: {e}");
            1
        }
    }
}

fn orchestrate(args: &Args) -> i32 {
    let work = match tempfile::Builder::new().prefix("csi-wordpress-").tempdir() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("scratch dir: {e}");
            return 1;
        }
    };
    let mode = match args.mount_mode.as_deref() {
        Some("bind") => MountMode::Bind,
        Some("symlink") => MountMode::Symlink,
        _ => MountMode::auto(work.path()),
    };
    let opts = StoryOptions {
        work_dir: work.path().to_path_buf(),
        seed: args.seed,
        orders: args.orders,
        in_flight: !args.no_in_flight,
        mount_mode: mode,
        plugin_log: args.plugin_log,
        // The page's run leaves the mode out: its output is the same on any machine.
        show_mounts: args.mount_mode.is_some(),
    };
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("own path: {e}");
            return 1;
        }
    };
    let launcher = move |role: &str, dir: &Path, seed: u64, orders: usize, in_flight: bool| {
        let mut c = Command::new(&exe);
        c.arg(format!("pod-{role}")).arg("--dir").arg(dir);
        if role == "write" {
            c.args(["--seed", &seed.to_string(), "--orders", &orders.to_string()]);
            if in_flight {
                c.arg("--in-flight");
            }
        }
        c
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return 1;
        }
    };
    match rt.block_on(run(&opts, &launcher)) {
        Ok(story) if args.svg => {
            print!("{}", csi::picture::lifecycle_svg(&story.events));
            0
        }
        Ok(story) => {
            print!("{}", story.text);
            0
        }
        Err(e) => {
            eprintln!("wordpress: {e}");
            1
        }
    }
}
