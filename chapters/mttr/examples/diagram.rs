//! The seed's generic "Visual Comparison" timeline, checked against its own labels.
//!
//! `cargo run -q --release -p mttr --example diagram`

use kit::print;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mttr::seed::{DIAGRAM_CLAIMS, check_claims, render_checks};

/// Rebuild the seed's diagram (alert at 0 min … closed at 60 min) and check its numbers.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The incident file (the first incident is used).
    #[arg(long, default_value_os_t = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seed-diagram.csv")))]
    file: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let incidents = match mttr::read_incidents(&args.file) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("diagram: {e}");
            return ExitCode::from(1);
        }
    };
    let Some(inc) = incidents.first() else {
        return ExitCode::from(1);
    };
    print!("{}", render_checks(&check_claims(inc, &DIAGRAM_CLAIMS)));
    ExitCode::SUCCESS
}
