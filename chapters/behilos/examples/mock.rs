//! The HTTP path end to end: start the mock endpoint on 127.0.0.1:0 in this process,
//! ask it every item through the OpenAI-compatible client (retries included), score
//! the replies, shut the server down. Nothing printed depends on the port or on time.
//!
//! `cargo run -q --release -p behilos --example mock -- --n 40`

use kit::println;
use std::time::Duration;

use behilos::client::{ChatClient, MAX_ATTEMPTS, RetryPolicy};
use behilos::generate::{GenConfig, generate};
use behilos::mock::{MockServer, summarise};
use behilos::score::{TiePolicy, score};
use clap::Parser;

/// Run the mock model over HTTP and show what each failure mode does.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Generator seed (also sent as the request seed).
    #[arg(long, default_value_t = 12)]
    seed: u64,
    /// Number of items, 1 to 10000 (each is one or two HTTP requests).
    #[arg(long, default_value_t = 40,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    n: usize,
    /// Attempts per item, the first included (1 to 10).
    #[arg(long, default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..=MAX_ATTEMPTS as i64))]
    attempts: u32,
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mock: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let items = generate(args.seed, args.n, &GenConfig::default())?;
    let server = MockServer::start(&items)?;
    let retry = RetryPolicy {
        max_attempts: args.attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    };
    let client = ChatClient::new(&server.url(), "mock", args.seed, retry);
    let answers: Vec<_> = items
        .iter()
        .map(|item| client.answer(item, "mock"))
        .enumerate()
        .map(|(i, a)| (i + 1, a))
        .collect();
    let requests = server.requests();
    let last = server.last_request();
    drop(server);

    let report = score(&items, &answers, TiePolicy::All);
    let plain: Vec<_> = answers.iter().map(|(_, a)| a.clone()).collect();
    let verdicts = report.models.first().map_or(&[][..], |m| &m.verdicts[..]);
    let rows = summarise(&items, &plain, verdicts);
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|(b, r)| {
            vec![
                b.name().to_string(),
                r.items.to_string(),
                r.requests.to_string(),
                r.layers.join(" "),
                r.correct_any.to_string(),
                r.correct_all.to_string(),
                r.unextracted.to_string(),
            ]
        })
        .collect();
    println!("{} items, {requests} HTTP requests", items.len());
    println!(
        "{}",
        kit::table::render(
            &[
                "behaviour",
                "items",
                "requests",
                "layer",
                "any",
                "all",
                "unread"
            ],
            &table
        )
    );
    if let Some(req) = last {
        println!(
            "last request: model={} temperature={} seed={} max_tokens={} messages={}",
            req.model,
            req.temperature,
            req.seed.map_or("none".into(), |s| s.to_string()),
            req.max_tokens.map_or("none".into(), |t| t.to_string()),
            req.messages.len()
        );
    }
    let Some(m) = report.models.first() else {
        return Err("the mock answered nothing".into());
    };
    println!(
        "accuracy: {:.0}% if every tied option is required, {:.0}% if one is enough",
        m.overall.accuracy() * 100.0,
        m.other_policy.accuracy() * 100.0
    );
    Ok(())
}
