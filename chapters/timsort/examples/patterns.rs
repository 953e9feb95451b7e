//! Comparisons per sort and input pattern: the chapter's table, its SVG chart, and the
//! inputs themselves for the CPython reference script.
//!
//! ```text
//! cargo run -q --release -p timsort --example patterns                 # table
//! cargo run -q --release -p timsort --example patterns -- --svg        # chart
//! cargo run -q --release -p timsort --example patterns -- --n 64 --runs # + minrun, runs, merges
//! cargo run -q --release -p timsort --example patterns -- --emit random
//! ```

use clap::Parser;
use kit::svg::BarChart;
use kit::{print, println};
use timsort::compare::{Row, comparison_table, run_shapes};
use timsort::orders::seed_orders;
use timsort::patterns::Pattern;
use timsort::reference::CpythonCounts;

/// Count the comparisons of several sorts on patterned inputs.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Input length (1 to 2000000; a million takes about two seconds).
    #[arg(long, default_value_t = 32_768, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=2_000_000))]
    n: usize,
    /// Seed for the random patterns.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print an SVG chart (comparisons per element) instead of the table.
    #[arg(long)]
    svg: bool,
    /// After the table, show minrun and TimSort's runs, merges and gallop entries per
    /// pattern (try `--n 63` against `--n 64`).
    #[arg(long, conflicts_with = "svg")]
    runs: bool,
    /// Print one input (a pattern name, or `orders` for the seed's nine dates) as
    /// whitespace-separated integers, and nothing else.
    #[arg(long, value_name = "PATTERN")]
    emit: Option<String>,
}

fn main() {
    let args = Args::parse();
    if let Some(name) = args.emit {
        let input = if name == "orders" {
            seed_orders().iter().map(|o| o.date_key()).collect()
        } else {
            match name.parse::<Pattern>() {
                Ok(p) => p.generate(args.n, args.seed),
                Err(e) => {
                    eprintln!("patterns: {e} (or `orders`)");
                    std::process::exit(2);
                }
            }
        };
        let text: Vec<String> = input.iter().map(i64::to_string).collect();
        println!("{}", text.join(" "));
        return;
    }
    let rows = comparison_table(args.n, args.seed);
    if args.svg {
        print!("{}", chart(&rows, args.n).to_svg());
    } else {
        print_table(&rows, &args);
        if args.runs {
            print_runs(&args);
        }
    }
}

fn print_runs(args: &Args) {
    let shapes = run_shapes(args.n, args.seed);
    let minrun = shapes.first().map_or(0, |s| s.minrun);
    println!(
        "\nminrun({}) = {minrun}: shorter runs are extended to it by binary insertion{}",
        args.n,
        if args.n < 64 {
            ";\nbelow 64 items the whole input is one run."
        } else {
            "."
        }
    );
    let rows: Vec<Vec<String>> = shapes
        .iter()
        .map(|s| {
            vec![
                s.pattern.name().to_string(),
                s.runs.to_string(),
                s.merges.to_string(),
                s.gallops_classic.to_string(),
                s.gallops_powersort.to_string(),
            ]
        })
        .collect();
    println!(
        "{}",
        kit::table::render(
            &[
                "pattern",
                "runs",
                "merges",
                "gallops classic",
                "gallops powersort"
            ],
            &rows
        )
    );
}

fn per_element(count: u64, n: usize) -> f64 {
    count as f64 / n.max(1) as f64
}

fn chart(rows: &[Row], n: usize) -> BarChart {
    let series = |name: &str, f: fn(&Row) -> u64| {
        (
            name.to_string(),
            rows.iter()
                .map(|r| per_element(f(r), n))
                .collect::<Vec<f64>>(),
        )
    };
    BarChart {
        title: format!("Comparisons per element, n = {n}"),
        y_label: "comparisons ÷ n".into(),
        categories: rows.iter().map(|r| r.pattern.name().to_string()).collect(),
        series: vec![
            series("TimSort (classic)", |r| r.classic),
            series("TimSort (powersort)", |r| r.powersort),
            series("textbook merge sort", |r| r.textbook_merge),
            series("std sort (driftsort)", |r| r.std_stable),
            series("std sort_unstable (ipnsort)", |r| r.std_unstable),
        ],
    }
}

fn print_table(rows: &[Row], args: &Args) {
    let reference = CpythonCounts::load().ok();
    let header = [
        "pattern",
        "classic",
        "powersort",
        "CPython",
        "textbook",
        "std sort",
        "std unstable",
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let cpython = reference
                .as_ref()
                .and_then(|c| c.for_pattern(r.pattern, args.n, args.seed))
                .map_or("—".to_string(), |c| c.to_string());
            vec![
                r.pattern.name().to_string(),
                r.classic.to_string(),
                r.powersort.to_string(),
                cpython,
                r.textbook_merge.to_string(),
                r.std_stable.to_string(),
                r.std_unstable.to_string(),
            ]
        })
        .collect();
    println!(
        "Comparisons to sort n = {} integers (inputs seeded with {}):\n",
        args.n, args.seed
    );
    println!("{}", kit::table::render(&header, &table));
    match &reference {
        Some(r) => println!(
            "\nclassic, powersort: this crate. CPython: CPython {}'s sorted() on the same\ninputs (reference/cpython_counts.py). textbook: top-down merge sort.",
            r.python
        ),
        None => {
            println!("\nCPython reference unavailable (reference/cpython-counts.json unreadable).")
        }
    }
    let log2_factorial: f64 = (2..=args.n).map(|k| (k as f64).log2()).sum();
    println!(
        "log2(n!) = {log2_factorial:.0}: the fewest comparisons that can sort every permutation."
    );
    if let Some(r) = rows.iter().find(|r| r.pattern == Pattern::Random) {
        println!(
            "random: classic spends {:+.2} % and powersort {:+.2} % over that bound.",
            (r.classic as f64 / log2_factorial - 1.0) * 100.0,
            (r.powersort as f64 / log2_factorial - 1.0) * 100.0
        );
    }
}
