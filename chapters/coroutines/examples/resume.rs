//! A two-way coroutine: a running average fed with `resume_with`, naive and primed,
//! and its completion value.
//!
//! `cargo run -q --release -p coroutines --example resume -- --help`

use clap::Parser;
use coroutines::resume::{RunningAverage, Summary, feed_naively, feed_primed, show_average};
use kit::println;

/// Feed values into a running-average coroutine, with and without priming it.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The values to send, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        default_value = "10,20,30,40"
    )]
    values: Vec<i64>,
}

fn done(s: &Summary) -> String {
    format!("{} values, mean {}", s.count, show_average(s.mean))
}

fn main() {
    let args = Args::parse();
    let naive = feed_naively(&args.values);
    let primed = feed_primed(&args.values);
    println!("A running average, fed one value per resume_with(Some(x))\n");
    let mut rows = vec![vec![
        "(prime) None".to_string(),
        "(not primed)".to_string(),
        "Yielded(-)".to_string(),
    ]];
    for (i, x) in args.values.iter().enumerate() {
        rows.push(vec![
            format!("Some({x})"),
            format!("Yielded({})", show_average(naive.averages[i])),
            format!("Yielded({})", show_average(primed.averages[i])),
        ]);
    }
    rows.push(vec![
        "None (stop)".to_string(),
        format!("done: {}", done(&naive.summary)),
        format!("done: {}", done(&primed.summary)),
    ]);
    println!(
        "{}",
        kit::table::render(&["sent", "naive gets", "primed gets"], &rows)
    );
    let lost = args.values.len() as u64 - naive.summary.count;
    println!("\nvalues lost by the naive driver: {lost}");
    let mut avg = RunningAverage::new();
    let seen: Vec<String> = args
        .values
        .iter()
        .map(|&x| show_average(avg.push(x)))
        .collect();
    println!("RunningAverage (primes itself): {}", seen.join(", "));
    println!("  completes with: {}", done(&avg.finish()));
}
