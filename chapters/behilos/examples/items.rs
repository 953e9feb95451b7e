//! Generated items as a model sees them, with their gold set and measured knobs.
//! By default it shows one item per trap: a tie printed in two notations, mixed
//! units, negative values next to a near-duplicate, and a "BEST" question.
//!
//! `cargo run -q --release -p behilos --example items -- --seed 12 --ids 1,2`

use behilos::generate::{GenConfig, MAX_ITEMS, generate};
use behilos::item::{Item, QuestionType, label_list};
use behilos::report::wrap;
use behilos::score::knob_summary;
use clap::Parser;
use clap::builder::RangedU64ValueParser;
use kit::println;

/// Print generated items.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Generator seed.
    #[arg(long, default_value_t = 12)]
    seed: u64,
    /// Item indices to show instead of the showcase (comma-separated, 0 to 99999).
    #[arg(long, value_delimiter = ',',
          value_parser = RangedU64ValueParser::<usize>::new().range(0..MAX_ITEMS as u64))]
    ids: Vec<usize>,
    /// How many items to generate, 1 to 100000 (the showcase searches them).
    #[arg(long, default_value_t = 200,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_ITEMS as u64))]
    n: usize,
}

/// The first item satisfying each trap, in order, without repeats.
fn showcase(items: &[Item]) -> Vec<&Item> {
    let traps: [fn(&Item) -> bool; 4] = [
        |i| i.knobs.ties && i.knobs.mixed_notation,
        |i| i.knobs.mixed_units && i.knobs.distractors == 0,
        |i| i.knobs.negatives && i.knobs.near_duplicate && i.knobs.distractors == 0,
        |i| i.question_type == QuestionType::Best && i.target.rank() == 0 && !i.target.wants_high(),
    ];
    let mut shown: Vec<&Item> = Vec::new();
    for trap in traps {
        if let Some(item) = items
            .iter()
            .skip(1)
            .find(|i| trap(i) && !shown.iter().any(|s| s.id == i.id))
        {
            shown.push(item);
        }
    }
    shown
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let n = args
        .ids
        .iter()
        .map(|i| i.saturating_add(1))
        .max()
        .unwrap_or(0)
        .max(args.n);
    let items = match generate(args.seed, n, &GenConfig::default()) {
        Ok(items) => items,
        Err(e) => {
            eprintln!("items: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let chosen: Vec<&Item> = if args.ids.is_empty() {
        showcase(&items)
    } else {
        args.ids.iter().filter_map(|&i| items.get(i)).collect()
    };
    for item in chosen {
        let kind = item.question_type.name();
        println!("── {} · {kind} · knobs: {}", item.id, knob_summary(item));
        println!("{}", wrap(&item.prompt, 78));
        println!("gold: {{{}}}\n", label_list(&item.gold));
    }
    std::process::ExitCode::SUCCESS
}
