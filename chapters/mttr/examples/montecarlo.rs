//! Can MTTR see a real 10 % improvement? A seeded lognormal simulation.
//!
//! `cargo run -q --release -p mttr --example montecarlo -- --help`

use clap::Parser;
use kit::print;
use mttr::montecarlo::{Experiment, Lognormal, run};

/// Simulate pairs of quarters, one really better, and count how often statistics notice.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Seed (the page uses the default).
    #[arg(long, default_value_t = 2021)]
    seed: u64,
    /// Simulated pairs of quarters per row.
    #[arg(long, default_value_t = 2000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=20_000))]
    trials: usize,
    /// Spread of ln(duration); larger means heavier tails.
    #[arg(long, default_value_t = 1.5, value_parser = kit::cli::f64_in(0.01, 5.0))]
    sigma: f64,
    /// The real improvement, as a fraction.
    #[arg(long, default_value_t = 0.10, value_parser = kit::cli::f64_in(0.0, 0.99))]
    improvement: f64,
    /// Incidents per quarter (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "50,100,200,300", num_args = 1..=8, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=2000))]
    sizes: Vec<usize>,
}

fn main() {
    let a = Args::parse();
    let exp = Experiment {
        seed: a.seed,
        trials: a.trials,
        sizes: a.sizes,
        improvement: a.improvement,
        dist: Lognormal {
            median: 60.0,
            sigma: a.sigma,
        },
    };
    print!("{}", mttr::montecarlo::render(&exp, &run(&exp)));
}
