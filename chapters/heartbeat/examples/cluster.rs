//! The seed's cluster: a balancer and web servers on 127.0.0.1, heartbeats over
//! UDP, requests over HTTP. Prints the event log and where the traffic went.
//!
//! `cargo run -q --release -p heartbeat --example cluster -- --help`

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use heartbeat::scenario::clock;
use heartbeat::{ClusterEvent, EventKind, ScenarioArgs, run_realtime, run_virtual};

/// Run the heartbeat cluster in virtual time (default) or on the wall clock.
#[derive(Parser)]
#[command(about)]
struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Run on the wall clock (takes the scenario's duration) and print events live.
    #[arg(long)]
    realtime: bool,
    /// Width of the traffic table's time windows, seconds.
    #[arg(long, default_value_t = 5)]
    window: u64,
    /// Print only these event kinds: all, verdicts (no per-routing detail).
    #[arg(long, default_value = "all")]
    show: String,
}

fn line(e: &ClusterEvent) -> String {
    match &e.kind {
        EventKind::HealthChecked { detail, .. } => {
            format!("{}  {}\n    {detail}", clock(e.at), e.kind)
        }
        _ => format!("{}  {}", clock(e.at), e.kind),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let scenario = match args.scenario.to_scenario() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cluster: {e}");
            return ExitCode::from(2);
        }
    };
    let only_routing = args.show == "routing";
    let keep = |e: &ClusterEvent| match &e.kind {
        EventKind::Request { .. } => false,
        EventKind::DeclaredDead { routing, .. } | EventKind::DeclaredAlive { routing, .. } => {
            !only_routing || *routing
        }
        _ => true,
    };
    let result = if args.realtime {
        println!(
            "wall-clock run: {} s, events as they happen",
            scenario.duration.as_secs()
        );
        run_realtime(&scenario, &mut |e| {
            if keep(e) {
                println!("{}", line(e));
            }
        })
    } else {
        run_virtual(&scenario)
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cluster: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !args.realtime {
        println!(
            "{} servers, beat every {}, routing by `{}`, seed {}, virtual time",
            scenario.servers,
            heartbeat::detector::secs(scenario.interval),
            report.routing_detector(),
            scenario.seed
        );
        for e in report.events.iter().filter(|e| keep(e)) {
            println!("{}", line(e));
        }
    }
    println!();
    let window = Duration::from_secs(args.window.max(1));
    let mut header: Vec<String> = vec!["from".into()];
    header.extend((1..=scenario.servers).map(|s| format!("server {s}")));
    header.extend(["failed".into(), "no server".into()]);
    let rows: Vec<Vec<String>> = report
        .traffic(window)
        .into_iter()
        .map(|(from, per, failed, none)| {
            let mut row = vec![format!("{}s", from.as_secs())];
            row.extend(per.iter().map(u32::to_string));
            row.extend([failed.to_string(), none.to_string()]);
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    println!("requests answered, per {}s window:", window.as_secs());
    println!("{}", kit::table::render(&header, &rows));
    let i = report.input;
    println!(
        "packets: {} accepted, {} malformed, {} unknown server, {} stale",
        i.accepted, i.malformed, i.unknown_server, i.stale
    );
    ExitCode::SUCCESS
}
