//! One generator, several ways: the same values from every flavour.
//!
//! `--timed` adds the wall-clock time from building each generator to its first value
//! (measured, so it differs from run to run; the page's rendered block runs without it).
//!
//! `cargo run -q --release -p coroutines --example flavours -- --help`

use kit::println;
use std::process::ExitCode;

use clap::Parser;
use coroutines::counter::{Flavour, Pull};
use coroutines::timing::time_to_first;

/// Pull values from each flavour of the 1..=limit generator and compare them.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The generator counts 1..=limit.
    #[arg(long, default_value_t = 1_000_000)]
    limit: u64,
    /// How many values to pull from each flavour.
    #[arg(long, default_value_t = 5)]
    take: u64,
    /// Only this flavour: hand, stack, rc, sync, async, batch or vec (default: all).
    #[arg(long)]
    flavour: Option<Flavour>,
    /// Also show the time from building each generator to its first value (wall
    /// clock, measured: it differs from run to run).
    #[arg(long)]
    timed: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let flavours: Vec<Flavour> = match args.flavour {
        Some(f) => vec![f],
        None => Flavour::ALL.to_vec(),
    };
    println!(
        "Counting 1..={}: pull {} values from each flavour\n",
        args.limit, args.take
    );
    let pull = Pull {
        take: args.take,
        show: 6,
    };
    let mut rows = Vec::new();
    let mut reference = None;
    for f in &flavours {
        let (got, first_after) = match time_to_first(*f, args.limit, pull) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("flavours: {e}");
                return ExitCode::from(2);
            }
        };
        let mut first: Vec<String> = got.first.iter().map(u64::to_string).collect();
        if got.count > got.first.len() as u64 {
            first.push("…".into());
        }
        let same = reference.get_or_insert_with(|| got.clone()) == &got;
        let mut row = vec![
            f.to_string(),
            first.join(" "),
            got.count.to_string(),
            got.last.map_or("-".into(), |l| l.to_string()),
            got.sum.to_string(),
            if same { "yes" } else { "NO" }.to_string(),
        ];
        if args.timed {
            row.push(
                first_after.map_or("-".into(), |d| format!("{:.3} ms", d.as_secs_f64() * 1e3)),
            );
        }
        rows.push(row);
    }
    let mut header = vec!["flavour", "first values", "pulled", "last", "sum", "same"];
    if args.timed {
        header.push("first value after");
    }
    println!("{}", kit::table::render(&header, &rows));
    if args.timed {
        println!(
            "\nfirst value after: MEASURED wall-clock time from building the generator to\nits first value, this run{}",
            if flavours.contains(&Flavour::Vec) {
                format!(" (vec builds all {} values first)", args.limit)
            } else {
                String::new()
            }
        );
    }
    println!();
    for f in &flavours {
        println!("{:>6}: {}", f.name(), f.describe());
    }
    ExitCode::SUCCESS
}
