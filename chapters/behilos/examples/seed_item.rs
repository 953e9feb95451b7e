//! The seed's own question, the four baselines and a handful of typical replies,
//! each extracted and scored under both tie policies.
//!
//! `cargo run -q --release -p behilos --example seed_item`

use behilos::baseline::Baseline;
use behilos::generate::seed_example;
use behilos::item::label_list;
use behilos::score::{Outcome, judge};
use clap::Parser;
use kit::println;

/// Score replies to the seed's example under both tie policies.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Extra replies to score, e.g. --reply "Answer: E" (at most 4000 bytes each).
    #[arg(long, value_parser = behilos::extract::reply_arg, num_args = 1)]
    reply: Vec<String>,
}

const TYPICAL: [&str; 7] = [
    "D",
    "d and e",
    "São Paulo and Mexico City both have 22 million.",
    "The lowest is Mexico City.",
    "Not (A), that is the largest; the smallest is (C).",
    "Answer: D, E, C",
    "They look about the same to me.",
];

fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Correct => "right",
        Outcome::Wrong => "wrong",
        Outcome::Unextracted => "unread",
        Outcome::Missing => "missing",
    }
}

fn main() {
    let args = Args::parse();
    let item = seed_example();
    println!("{}", behilos::report::wrap(&item.prompt, 78));
    println!("gold: {{{}}}\n", label_list(&item.gold));
    let mut replies: Vec<(String, String)> = Baseline::all(12)
        .iter()
        .map(|b| (b.name().to_string(), b.respond(&item)))
        .collect();
    let extra = args.reply.iter().map(String::as_str);
    for (i, r) in TYPICAL.iter().copied().chain(extra).enumerate() {
        replies.push((format!("reply {}", i + 1), r.to_string()));
    }
    let mut rows = Vec::new();
    let mut wide = Vec::new();
    for (who, reply) in &replies {
        let v = judge(&item, Some(reply));
        rows.push(vec![
            who.clone(),
            v.extraction.layer.map_or("-", |l| l.name()).to_string(),
            label_list(&v.extraction.labels),
            mark(v.any).to_string(),
            mark(v.all).to_string(),
        ]);
        if !who.starts_with("reply") {
            continue;
        }
        wide.push(format!("{who}: {reply}"));
    }
    println!("{}", wide.join("\n"));
    println!();
    println!(
        "{}",
        kit::table::render(&["who", "layer", "extracted", "any", "all"], &rows)
    );
}
