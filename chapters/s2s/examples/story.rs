//! The seed's ShoesRUs numbers, for real: ad clicks, purchases through the shop's HTTP
//! API, a browser pixel some browsers never fire, and the server path.

use clap::Parser;
use kit::print;
use s2s::scenario::{StoryConfig, render_story, run_story};

/// Pixel versus server-to-server: who sees the purchases?
#[derive(Debug, Parser)]
struct Args {
    /// Ad clicks.
    #[arg(long, default_value_t = 100)]
    clicks: usize,
    /// Share of clicks that buy.
    #[arg(long, default_value_t = 0.10)]
    conversion_rate: f64,
    /// Share of browsers with an ad/tracker blocker.
    #[arg(long, default_value_t = 0.27)]
    blocker: f64,
    /// Share of browsers whose iOS privacy protections stop the pixel.
    #[arg(long, default_value_t = 0.15)]
    ios: f64,
    /// Share of browsers with JavaScript off.
    #[arg(long, default_value_t = 0.02)]
    no_js: f64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> std::process::ExitCode {
    let a = Args::parse();
    let shares = [
        ("--conversion-rate", a.conversion_rate),
        ("--blocker", a.blocker),
        ("--ios", a.ios),
        ("--no-js", a.no_js),
    ];
    for (name, v) in shares {
        if !(0.0..=1.0).contains(&v) {
            eprintln!("story: {name} {v}: must be a share in 0..=1");
            return std::process::ExitCode::from(2);
        }
    }
    if a.clicks == 0 || a.clicks > 10_000 {
        eprintln!("story: --clicks {}: must be 1..=10000", a.clicks);
        return std::process::ExitCode::from(2);
    }
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
