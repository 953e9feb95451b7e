//! The seed's ShoesRUs numbers, for real: ad clicks, purchases through the shop's HTTP
//! API, a browser pixel some browsers never fire, and the server path.

use clap::Parser;
use kit::print;
use s2s::scenario::{StoryConfig, render_story, run_story};

/// Pixel versus server-to-server: who sees the purchases?
#[derive(Debug, Parser)]
struct Args {
    /// Ad clicks (1..=10000; each purchase is a real request and an fsync).
    #[arg(long, default_value_t = 100,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    clicks: usize,
    /// Share of clicks that buy (0..=1).
    #[arg(long, default_value_t = 0.10, value_parser = kit::cli::f64_in(0.0, 1.0))]
    conversion_rate: f64,
    /// Share of browsers with an ad/tracker blocker (0..=1).
    #[arg(long, default_value_t = 0.27, value_parser = kit::cli::f64_in(0.0, 1.0))]
    blocker: f64,
    /// Share of browsers whose iOS privacy protections stop the pixel (0..=1).
    #[arg(long, default_value_t = 0.15, value_parser = kit::cli::f64_in(0.0, 1.0))]
    ios: f64,
    /// Share of browsers with JavaScript off (0..=1).
    #[arg(long, default_value_t = 0.02, value_parser = kit::cli::f64_in(0.0, 1.0))]
    no_js: f64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> std::process::ExitCode {
    let a = Args::parse();
    let config = StoryConfig {
        clicks: a.clicks,
        conversion_rate: a.conversion_rate,
        blocker: a.blocker,
        ios: a.ios,
        no_js: a.no_js,
        seed: a.seed,
    };
    match run_story(&config) {
        Ok(r) => {
            print!("{}", render_story(&r));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("story: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
