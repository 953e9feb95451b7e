//! An open question, ranked three ways: BM25, hashed vectors, and their RRF fusion.

use clap::Parser;
use erp_rag::config::Role;
use erp_rag::engine::FixtureEngine;
use erp_rag::fanout::Status;
use erp_rag::record::Entity;
use erp_rag::retrieve::{Index, Retriever};
use kit::println;

/// Top passages for an open question under each retriever.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The question.
    #[arg(default_value = "What do we know about bearing batch 2409?")]
    question: String,
    /// How many passages to show per retriever.
    #[arg(long, default_value_t = 5)]
    k: usize,
    /// Role (hr also searches personnel records).
    #[arg(long, default_value = "analyst")]
    role: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let role = Role::parse(&args.role)?;
    let rt = erp_rag::runtime(true);
    let engine = FixtureEngine::open(&rt, "retrieval")?;
    let targets: Vec<_> = engine.sources.iter().map(|s| (s.clone(), true)).collect();
    let (outcomes, records) = rt.block_on(erp_rag::fanout::fan_out(
        &targets,
        &Entity::ALL,
        role,
        &engine.normaliser,
    ));
    // An index missing a source would rank a different corpus without saying so.
    if let Some(o) = outcomes.iter().find(|o| o.status != Status::Ok) {
        anyhow::bail!("source {} did not answer: {:?}", o.id, o.status);
    }
    let docs: Vec<(String, String)> = records
        .iter()
        .map(|r| (r.provenance.cite_key(), r.passage()))
        .collect();
    let index = Index::build(&docs);
    println!("Question: {}", args.question);
    println!("{} passages indexed (role {})", docs.len(), role.name());
    for r in Retriever::ALL {
        println!();
        println!("{}:", r.name());
        let rows: Vec<Vec<String>> = index
            .rank(&args.question, r)
            .into_iter()
            .take(args.k)
            .enumerate()
            .map(|(i, (d, score))| {
                vec![
                    (i + 1).to_string(),
                    format!("{score:.4}"),
                    docs[d].0.clone(),
                ]
            })
            .collect();
        println!(
            "{}",
            kit::table::render(&["rank", "score", "record"], &rows)
        );
    }
    Ok(())
}
