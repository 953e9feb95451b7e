//! Measured: events per second through outbox → relay → collector on loopback.
//!
//! The outbox is a SQLite file in WAL mode with `synchronous=FULL`; the collector keeps
//! its ledger in a SQLite file too (WAL, `synchronous=NORMAL`) and deduplicates every
//! event. Wall-clock figures from the machine that runs it.

use kit::println;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use s2s::collector::{Clock, CollectorConfig, CollectorState, FaultPlan, Ledger, ServerHandle};
use s2s::outbox::Outbox;
use s2s::relay::{Relay, RelayConfig, RelayEvent};
use s2s::scenario::{BASE_UNIX, PIXEL_ID, ScratchDir, endpoint};
use s2s::shop::{random_customer, random_order};

/// Throughput of the whole pipeline, with batching and a durable outbox.
#[derive(Debug, Parser)]
struct Args {
    /// Events to push through the pipeline (1..=1000000; about 1 GB of memory at most).
    #[arg(long, default_value_t = 20_000, value_parser = counts(1, 1_000_000))]
    events: usize,
    /// Events per request (1..=1000).
    #[arg(long, default_value_t = 1000, value_parser = counts(1, 1000))]
    batch_size: usize,
    /// Orders placed one transaction (and one fsync) each, to time the shop's side
    /// (1..=10000).
    #[arg(long, default_value_t = 100, value_parser = counts(1, 10_000))]
    single_orders: usize,
    /// Seed of the orders.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// A clap parser for a count in `lo..=hi`, as a `usize`.
fn counts(lo: u64, hi: u64) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(lo..=hi)
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    // Progress on stderr, drawn only when it is a terminal (never in the page's output).
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let dir = ScratchDir::new("s2s-throughput")?;
    let mut rng = kit::rng::seeded(a.seed);

    // The shop's side: one transaction and one fsync per order.
    let mut outbox = Outbox::create(&dir.file("single.db"))?;
    let orders: Vec<_> = (0..a.single_orders)
        .map(|i| {
            let c = random_customer(&mut rng, i);
            random_order(&mut rng, c)
        })
        .collect();
    let t = Instant::now();
    for (i, o) in orders.iter().enumerate() {
        bar.set_message(format!(
            "shop: order {} of {}, one transaction and fsync each",
            i + 1,
            orders.len()
        ));
        outbox.place_order(o, BASE_UNIX)?;
    }
    let single = t.elapsed();
    drop(outbox);

    // Fill the pipeline's outbox (bulk), then time the relay draining it.
    bar.set_message(format!("filling the outbox with {} events", a.events));
    let mut outbox = Outbox::create(&dir.file("shop.db"))?;
    let bulk: Vec<_> = (0..a.events)
        .map(|i| {
            let c = random_customer(&mut rng, i);
            random_order(&mut rng, c)
        })
        .collect();
    let now = Clock::System.now_unix();
    for chunk in bulk.chunks(5000) {
        outbox.place_orders_bulk(chunk, now)?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (elapsed, stats, requests) = rt.block_on(async {
        let state = CollectorState::new(
            CollectorConfig {
                pixel_id: PIXEL_ID.into(),
                clock: Clock::System,
                keep_bodies: false,
            },
            Ledger::open(Some(&dir.file("ledger.db")))?,
            FaultPlan::none(),
        );
        let h = ServerHandle::start(([127, 0, 0, 1], 0).into(), state.router()).await?;
        let config = RelayConfig {
            batch_size: a.batch_size,
            request_timeout: Duration::from_secs(30),
            ..RelayConfig::default()
        };
        let mut relay = Relay::new(outbox, &endpoint(h.addr), config)?;
        let (shown, total) = (bar.clone(), a.events);
        let mut delivered = 0;
        relay.set_observer(move |entry| {
            if let RelayEvent::Delivered { events, .. } = entry.event {
                delivered += events;
                shown.set_message(format!(
                    "relay → collector: {delivered} of {total} events delivered"
                ));
            }
        });
        let t = Instant::now();
        let summary = relay.drain().await?;
        let elapsed = t.elapsed();
        let stats = state.stats()?;
        h.stop();
        anyhow::Ok((elapsed, stats, summary.requests))
    })?;
    bar.finish_and_clear();
    anyhow::ensure!(
        stats.counted == a.events as u64,
        "collector counted {} of {} events",
        stats.counted,
        a.events
    );
    let rate = |n: usize, d: Duration| format!("{:.0}", n as f64 / d.as_secs_f64());
    let rows = vec![
        vec![
            "shop: order + event, 1 tx + fsync each".to_string(),
            a.single_orders.to_string(),
            format!("{:.3}", single.as_secs_f64()),
            rate(a.single_orders, single),
        ],
        vec![
            format!("relay → collector, batches of {}", a.batch_size),
            a.events.to_string(),
            format!("{:.3}", elapsed.as_secs_f64()),
            rate(a.events, elapsed),
        ],
    ];
    println!(
        "{}",
        kit::table::render(&["stage", "events", "seconds", "events/s"], &rows)
    );
    println!(
        "{requests} requests; the collector counted {} events, each once.",
        stats.counted
    );
    println!("{}", kit::measured::footer());
    Ok(())
}
