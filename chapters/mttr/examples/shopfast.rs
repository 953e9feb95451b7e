//! The seed's ShopFast incident: its timeline, its intervals, the seed's claims checked,
//! and the revenue line recomputed.
//!
//! `cargo run -q --release -p mttr --example shopfast -- --help`

use kit::{print, println};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mttr::seed::{SHOPFAST_CLAIMS, check_claims, render_checks};
use mttr::{Milestone, downtime_cost, fmt_dollars, fmt_duration, metrics};

/// Rebuild the seed's ShopFast incident from its fixture and check the seed's numbers.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The incident file (the first incident is used).
    #[arg(long, default_value_os_t = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/shopfast.csv")))]
    file: PathBuf,
    /// Revenue lost per minute of downtime, in dollars (the seed's figure).
    #[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u64).range(0..=1_000_000_000))]
    dollars_per_minute: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let incidents = match mttr::read_incidents(&args.file) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("shopfast: {e}");
            return ExitCode::from(1);
        }
    };
    let Some(inc) = incidents.first() else {
        eprintln!("shopfast: {}: no incident to check", args.file.display());
        return ExitCode::from(1);
    };
    print!("{}", mttr::render_incident(inc));
    println!();
    print!("{}", render_checks(&check_claims(inc, &SHOPFAST_CLAIMS)));
    if let Some(d) = inc
        .timeline
        .between(Milestone::Acknowledged, Milestone::FixApplied)
    {
        println!(
            "  counting repair from the acknowledgement instead: {}",
            fmt_duration(d)
        );
    }
    let m = metrics(inc);
    let rate = args.dollars_per_minute;
    println!("\nRevenue lost at {}/minute:", fmt_dollars(rate));
    println!(
        "  users' downtime (impact → restored, {}): {}",
        fmt_duration(m.recover_from_impact),
        fmt_dollars(downtime_cost(m.recover_from_impact, rate))
    );
    println!(
        "  the seed's count (alert → restored, {}): {}",
        fmt_duration(m.recover_from_alert),
        fmt_dollars(downtime_cost(m.recover_from_alert, rate))
    );
    ExitCode::SUCCESS
}
