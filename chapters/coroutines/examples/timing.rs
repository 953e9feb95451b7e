//! MEASURED: wall-clock time to sum `1..=limit` with every flavour, best of `--reps`,
//! as ratios to the hand-written state machine. Figures change from run to run; the
//! careful numbers come from `cargo bench -p coroutines`.
//!
//! `cargo run -q --release -p coroutines --example timing -- --help`

use kit::println;
use std::process::ExitCode;

use clap::Parser;
use coroutines::timing::time_sums_with_progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Time summing 1..=limit with each generator flavour (measured, not deterministic).
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Sum 1..=limit.
    #[arg(long, default_value_t = 1_000_000)]
    limit: u64,
    /// Runs per flavour; the best is kept.
    #[arg(long, default_value_t = 15)]
    reps: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Progress on stderr, drawn only when stderr is a terminal (never on the page).
    // It is updated between timed runs, so drawing it is not measured.
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("timing {msg} [{bar:30}] {pos}/{len} runs")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let timings = time_sums_with_progress(args.limit, args.reps, &mut |step| {
        bar.set_length(u64::from(step.total));
        bar.set_position(u64::from(step.done));
        bar.set_message(format!(
            "{}, {}",
            step.flavour,
            if step.per_value { "per value" } else { "sum()" }
        ));
    });
    bar.finish_and_clear();
    let timings = match timings {
        Ok(t) => t,
        Err(e) => {
            eprintln!("timing: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "MEASURED on this machine: sum of 1..={}, best of {} runs",
        args.limit, args.reps
    );
    let n = args.limit.max(1) as f64;
    let hand = timings[0].opaque.as_secs_f64().max(1e-12);
    let rows: Vec<Vec<String>> = timings
        .iter()
        .map(|t| {
            let (p, o) = (t.plain.as_secs_f64(), t.opaque.as_secs_f64());
            vec![
                t.flavour.to_string(),
                format!("{:.3}", p * 1e3),
                format!("{:.3}", o * 1e3),
                format!("{:.2}", o * 1e9 / n),
                format!("{:.1}×", o / hand),
            ]
        })
        .collect();
    println!(
        "{}",
        kit::table::render(
            &["flavour", "sum() ms", "per-value ms", "ns/value", "vs hand"],
            &rows
        )
    );
    println!("per-value: each value passes through black_box, as real work would");
    let agree = timings
        .iter()
        .all(|t| t.sum == timings[0].sum && t.sum != 0);
    println!(
        "every flavour computed {}: {}",
        timings[0].sum,
        if agree { "yes" } else { "NO" }
    );
    println!("{}", kit::measured::footer());
    ExitCode::SUCCESS
}
