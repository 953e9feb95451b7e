//! The LLM step against a mock OpenAI-compatible server on loopback: the request the
//! client sends, a faithful answer that passes the checks, and a hallucinated one that
//! is rejected in favour of the offline synthesiser.

use clap::Parser;
use erp_rag::answer::mock::{MockServer, Reply};
use erp_rag::answer::openai::OpenAiCompatible;
use erp_rag::config::Role;
use erp_rag::engine::FixtureEngine;
use erp_rag::retrieve::Retriever;
use kit::{print, println};

/// Ask a mock OpenAI-compatible endpoint, and check what it says.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The question.
    #[arg(default_value = "What is the inventory value in Germany?")]
    question: String,
    /// Seed sent with the request.
    #[arg(long, default_value_t = 6)]
    seed: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rt = erp_rag::runtime(false);
    let engine = FixtureEngine::open(&rt, "llm")?;
    let f = rt.block_on(engine.gather(&args.question, Role::Analyst, Retriever::Hybrid));
    let replies = [
        ("faithful", Reply::CopyEvidence),
        (
            "hallucinating",
            Reply::Fixed(
                "Germany holds about USD 4.3 million of stock [r3-de:MB52:9999/DE01].".into(),
            ),
        ),
        ("failing (HTTP 500)", Reply::Error),
    ];
    println!("Question: {}\n", args.question);
    for (i, (name, reply)) in replies.into_iter().enumerate() {
        let written = rt.block_on(async {
            let server = MockServer::start(reply).await?;
            let llm = OpenAiCompatible::new(&server.base_url(), "mock-model", args.seed)?;
            let w = erp_rag::answer::write(&llm, &f).await;
            let reqs = server.requests();
            let base = server.base_url();
            server.shutdown().await;
            anyhow::Ok((w, reqs, base))
        })?;
        let (mut w, reqs, base) = written;
        // Never print the port: it changes every run.
        w.by = w.by.replace(&base, "http://127.0.0.1:PORT/v1");
        for r in &mut w.rejected {
            *r = r.replace(&base, "http://127.0.0.1:PORT/v1");
        }
        if i == 0 {
            if let Some(r) = reqs.first() {
                println!("POST /v1/chat/completions, body fields:");
                println!("  model = {}", r["model"]);
                println!(
                    "  temperature = {}, seed = {}, max_tokens = {}",
                    r["temperature"], r["seed"], r["max_tokens"]
                );
                if let Some(ms) = r["messages"].as_array() {
                    for m in ms {
                        let content = m["content"].as_str().unwrap_or("");
                        println!(
                            "  message role={} ({} lines)",
                            m["role"].as_str().unwrap_or(""),
                            content.lines().count()
                        );
                    }
                    if let Some(user) = ms.get(1).and_then(|m| m["content"].as_str()) {
                        println!("  user message:");
                        for l in user.lines() {
                            print!(
                                "{}",
                                erp_rag::render::wrap(&format!("    | {l}"), 78, "|   ")
                            );
                        }
                    }
                }
            }
            println!();
        }
        print!(
            "{}",
            erp_rag::render::wrap(&format!("Mock model {name}: answer by {}", w.by), 78, "  ")
        );
        for r in &w.rejected {
            print!(
                "{}",
                erp_rag::render::wrap(&format!("  rejected: {r}"), 78, "    ")
            );
        }
        let first = w.text.lines().next().unwrap_or("");
        print!(
            "{}",
            erp_rag::render::wrap(&format!("  > {first}"), 78, "    ")
        );
        println!();
    }
    Ok(())
}
