//! The seed's JavaScript summary (`compareConfigs`), recomputed from its own YAML.
//!
//! `cargo run -q --release -p drift --example seed_claims`

use kit::print;
use std::process::ExitCode;

use clap::Parser;

/// Check each sentence of the seed's drift summary against the diff of its YAML.
#[derive(Parser)]
#[command(about)]
struct Args {}

fn run() -> Result<(), drift::DriftError> {
    let intended = drift::parse_str(
        "infrastructure-plan.yaml",
        drift::fixtures::INTENDED_YAML,
        false,
    )?;
    let actual = drift::parse_str(
        "actual-infrastructure.yaml",
        drift::fixtures::ACTUAL_YAML,
        false,
    )?;
    let report = drift::diff(&intended, &actual, &[]);
    let claims = drift::seed::check_seed_claims(&intended, &actual, &report);
    print!("{}", drift::seed::render_claims(&claims));
    Ok(())
}

fn main() -> ExitCode {
    let _ = Args::parse();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("seed_claims: {e}");
            ExitCode::from(1)
        }
    }
}
