//! Day 9: the latency contract on the wall clock — v1 and v2 on real loopback
//! servers that sleep for their modelled service time, p50/p95/p99 by nearest rank
//! over the measured requests sent after a warm-up. Measured, so it varies.
//! With `--svg` it draws instead: the same probe on the service-time model's virtual
//! clock (the run behind the verdicts' latency table), reproducible, as one SVG.
//!
//! `cargo run -q --release -p contracts --example latency -- --help`
//! `cargo run -q --release -p contracts --example latency -- --svg > /tmp/contracts.svg`

use kit::{print, println};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use contracts::client::Api;
use contracts::latency::{MAX_CONCURRENCY, MAX_REQUESTS, MAX_WARMUP, probe};
use contracts::picture::{latency_svg, virtual_runs};
use contracts::progress::stderr_bar;
use contracts::search::Version;
use contracts::server::{Clock, RunningServer, ServerConfig};

/// Measure both versions' latency on the wall clock.
#[derive(Parser)]
struct Args {
    /// Measured requests per version (the contract asks for at least 1000).
    #[arg(long, default_value_t = 1000,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_REQUESTS as u64))]
    requests: usize,
    /// Warm-up requests per version, not measured.
    #[arg(long, default_value_t = 100,
          value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_WARMUP as u64))]
    warmup: usize,
    /// Requests in flight at once (never more than the requests).
    #[arg(long, default_value_t = 32,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_CONCURRENCY as u64))]
    concurrency: usize,
    /// Seed of the service-time model.
    #[arg(long, default_value_t = 9)]
    seed: u64,
    /// Print only an SVG picture of both versions' sorted latencies against the p95
    /// target and the p99 SLO, from the virtual-time run (the verdicts' latency table:
    /// the suite's requests first, then the probe, one at a time); the wall clock is
    /// not used and --concurrency is ignored.
    #[arg(long)]
    svg: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.svg {
        return match virtual_runs(args.seed, args.warmup, args.requests) {
            Ok(runs) => {
                let labelled: Vec<_> = runs.iter().map(|(v, r)| (v.name(), r)).collect();
                print!("{}", latency_svg(args.seed, &labelled));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("latency: {e}");
                ExitCode::from(2)
            }
        };
    }
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let mut rows = Vec::new();
        let bar = stderr_bar("latency");
        for v in [Version::V1, Version::V2] {
            bar.set_prefix(format!("latency {}", v.name()));
            let server = RunningServer::start(ServerConfig::new(v, args.seed), Clock::Real)?;
            let api = Api::new(&server.base_url(), Duration::from_secs(10))?;
            let l = rt.block_on(probe(
                &api,
                args.warmup,
                args.requests,
                args.concurrency,
                &bar,
            ));
            let l = match l {
                Ok(l) => l,
                Err(e) => {
                    bar.finish_and_clear();
                    return Err(e.into());
                }
            };
            let ms = |x: f64| format!("{x:.1} ms");
            rows.push(vec![
                v.name().to_string(),
                l.measured.to_string(),
                ms(l.p50_ms),
                ms(l.p95_ms),
                ms(l.p99_ms),
                ms(l.max_ms),
            ]);
        }
        bar.finish_and_clear();
        Ok(kit::table::render(
            &["version", "requests", "p50", "p95", "p99", "max"],
            &rows,
        ))
    };
    match run() {
        Ok(table) => {
            println!("{table}");
            println!("{}", kit::measured::footer());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("latency: {e}");
            ExitCode::from(2)
        }
    }
}
