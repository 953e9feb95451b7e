//! Day 9: v1 and v2 side by side — the technical contract (schemathesis), the
//! semantic contract (the suite over HTTP) and the consumer's pact.
//!
//! `cargo run -q --release -p contracts --example verdicts -- --help`

use kit::print;
use std::process::ExitCode;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use contracts::latency::{MAX_REQUESTS, MAX_WARMUP};
use contracts::progress::stderr_bar;
use contracts::schemathesis::{self, RunOptions};
use contracts::suite::{MAX_CASES, SuiteConfig};
use contracts::verdicts::{compare, render};

/// Start v1 and v2 on free loopback ports (virtual clocks), check each three ways,
/// print the verdicts side by side. Runs the pinned schemathesis that `cargo xtask
/// tools` installs (else the one on PATH).
#[derive(Parser)]
struct Args {
    /// Seed of the generated cases and of the servers' service-time model.
    #[arg(long, default_value_t = 9)]
    seed: u64,
    /// Generated cases per promise (proptest's default is 256).
    #[arg(long, default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_CASES)))]
    cases: u32,
    /// Latency: measured requests after the warm-up.
    #[arg(long, default_value_t = 1000,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_REQUESTS as u64))]
    requests: usize,
    /// Latency: warm-up requests.
    #[arg(long, default_value_t = 100,
          value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_WARMUP as u64))]
    warmup: usize,
    /// schemathesis: --max-examples per operation.
    #[arg(long, default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(schemathesis::MAX_EXAMPLES)))]
    max_examples: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let exe = match schemathesis::find() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("verdicts: {e}");
            return ExitCode::from(2);
        }
    };
    let suite = SuiteConfig {
        seed: args.seed,
        cases: args.cases,
        warmup: args.warmup,
        measured: args.requests,
        progress: stderr_bar("verdicts"),
        ..SuiteConfig::default()
    };
    let options = RunOptions {
        seed: args.seed,
        max_examples: args.max_examples,
    };
    let compared = compare(&exe, args.seed, &suite, &options);
    suite.progress.finish_and_clear();
    match compared {
        Ok(results) => {
            print!("{}", render(&results));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("verdicts: {e}");
            ExitCode::from(2)
        }
    }
}
