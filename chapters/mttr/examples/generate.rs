//! Seeded synthetic incidents as CSV or JSON (how `fixtures/incidents.*` were made).
//!
//! `cargo run -q --release -p mttr --example generate -- --format json`

use kit::print;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// Print N made-up incidents with lognormal phases.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Seed.
    #[arg(long, default_value_t = 11)]
    seed: u64,
    /// How many incidents (1 to 10000: about 55 years of incidents, 6 to 90 hours apart).
    #[arg(long, default_value_t = 40, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    n: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

fn main() -> ExitCode {
    let a = Args::parse();
    let Some(incidents) = mttr::synthetic::synthetic_incidents(a.seed, a.n, "2024-10-01T00:00:00Z")
    else {
        eprintln!("generate: the incidents' timestamps run past what RFC 3339 can write");
        return ExitCode::from(1);
    };
    match a.format {
        Format::Csv => print!("{}", mttr::to_csv(&incidents)),
        Format::Json => print!("{}", mttr::to_json(&incidents)),
    }
    ExitCode::SUCCESS
}
