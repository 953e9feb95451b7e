//! Generate a seeded item set, run the four baselines in-process (the same code the
//! `behilos run` command uses), score them, and print the report or the chart.
//!
//! `cargo run -q --release -p behilos --example report -- --part types`

use behilos::baseline::Baseline;
use behilos::generate::{GenConfig, MAX_ITEMS, generate};
use behilos::report::{Section, chart, render_text};
use behilos::score::{TiePolicy, score};
use clap::{Parser, ValueEnum};
use kit::print;

/// Score the four baselines on a generated set.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Generator seed (also seeds the random baseline).
    #[arg(long, default_value_t = 12)]
    seed: u64,
    /// Number of items, 1 to 100000.
    #[arg(long, default_value_t = 700,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_ITEMS as u64))]
    n: usize,
    /// Probability of a tie for the winning value (0 to 1).
    #[arg(long, default_value_t = 0.25, value_parser = kit::cli::f64_in(0.0, 1.0))]
    ties: f64,
    /// Tie policy.
    #[arg(long, value_enum, default_value = "all")]
    policy: Policy,
    /// Which part of the report to print.
    #[arg(long, value_enum, default_value = "all")]
    part: Part,
    /// Print the accuracy-by-type chart as SVG instead.
    #[arg(long)]
    svg: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Policy {
    Any,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
enum Part {
    All,
    Overall,
    Types,
    Knobs,
    Layers,
    Missed,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let config = GenConfig {
        ties: args.ties,
        ..GenConfig::default()
    };
    let items = match generate(args.seed, args.n, &config) {
        Ok(items) => items,
        Err(e) => {
            eprintln!("report: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let answers: Vec<_> = Baseline::all(args.seed)
        .iter()
        .flat_map(|b| b.run(&items))
        .enumerate()
        .map(|(i, a)| (i + 1, a))
        .collect();
    let policy = match args.policy {
        Policy::Any => TiePolicy::Any,
        Policy::All => TiePolicy::All,
    };
    let report = score(&items, &answers, policy);
    if args.svg {
        print!("{}", chart(&report).to_svg());
        return std::process::ExitCode::SUCCESS;
    }
    let sections: &[Section] = match args.part {
        Part::All => &Section::ALL,
        Part::Overall => &[Section::Overall],
        Part::Types => &[Section::Types],
        Part::Knobs => &[Section::Knobs],
        Part::Layers => &[Section::Layers],
        Part::Missed => &[Section::Missed],
    };
    print!("{}", render_text(&report, &items, sections));
    std::process::ExitCode::SUCCESS
}
