//! The seed's cluster: a balancer and web servers on 127.0.0.1, heartbeats over
//! UDP, requests over HTTP. Prints the event log and where the traffic went.
//!
//! `cargo run -q --release -p heartbeat --example cluster -- --help`

use kit::println;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use heartbeat::scenario::clock;
use heartbeat::{ClusterEvent, EventKind, ScenarioArgs, run_realtime, run_virtual};

/// Run the heartbeat cluster in virtual time (default) or on the wall clock.
#[derive(Parser)]
#[command(about)]
struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Run on the wall clock (takes the scenario's duration) and print each event
    /// the moment it happens.
    #[arg(long)]
    realtime: bool,
    /// Width of the traffic table's time windows, seconds (1 to 3600).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    window: u64,
    /// Which verdicts to log: every detector's, or only the routing detector's.
    #[arg(long, value_enum, default_value_t = Show::All)]
    show: Show,
}

/// The `--show` choices.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Show {
    /// Every event, with every detector's verdicts.
    All,
    /// Every event, but only the verdicts of the detector the balancer routes by.
    Routing,
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
    let only_routing = args.show == Show::Routing;
    let keep = |e: &ClusterEvent| match &e.kind {
        EventKind::Request { .. } => false,
        EventKind::DeclaredDead { routing, .. } | EventKind::DeclaredAlive { routing, .. } => {
            !only_routing || *routing
        }
        _ => true,
    };
    let result = if args.realtime {
        // Each line is flushed as it is written, so a pipe (`| tee log`, a projector
        // script) sees every event when it happens, not in one block at the end.
        let live = |text: &str| {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) must not stop the run: ignore write errors.
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        };
        live(&format!(
            "wall-clock run: {} s, events as they happen",
            heartbeat::detector::secs(scenario.duration)
        ));
        run_realtime(&scenario, &mut |e| {
            if keep(e) {
                live(&line(e));
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
    let window = Duration::from_secs(args.window);
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
