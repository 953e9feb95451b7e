//! The three detectors on their own: regular heartbeats, then silence. When does
//! each one give up, and what does φ look like on the way?
//!
//! `cargo run -q --release -p heartbeat --example detectors -- --help`

use kit::println;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use heartbeat::detector::secs;
use heartbeat::{DetectorSpec, FailureDetector, PhiAccrualDetector, PhiConfig};
use kit::rng::{Rng, seeded};

/// Feed each detector regular beats, then stop, and report the verdicts.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Beats before the silence (2 to 1000000).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    beats: u32,
    /// Jitter of the "noisy" sender, as a fraction of its interval (0 to 0.49: arrivals stay in order).
    #[arg(long, default_value_t = 0.3, value_parser = kit::cli::f64_in(0.0, 0.49))]
    jitter: f64,
    /// Seed of the noisy sender's jitter.
    #[arg(long, default_value_t = 3)]
    seed: u64,
}

/// Beats at `interval` (each moved by up to ±`jitter`·interval); the last beat.
fn feed(
    d: &mut dyn FailureDetector,
    interval: Duration,
    beats: u32,
    jitter: f64,
    seed: u64,
) -> Duration {
    let mut rng = seeded(seed);
    let mut last = Duration::ZERO;
    for k in 0..beats {
        let wobble = if jitter > 0.0 {
            rng.random_range(-jitter..jitter)
        } else {
            0.0
        };
        let at = interval.mul_f64(f64::from(k) + 1.0 + wobble);
        // Jitter below half an interval keeps arrivals in order.
        if d.heartbeat(at).is_ok() {
            last = at;
        }
    }
    last
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !(0.0..0.5).contains(&args.jitter) || args.beats < 2 {
        eprintln!("detectors: --jitter must be in [0, 0.5) and --beats at least 2");
        return ExitCode::from(2);
    }
    let specs = [
        DetectorSpec::Fixed(Duration::from_secs(10)),
        DetectorSpec::HAPROXY,
        DetectorSpec::Phi(8.0),
        DetectorSpec::Phi(12.0),
    ];
    let senders = [
        ("1s steady", Duration::from_secs(1), 0.0),
        ("3s steady", Duration::from_secs(3), 0.0),
        ("3s noisy", Duration::from_secs(3), args.jitter),
    ];
    println!(
        "{} beats, then silence: seconds from the last beat to the dead verdict",
        args.beats
    );
    println!(
        "(noisy: each beat moved by up to ±{:.0} % of the interval)",
        args.jitter * 100.0
    );
    let mut rows = Vec::new();
    for spec in &specs {
        let mut row = vec![spec.to_string()];
        for (_, interval, jitter) in senders {
            let mut d = spec.build(interval);
            let last = feed(d.as_mut(), interval, args.beats, jitter, args.seed);
            row.push(match d.next_change() {
                Some(at) => format!("{:.3}", (at - last).as_secs_f64()),
                None => "never".into(),
            });
        }
        rows.push(row);
    }
    let mut header = vec!["detector"];
    header.extend(senders.iter().map(|s| s.0));
    println!("{}", kit::table::render(&header, &rows));

    println!();
    println!("φ (Akka's defaults) after a silence, for the same three senders:");
    let silences = [1.0, 2.0, 3.0, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0];
    let mut rows = Vec::new();
    let mut learned = Vec::new();
    let phis: Vec<PhiAccrualDetector> = senders
        .iter()
        .map(|&(_, interval, jitter)| {
            let mut d = PhiAccrualDetector::new(PhiConfig {
                first_heartbeat_estimate: interval,
                ..PhiConfig::default()
            });
            feed(&mut d, interval, args.beats, jitter, args.seed);
            d
        })
        .collect();
    for s in silences {
        let mut row = vec![format!("{s}")];
        for d in &phis {
            let phi = d.phi_after(Duration::from_secs_f64(s));
            row.push(if phi < 1000.0 {
                format!("{phi:.2}")
            } else {
                // Beyond this φ stops meaning anything (and soon overflows to ∞).
                "999+".into()
            });
        }
        rows.push(row);
    }
    for ((name, _, _), d) in senders.iter().zip(&phis) {
        learned.push(format!(
            "{name}: mean {}, φ = 8 after {}",
            d.mean_interval().map_or("-".into(), secs),
            d.silence_to_suspect().map_or("-".into(), secs)
        ));
    }
    let mut header = vec!["silence, s"];
    header.extend(senders.iter().map(|s| s.0));
    println!("{}", kit::table::render(&header, &rows));
    for l in learned {
        println!("{l}");
    }
    ExitCode::SUCCESS
}
