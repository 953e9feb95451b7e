//! φ over time for one server, on a quiet and on a noisy network, as an inline SVG.
//!
//! `cargo run -q --release -p heartbeat --example phi_plot -- --help`

use kit::println;
use std::process::ExitCode;

use clap::Parser;
use heartbeat::plot::phi_svg;
use heartbeat::{Scenario, run_virtual};

/// Draw φ of one server in the noisy scenario and in its quiet twin (virtual time).
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Which server to draw.
    #[arg(long, default_value_t = 1)]
    server: u32,
    /// Seed of jitter and loss.
    #[arg(long, default_value_t = 3)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let scenario = Scenario {
        seed: args.seed,
        ..Scenario::noisy()
    };
    let quiet = Scenario {
        jitter: std::time::Duration::from_millis(200),
        loss: 0.0,
        ..scenario.clone()
    };
    if !(1..=scenario.servers).contains(&args.server) {
        eprintln!("phi_plot: --server must be in 1..={}", scenario.servers);
        return ExitCode::from(2);
    }
    match run_virtual(&quiet).and_then(|q| Ok((q, run_virtual(&scenario)?))) {
        Ok((q, n)) => {
            let reports = [
                ("quiet: jitter 0..200ms, no loss", &q),
                ("noisy: jitter 0..1.5s, 5 % loss", &n),
            ];
            println!("{}", phi_svg(&reports, args.server));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("phi_plot: {e}");
            ExitCode::FAILURE
        }
    }
}
