//! The lesson in numbers: a quiet and a noisy network, one long pause and one
//! crash, several seeds, every detector on the same heartbeats.
//!
//! `cargo run -q --release -p heartbeat --example compare -- --help`

use kit::println;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use heartbeat::compare::compare;
use heartbeat::detector::secs;
use heartbeat::{Scenario, Window};

/// Compare the detectors on a quiet and a noisy network (virtual time).
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Runs per network (seeds 1..=N), 1 to 200 (about 6 s per 100).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u64).range(1..=200))]
    seeds: u64,
    /// Jitter of the quiet network, seconds (0 to 60).
    #[arg(long, default_value_t = 0.2, value_parser = kit::cli::f64_in(0.0, 60.0))]
    quiet_jitter: f64,
    /// Jitter of the noisy network, seconds (0 to 60).
    #[arg(long, default_value_t = 1.5, value_parser = kit::cli::f64_in(0.0, 60.0))]
    noisy_jitter: f64,
    /// Loss of the noisy network, a fraction (0 to 0.99).
    #[arg(long, default_value_t = 0.05, value_parser = kit::cli::f64_in(0.0, 0.99))]
    noisy_loss: f64,
    /// Length of server 1's GC-like pause, seconds (0 to 600).
    #[arg(long, default_value_t = 8.0, value_parser = kit::cli::f64_in(0.0, 600.0))]
    pause: f64,
}

fn seconds(knob: &str, v: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(v).map_err(|_| format!("--{knob}: {v} is not a duration"))
}

fn run(args: &Args) -> Result<(), String> {
    let base = Scenario::noisy();
    let pause = seconds("pause", args.pause)?;
    let networks = [
        ("quiet", seconds("quiet-jitter", args.quiet_jitter)?, 0.0),
        (
            "noisy",
            seconds("noisy-jitter", args.noisy_jitter)?,
            args.noisy_loss,
        ),
    ];
    println!(
        "{} servers beating every {}; server 1 pauses {} at {}; server 2 crashes at {}",
        base.servers,
        secs(base.interval),
        secs(pause),
        secs(Duration::from_secs(40)),
        secs(Duration::from_secs(70)),
    );
    println!(
        "{} runs per network (seeds 1..={0}), each shifting the pause and the crash",
        args.seeds
    );
    println!("by a further 1/{0} of an interval", args.seeds);
    for (name, jitter, loss) in networks {
        println!(
            "{name}: heartbeats delayed 0..{} at random, {:.0} % lost",
            secs(jitter),
            loss * 100.0
        );
    }
    println!("crash detected: seconds from the crash to the dead verdict");
    let mut rows = Vec::new();
    for (name, jitter, loss) in networks {
        let scenario = Scenario {
            jitter,
            loss,
            pauses: vec![Window {
                server: 1,
                at: Duration::from_secs(40),
                length: pause,
            }],
            ..base.clone()
        };
        scenario.validate().map_err(|e| e.to_string())?;
        for r in compare(&scenario, args.seeds).map_err(|e| e.to_string())? {
            let spread = r.detection_spread();
            let cell = |pick: fn((Duration, Duration, Duration)) -> Duration| {
                spread.map_or("missed".into(), |s| format!("{:.1}", pick(s).as_secs_f64()))
            };
            rows.push(vec![
                name.to_string(),
                r.detector,
                cell(|s| s.0),
                cell(|s| s.1),
                cell(|s| s.2),
                format!("{} of {}", r.pauses_flagged, args.seeds),
                r.false_alarms.to_string(),
            ]);
        }
    }
    println!(
        "{}",
        kit::table::render(
            &[
                "network",
                "detector",
                "min",
                "median",
                "max",
                "pause hit",
                "false alarms",
            ],
            &rows
        )
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::from(2)
        }
    }
}
