//! The seed's Python program, ported: its trace, the moment each generator is
//! dropped, and how the seed's printed "Output:" differs from what really prints;
//! `--svg` draws the run instead: the generator's states beside its trace.
//!
//! `cargo run -q --release -p coroutines --example seed -- --help`

use kit::print;
use std::process::ExitCode;

use clap::Parser;
use coroutines::counter::Flavour;
use coroutines::picture::state_machine_svg;
use coroutines::seed::{SeedProgram, render_report, run_seed_program};

/// Run the seed's count_to_million program and compare with the seed's output.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Generator flavour: hand, stack, rc, sync or async.
    #[arg(long, default_value = "rc")]
    flavour: Flavour,
    /// The generator counts 1..=limit (the seed: one million).
    #[arg(long, default_value_t = 1_000_000)]
    limit: u64,
    /// How many next() calls before the for loop (the seed: 3).
    #[arg(long, default_value_t = 3)]
    pulls: u64,
    /// The for loop breaks at the first value above this (the seed: 5).
    #[arg(long, default_value_t = 5)]
    stop_above: u64,
    /// Print only a picture (one <svg>): the generator's states beside this run's trace.
    #[arg(long)]
    svg: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let program = SeedProgram {
        limit: args.limit,
        pulls: args.pulls,
        stop_above: args.stop_above,
    };
    match run_seed_program(args.flavour, program) {
        Ok(trace) if args.svg => {
            print!("{}", state_machine_svg(args.flavour, program, &trace));
            ExitCode::SUCCESS
        }
        Ok(trace) => {
            print!("{}", render_report(args.flavour, program, &trace));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed: {e}");
            ExitCode::from(2)
        }
    }
}
