//! `s2s`: the chapter's processes — shop, collector, relay — and the fault demo.
//!
//! Exit codes: 0 success; 1 an error (named on stderr; queued events stay queued);
//! 2 a bad flag; 3 the relay parked poison events (listed on stderr).

use kit::{print, println};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use s2s::collector::{Clock, CollectorConfig, CollectorState, FaultPlan, Ledger, ServerHandle};
use s2s::outbox::Outbox;
use s2s::relay::{Relay, RelayConfig, RelayEvent, SendOutcome};
use s2s::scenario::{
    FaultConfig, PIXEL_ID, render_faults, render_faults_header, render_faults_ledger,
    render_live_header, render_live_row, run_faults, run_faults_live,
};
use s2s::shop::{Shop, random_customer, random_order};
use s2s::{Result, S2sError};

/// Server-to-server conversion tracking on loopback: shop → outbox → relay → collector.
#[derive(Debug, Parser)]
#[command(name = "s2s", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The fault run, in virtual time: collector 5xx/429/hang/crash, relay killed mid-batch.
    Demo(DemoArgs),
    /// Run the ad platform's collector (Conversions API rules) on 127.0.0.1.
    Collector {
        /// Port (0: any free port; the address is printed on the first line).
        #[arg(long)]
        port: u16,
        /// SQLite ledger file (kept across restarts); in memory when absent. Only a
        /// ledger this program created is opened.
        #[arg(long)]
        db: Option<PathBuf>,
        /// The pixel id it accepts (1 to 32 digits).
        #[arg(long, default_value = PIXEL_ID, value_parser = pixel_id)]
        pixel_id: String,
        /// Share of requests to fail at random (500/503/429/hang), 0..=1.
        #[arg(long, default_value_t = 0.0, value_parser = kit::cli::f64_in(0.0, 1.0))]
        failure_rate: f64,
        /// Seed of the random faults.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Ship an outbox's pending events to a collector, then exit.
    Relay(RelayArgs),
    /// Run the shop: `POST /orders` commits the order and its event together.
    Shop {
        /// The shop's database (orders + outbox); created if missing. Only a database
        /// this program created is opened.
        #[arg(long)]
        db: PathBuf,
        /// Port (0: any free port; the address is printed on the first line).
        #[arg(long)]
        port: u16,
    },
    /// Place seeded orders directly (each in its own transaction), or enqueue one event file.
    Enqueue {
        /// The shop's database; created if missing. Only a database this program
        /// created is opened.
        #[arg(long)]
        db: PathBuf,
        /// How many seeded orders to place (0..=10000; each is one transaction and fsync).
        #[arg(long, default_value_t = 0, value_parser = sizes(0, MAX_ORDERS))]
        orders: usize,
        /// Seed of the customers and amounts.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A JSON file holding one server event to enqueue as is.
        #[arg(long)]
        event: Option<PathBuf>,
    },
    /// Print an outbox's counts (pending, delivered, dead) and its dead letters.
    Status {
        /// The shop's database.
        #[arg(long)]
        db: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Orders placed (1..=10000).
    #[arg(long, default_value_t = 200, value_parser = sizes(1, MAX_ORDERS))]
    orders: usize,
    /// Share of collector answers that fail at random, after the scripted faults
    /// (0 turns all collector faults off), 0..=1.
    #[arg(long, default_value_t = 0.2, value_parser = kit::cli::f64_in(0.0, 1.0))]
    failure_rate: f64,
    /// Kill the relay after the collector accepted this batch, before marking it (0: never;
    /// at most 10000, one batch per order).
    #[arg(long, default_value_t = 3, value_parser = sizes(0, MAX_ORDERS))]
    kill_relay_at: usize,
    /// Seed (orders, faults, jitter).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Events per request (1..=1000).
    #[arg(long, default_value_t = 25, value_parser = sizes(1, MAX_BATCH))]
    batch_size: usize,
    /// Orders backfilled 8 days late: their events are refused and end as dead letters
    /// (at most --orders).
    #[arg(long, default_value_t = 0, value_parser = sizes(0, MAX_ORDERS))]
    poison: usize,
    /// The collector crashes at this many (virtual) seconds (0: never; at most 3600).
    #[arg(long, default_value_t = 6.0, value_parser = kit::cli::f64_in(0.0, 3600.0))]
    crash_at: f64,
    /// Seconds the collector stays down (0..=3600).
    #[arg(long, default_value_t = 4.0, value_parser = kit::cli::f64_in(0.0, 3600.0))]
    down_for: f64,
    /// Milliseconds between two orders (0..=3600000).
    #[arg(long, default_value = "50", value_parser = kit::cli::millis_in(0, MAX_MS))]
    order_every_ms: Duration,
    /// Milliseconds between two looks at an empty outbox (1..=3600000).
    #[arg(long, default_value = "500", value_parser = kit::cli::millis_in(1, MAX_MS))]
    poll_ms: Duration,
    /// Backoff base, milliseconds (1..=3600000).
    #[arg(long, default_value = "200", value_parser = kit::cli::millis_in(1, MAX_MS))]
    base_ms: Duration,
    /// Backoff cap, milliseconds (at least --base-ms, at most 3600000).
    #[arg(long, default_value = "5000", value_parser = kit::cli::millis_in(1, MAX_MS))]
    cap_ms: Duration,
    /// Request timeout, milliseconds (1..=3600000).
    #[arg(long, default_value = "2000", value_parser = kit::cli::millis_in(1, MAX_MS))]
    timeout_ms: Duration,
    /// Run on the wall clock (a live class demo) instead of virtual time.
    #[arg(long)]
    realtime: bool,
    /// Print only a picture of the run (SVG): one arrow per message, shop → outbox →
    /// relay → collector.
    #[arg(long, conflicts_with = "realtime")]
    svg: bool,
    /// Table rows the picture draws (1..=100).
    #[arg(long, default_value_t = s2s::picture::DEFAULT_ROWS, requires = "svg",
          value_parser = sizes(1, 100))]
    svg_rows: usize,
}

#[derive(Debug, clap::Args)]
struct RelayArgs {
    /// The shop's database (must exist, created by `s2s shop` or `s2s enqueue`).
    #[arg(long)]
    db: PathBuf,
    /// The collector: http://HOST:PORT/{version}/{pixel_id}/events
    #[arg(long)]
    endpoint: String,
    /// Events per request (1..=1000).
    #[arg(long, default_value_t = 500, value_parser = sizes(1, MAX_BATCH))]
    batch_size: usize,
    /// Backoff base, milliseconds (1..=3600000).
    #[arg(long, default_value = "100", value_parser = kit::cli::millis_in(1, MAX_MS))]
    base_ms: Duration,
    /// Backoff cap, milliseconds (at least --base-ms, at most 3600000).
    #[arg(long, default_value = "10000", value_parser = kit::cli::millis_in(1, MAX_MS))]
    cap_ms: Duration,
    /// Failures in a row before giving up (events stay queued), 1..=1000.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    max_attempts: u32,
    /// Request timeout, milliseconds (1..=3600000).
    #[arg(long, default_value = "5000", value_parser = kit::cli::millis_in(1, MAX_MS))]
    timeout_ms: Duration,
    /// Seed of the jitter.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Wait this long between a 2xx and marking the batch delivered (widens the
    /// window for a kill -9 demo), milliseconds (0..=3600000).
    #[arg(long, default_value = "0", value_parser = kit::cli::millis_in(0, MAX_MS))]
    stall_after_accept_ms: Duration,
}

/// The largest millisecond flag accepted: one hour (a larger one would never fire, or
/// overflow the clock).
const MAX_MS: u64 = 3_600_000;

/// The most orders one run places: each is a transaction with an fsync, and this
/// machine's disk takes minutes for 100000 of them (measured: over 5 minutes for the demo);
/// 10000 is a run a reader can wait for.
const MAX_ORDERS: u64 = 10_000;

/// The most events in one request, the Conversions API's own limit.
const MAX_BATCH: u64 = s2s::event::MAX_EVENTS_PER_REQUEST as u64;

/// A clap parser for a count in `lo..=hi`, as a `usize`.
fn sizes(lo: u64, hi: u64) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(lo..=hi)
}

/// `--pixel-id`: 1 to 32 digits, as the platform's pixel ids are (and a path segment
/// of the events URL, so no `/`).
fn pixel_id(s: &str) -> std::result::Result<String, String> {
    if (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("`{}` is not 1 to 32 digits", s.escape_debug()))
    }
}

fn usage(msg: String) -> ExitCode {
    eprintln!("s2s: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(a) => demo(a),
        Command::Collector {
            port,
            db,
            pixel_id,
            failure_rate,
            seed,
        } => report(serve_collector(
            port,
            db.as_deref(),
            pixel_id,
            failure_rate,
            seed,
        )),
        Command::Relay(a) => relay(a),
        Command::Shop { db, port } => report(serve_shop(&db, port)),
        Command::Enqueue {
            db,
            orders,
            seed,
            event,
        } => report(enqueue(&db, orders, seed, event.as_deref())),
        Command::Status { db } => report(status(&db)),
    }
}

fn report(r: Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("s2s: {e}");
            ExitCode::from(1)
        }
    }
}

fn demo(a: DemoArgs) -> ExitCode {
    if a.poison > a.orders {
        return usage(format!(
            "--poison {}: more than --orders {}",
            a.poison, a.orders
        ));
    }
    if a.cap_ms < a.base_ms {
        return usage(format!(
            "--cap-ms {}: must be at least --base-ms {}",
            a.cap_ms.as_millis(),
            a.base_ms.as_millis()
        ));
    }
    let config = FaultConfig {
        orders: a.orders,
        batch_size: a.batch_size,
        failure_rate: a.failure_rate,
        kill_relay_at: (a.kill_relay_at > 0).then_some(a.kill_relay_at),
        collector_crash: (a.crash_at > 0.0).then(|| {
            (
                Duration::from_secs_f64(a.crash_at),
                Duration::from_secs_f64(a.down_for),
            )
        }),
        poison: a.poison,
        base: a.base_ms,
        cap: a.cap_ms,
        timeout: a.timeout_ms,
        order_interval: a.order_every_ms,
        poll: a.poll_ms,
        seed: a.seed,
        realtime: a.realtime,
    };
    if a.realtime {
        return demo_live(&config);
    }
    match run_faults(&config) {
        Ok(r) if a.svg => {
            print!("{}", s2s::picture::sequence_svg(&r, a.svg_rows));
            ExitCode::SUCCESS
        }
        Ok(r) => {
            print!("{}", render_faults(&r));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("s2s demo: {e}");
            ExitCode::from(1)
        }
    }
}

/// The fault run on the wall clock: every row is printed (and flushed, since a pipe is
/// block-buffered) the moment it happens, then the ledger.
fn demo_live(config: &FaultConfig) -> ExitCode {
    // kit's println!: a reader that has gone (`| head`) ends the demo (exit 141) instead
    // of letting it run on unseen; each line is flushed as it is written.
    let out = |text: &str| println!("{text}");
    out(&render_faults_header(config));
    out("Live, on the wall clock: each row prints as it happens.");
    out(&render_live_header());
    match run_faults_live(config, move |row| out(&render_live_row(row))) {
        Ok(r) => {
            out("");
            print!("{}", render_faults_ledger(&r));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("s2s demo: {e}");
            ExitCode::from(1)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| S2sError::Serve {
            addr: "runtime".into(),
            source: e,
        })
}

fn announce(what: &str, url: String) {
    println!("{what} listening on {url}");
    let _ = std::io::stdout().flush();
}

fn serve_collector(
    port: u16,
    db: Option<&Path>,
    pixel_id: String,
    failure_rate: f64,
    seed: u64,
) -> Result<()> {
    runtime()?.block_on(async move {
        // Bind first: a port in use is an error before any ledger file is created.
        let listener = ServerHandle::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let ledger = Ledger::open(db)?;
        let state = CollectorState::new(
            CollectorConfig {
                pixel_id: pixel_id.clone(),
                clock: Clock::System,
                keep_bodies: false,
            },
            ledger,
            FaultPlan::random(failure_rate, seed),
        );
        let h = ServerHandle::serve(listener, state.router())?;
        announce(
            "collector",
            format!("http://{}/v22.0/{pixel_id}/events", h.addr),
        );
        std::future::pending::<()>().await;
        Ok(())
    })
}

fn serve_shop(db: &Path, port: u16) -> Result<()> {
    runtime()?.block_on(async move {
        // Bind first: a port in use is an error before the database is created.
        let listener = ServerHandle::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let shop = Shop::new(Outbox::create(db)?, Clock::System);
        let h = ServerHandle::serve(listener, shop.router())?;
        announce("shop", format!("http://{}/orders", h.addr));
        std::future::pending::<()>().await;
        Ok(())
    })
}

fn enqueue(db: &Path, orders: usize, seed: u64, event: Option<&Path>) -> Result<()> {
    // Read and check the event before touching the database: a bad file changes nothing.
    let parsed = event.map(s2s::event::read_event_file).transpose()?;
    let mut outbox = Outbox::create(db)?;
    let now = Clock::System.now_unix();
    let mut rng = kit::rng::seeded(seed);
    let start = outbox.order_count()? as usize;
    for i in 0..orders {
        let customer = random_customer(&mut rng, start + i + 1);
        let order = random_order(&mut rng, customer);
        outbox.place_order(&order, now)?;
    }
    if let (Some(ev), Some(path)) = (parsed, event) {
        outbox.enqueue_from(&ev, &path.display().to_string())?;
    }
    let c = outbox.counts()?;
    println!(
        "placed {orders} orders; outbox: {} pending, {} delivered, {} dead",
        c.pending, c.delivered, c.dead
    );
    Ok(())
}

fn status(db: &Path) -> Result<()> {
    let outbox = Outbox::open_existing(db)?;
    let c = outbox.counts()?;
    println!(
        "orders {}; outbox: {} pending, {} delivered, {} dead",
        outbox.order_count()?,
        c.pending,
        c.delivered,
        c.dead
    );
    for (id, reason) in outbox.dead_letters()? {
        println!("dead {id}: {reason}");
    }
    Ok(())
}

/// What the relay's progress bar (stderr, terminals only) says about one of its events.
fn show(bar: &ProgressBar, event: &RelayEvent, stall: Duration) {
    match event {
        RelayEvent::Sent {
            batch,
            outcome: SendOutcome::Accepted { .. },
            ..
        } if !stall.is_zero() => bar.set_message(format!(
            "batch {batch} accepted; holding it {} before marking it delivered (kill -9 now)",
            s2s::scenario::secs(stall)
        )),
        RelayEvent::Sent { batch, .. } => bar.set_message(format!("sent batch {batch}")),
        RelayEvent::Backoff {
            attempt,
            sleep,
            retry_after,
        } => bar.set_message(format!(
            "collector failed (attempt {attempt}); waiting {} before retrying{}",
            s2s::scenario::secs(*sleep),
            if *retry_after { " (it asked)" } else { "" }
        )),
        RelayEvent::Split { batch, halves } => bar.set_message(format!(
            "batch {batch} rejected; splitting it {}+{} to find the bad event",
            halves.0, halves.1
        )),
        RelayEvent::Delivered { events, .. } => bar.inc(*events as u64),
        RelayEvent::Dead { event_id, .. } => {
            bar.inc(1);
            bar.set_message(format!("parked {event_id} as a dead letter"));
        }
        RelayEvent::Killed { batch } => bar.set_message(format!("killed after batch {batch}")),
    }
}

/// What a relay run did: delivered, dead, requests, and the dead letters.
type RelayRun = (u64, u64, u64, Vec<(String, String)>);

fn relay(a: RelayArgs) -> ExitCode {
    if a.cap_ms < a.base_ms {
        return usage(format!(
            "--cap-ms {}: must be at least --base-ms {}",
            a.cap_ms.as_millis(),
            a.base_ms.as_millis()
        ));
    }
    let config = RelayConfig {
        batch_size: a.batch_size,
        base: a.base_ms,
        cap: a.cap_ms,
        max_attempts: a.max_attempts,
        request_timeout: a.timeout_ms,
        seed: a.seed,
        keep_alive: true,
        stall_after_accept: a.stall_after_accept_ms,
        kill_after_batches: None,
    };
    let stall = config.stall_after_accept;
    // Progress on stderr, drawn only when stderr is a terminal.
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
        ProgressStyle::with_template(
            "relay [{bar:20}] {pos}/{len} events settled, {elapsed}: {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let run = || -> Result<RelayRun> {
        s2s::relay::check_endpoint(&a.endpoint)?;
        let outbox = Outbox::open_existing(&a.db)?;
        // A collector that isn't running: say so now, not after the whole retry budget.
        s2s::relay::check_listening(&a.endpoint, Duration::from_secs(2))?;
        bar.set_length(outbox.counts()?.pending);
        let mut relay = Relay::new(outbox, &a.endpoint, config)?;
        let shown = bar.clone();
        relay.set_observer(move |entry| show(&shown, &entry.event, stall));
        let summary = runtime()?.block_on(relay.drain());
        bar.finish_and_clear();
        let summary = summary?;
        let dead = relay.outbox().dead_letters()?;
        Ok((summary.delivered, summary.dead, summary.requests, dead))
    };
    match run() {
        Ok((delivered, dead, requests, letters)) => {
            println!("delivered {delivered}, dead {dead}, requests {requests}");
            if dead > 0 {
                for (id, reason) in letters {
                    eprintln!("s2s relay: dead letter {id}: {reason}");
                }
                return ExitCode::from(3);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("s2s relay: {e}");
            ExitCode::from(1)
        }
    }
}
