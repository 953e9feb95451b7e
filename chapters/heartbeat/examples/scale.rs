//! MEASURED: one monitor tracking many nodes that beat every second, on one core.
//!
//! `cargo run -q --release -p heartbeat --example scale -- --help`

use kit::println;
use std::process::ExitCode;

use clap::Parser;
use heartbeat::scale::{ScaleStep, measure_monitor_with_progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Time one monitor (φ detector) keeping up with N nodes (wall clock).
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Nodes, each beating once a second.
    #[arg(long, default_value_t = 10_000)]
    nodes: u32,
    /// Simulated seconds of heartbeats.
    #[arg(long, default_value_t = 20)]
    seconds: u32,
    /// Seed of the nodes' phases and jitter.
    #[arg(long, default_value_t = 3)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.nodes == 0 || args.nodes > 1_000_000 || args.seconds < 2 || args.seconds > 600 {
        eprintln!("scale: --nodes must be in 1..=1000000 and --seconds in 2..=600");
        return ExitCode::from(2);
    }
    // Progress on stderr, drawn only when stderr is a terminal (never on the page).
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let f = measure_monitor_with_progress(args.nodes, args.seconds, args.seed, &mut |step| {
        let (what, done, total) = match step {
            ScaleStep::Encoding { done, total } => ("encoding packets, nodes", done, total),
            ScaleStep::Feeding { done, total } => (
                "feeding the monitor (timed), simulated seconds",
                done,
                total,
            ),
        };
        bar.set_message(what);
        bar.set_length(u64::from(total));
        bar.set_position(u64::from(done));
    });
    bar.finish_and_clear();
    println!(
        "MEASURED on this machine: one thread, {} nodes beating every second",
        f.nodes
    );
    let per_beat = f.wall.saturating_sub(f.sweep_wall).as_secs_f64() / f.heartbeats.max(1) as f64;
    let per_sweep = f.sweep_wall.as_secs_f64() / f.sweeps.max(1) as f64;
    let rows = vec![
        vec!["simulated seconds".into(), f.seconds.to_string()],
        vec!["heartbeats handled".into(), f.heartbeats.to_string()],
        vec![
            "per heartbeat (parse, check, φ update)".into(),
            format!("{:.0} ns", per_beat * 1e9),
        ],
        vec![
            "sweeps of every verdict (10 a second)".into(),
            f.sweeps.to_string(),
        ],
        vec![
            "per sweep of all nodes".into(),
            format!("{:.2} ms", per_sweep * 1e3),
        ],
        vec![
            "wall time, total".into(),
            format!("{:.1} ms", f.wall.as_secs_f64() * 1e3),
        ],
        vec![
            "share of one core in real time".into(),
            format!("{:.2} %", f.core_share() * 100.0),
        ],
        vec![
            "heartbeats per second one core could take".into(),
            format!("{:.0}", 1.0 / per_beat.max(1e-12)),
        ],
    ];
    println!("{}", kit::table::render(&["", "value"], &rows));
    println!(
        "{} of {} crashed nodes declared dead, {} false alarms",
        f.detected, f.crashed, f.false_alarms
    );
    println!("{}", kit::measured::footer());
    ExitCode::SUCCESS
}
