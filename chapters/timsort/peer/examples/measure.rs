//! Wall-clock timings, MEASURED when run (the Day 10 page marks this block as measured).
//!
//! `cargo run -q --release --manifest-path chapters/timsort/peer/Cargo.toml --example measure [-- --n 1000000 --reps 5]`

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use timsort::patterns::timing_inputs;
use timsort_peer::{PEER, SORTS, doubling_ratio, median_time};

/// Time this TimSort, std's sorts and the published `timsort` crate on u64 inputs.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Input length.
    #[arg(long, default_value_t = 1_000_000)]
    n: usize,
    /// Repetitions per sort and pattern (the median is shown).
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Seed for the inputs.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Length at which to measure the published crate's growth on random input.
    #[arg(long, default_value_t = 20_000)]
    growth_n: usize,
}

/// Patterns on which the published crate is run at full size (it is quadratic on the others).
const PEER_FAST: [&str; 2] = ["16-runs", "3-swaps"];

fn main() {
    let args = Args::parse();
    let shown = ["random-u64", "16-runs", "4-distinct", "3-swaps"];
    let mut header = vec!["pattern", "std sort ms"];
    header.extend(SORTS.iter().skip(1).map(|(name, _)| *name));
    // Progress on stderr, drawn only when stderr is a terminal (never on the page):
    // which sort is being timed on which input. It moves between timings, never
    // during one.
    let growth_sorts = [1, PEER, 0];
    let bar = ProgressBar::with_draw_target(
        Some((shown.len() * SORTS.len() + growth_sorts.len()) as u64),
        ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        ProgressStyle::with_template("timing {msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut rows = Vec::new();
    for (name, input) in timing_inputs(args.n, args.seed)
        .into_iter()
        .filter(|(n, _)| shown.contains(n))
    {
        bar.set_message(format!("{} on {name}, n = {}", SORTS[0].0, args.n));
        median_time(&input, SORTS[0].1, 1); // warm-up
        let base = median_time(&input, SORTS[0].1, args.reps);
        bar.inc(1);
        let mut row = vec![name.to_string(), format!("{:.1}", base.as_secs_f64() * 1e3)];
        for (i, (sort_name, sort)) in SORTS.iter().enumerate().skip(1) {
            if i == PEER && !PEER_FAST.contains(&name) && args.n > 100_000 {
                row.push("(quadratic)".into());
                bar.inc(1);
                continue;
            }
            bar.set_message(format!("{sort_name} on {name}, n = {}", args.n));
            let t = median_time(&input, *sort, args.reps);
            bar.inc(1);
            row.push(format!(
                "{:.2}×",
                t.as_secs_f64() / base.as_secs_f64().max(1e-9)
            ));
        }
        rows.push(row);
    }
    // Hide the bar while the first table prints (both may go to one terminal).
    bar.suspend(|| {
        println!(
            "MEASURED when this ran: release build, n = {}, median of {} runs.\nColumns after the first time: that sort's time ÷ std sort's time.\n",
            args.n, args.reps
        );
        println!("{}", kit::table::render(&header, &rows));
    });

    let small = timing_inputs(args.growth_n, args.seed).swap_remove(0).1;
    let large = timing_inputs(2 * args.growth_n, args.seed).swap_remove(0).1;
    bar.suspend(|| {
        println!(
            "\nGrowth on random u64 when n doubles from {} to {}\n(n log n grows ≈ 2.1×, quadratic ≈ 4×):\n",
            args.growth_n,
            2 * args.growth_n
        );
    });
    let mut growth = Vec::new();
    for i in growth_sorts {
        let (name, sort) = SORTS[i];
        bar.set_message(format!(
            "{name} on random-u64, n = {} and {}",
            args.growth_n,
            2 * args.growth_n
        ));
        let (a, b) = (
            median_time(&small, sort, args.reps),
            median_time(&large, sort, args.reps),
        );
        bar.inc(1);
        let ratio = doubling_ratio(a, b);
        let at_n =
            b.as_secs_f64() * (args.n as f64 / (2 * args.growth_n) as f64).powf(ratio.log2());
        growth.push(vec![
            name.to_string(),
            format!("{:.2}", a.as_secs_f64() * 1e3),
            format!("{:.2}", b.as_secs_f64() * 1e3),
            format!("{ratio:.1}×"),
            format!("{at_n:.2}"),
        ]);
    }
    bar.finish_and_clear();
    let at = format!("est. s at n = {}", args.n);
    println!(
        "{}",
        kit::table::render(&["sort", "ms at n", "ms at 2n", "growth", &at], &growth)
    );
    println!("{}", kit::measured::footer());
}
