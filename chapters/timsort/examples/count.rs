//! A scripting door into the sort: integers on stdin, one JSON object of statistics out.
//!
//! ```text
//! seq 1 1000 | shuf | cargo run -q --release -p timsort --example count -- --policy powersort
//! {"n":1000,"comparisons":8714,"runs":32,"merges":31,"policy":"powersort",...}
//! ```
//!
//! A token that is not an `i64` is reported with its text and position, exit code 2.

use kit::println;
use std::io::Read;
use std::process::ExitCode;

use clap::Parser;
use timsort::input::parse_integers;
use timsort::{MergePolicy, TimSort};

/// Sort whitespace-separated integers from stdin and print TimSort's statistics as JSON.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Merge policy: `classic` (merge_collapse with the 2015 fix) or `powersort`.
    #[arg(long, default_value = "classic")]
    policy: MergePolicy,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("count: cannot read stdin as UTF-8 text: {e}");
        return ExitCode::from(2);
    }
    let mut v = match parse_integers(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("count: {e}");
            return ExitCode::from(2);
        }
    };
    let stats = TimSort::with_policy(args.policy).sort_by_counted(&mut v, i64::cmp);
    let json = serde_json::json!({
        "n": stats.n,
        "comparisons": stats.comparisons,
        "runs": stats.runs,
        "merges": stats.merges,
        "gallop_entries": stats.gallop_entries,
        "max_pending": stats.max_pending,
        "minrun": stats.minrun,
        "policy": args.policy.to_string(),
    });
    println!("{json}");
    ExitCode::SUCCESS
}
