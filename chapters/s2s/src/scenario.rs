//! The page's two stories, run on loopback in virtual time.
//!
//! - [`run_story`]: the seed's ShoesRUs numbers. Ad clicks, purchases through the
//!   shop's HTTP API, a browser pixel that a seeded share of browsers never fires, and
//!   the server path through outbox → relay → collector.
//! - [`run_faults`]: orders through an outbox while the collector fails (5xx, 429 with
//!   `Retry-After`, a hang after recording, a crash and restart) and the relay is
//!   killed between the collector's 200 and marking the batch delivered; then the
//!   ledger is checked against the orders.
//!
//! Both run on a current-thread tokio runtime with a paused clock: when every task
//! waits, tokio jumps to the next timer, so seconds of backoff take microseconds and
//! every timestamp is virtual. Sockets and SQLite files are real.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kit::clock::VirtualInstant;
use kit::rng::{Rng, SliceRandom, seeded};
use tokio::time::Instant;

use crate::collector::{
    Clock, CollectorConfig, CollectorState, Fault, FaultPlan, Ledger, LedgerStats, RequestRecord,
    ServerHandle,
};
use crate::error::{Result, S2sError};
use crate::event::MAX_EVENT_AGE_SECS;
use crate::outbox::{Outbox, OutboxCounts, PlacedOrder};
use crate::relay::{Relay, RelayConfig, RelayEvent, SendOutcome, settle};
use crate::shop::{Shop, random_customer, random_order};

/// Unix time at which every virtual run starts: 2025-01-06 00:00:00 UTC.
pub const BASE_UNIX: i64 = 1_736_121_600;
/// The pixel id the collector accepts.
pub const PIXEL_ID: &str = "1234567890";
/// The Graph API version in the endpoint path.
pub const API_VERSION: &str = "v22.0";

/// `2s`, `0.412s`: a duration as the page prints it (millisecond precision).
pub fn secs(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}.{:03}s", ms / 1000, ms % 1000)
    }
}

/// The endpoint URL of a collector at `addr`.
pub fn endpoint(addr: SocketAddr) -> String {
    format!("http://{addr}/{API_VERSION}/{PIXEL_ID}/events")
}

/// A scratch folder for one run's SQLite files, removed when dropped.
#[derive(Debug)]
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// A new, empty folder under the system temp dir.
    pub fn new(prefix: &str) -> Result<Self> {
        static N: AtomicU64 = AtomicU64::new(0);
        // A folder already there (left by a process with the same id, or planted) is not
        // ours to empty: take the next name instead.
        let mut last = None;
        for _ in 0..1000 {
            let dir = std::env::temp_dir().join(format!(
                "{prefix}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(Self(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(dir),
                Err(e) => {
                    return Err(S2sError::Io {
                        path: dir,
                        source: e,
                    });
                }
            }
        }
        let path = last.unwrap_or_else(std::env::temp_dir);
        Err(S2sError::Io {
            path,
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "1000 scratch folders of this name are already there",
            ),
        })
    }

    /// A file in it.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn runtime(realtime: bool) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(!realtime)
        .build()
        .map_err(|e| S2sError::Serve {
            addr: "runtime".into(),
            source: e,
        })
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn start_collector(
    ledger: Ledger,
    faults: FaultPlan,
    clock: Clock,
    addr: SocketAddr,
    keep_bodies: bool,
) -> Result<(ServerHandle, Arc<CollectorState>)> {
    let state = CollectorState::new(
        CollectorConfig {
            pixel_id: PIXEL_ID.into(),
            clock,
            keep_bodies,
        },
        ledger,
        faults,
    );
    let handle = ServerHandle::start(addr, state.router()).await?;
    Ok((handle, state))
}

// ---------------------------------------------------------------------------------
// The seed's story: pixel versus server.
// ---------------------------------------------------------------------------------

/// The story's knobs.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryConfig {
    /// Ad clicks.
    pub clicks: usize,
    /// Share of clicks that buy.
    pub conversion_rate: f64,
    /// Share of browsers with an ad/tracker blocker.
    pub blocker: f64,
    /// Share of browsers whose iOS privacy protections stop the pixel.
    pub ios: f64,
    /// Share of browsers with JavaScript off.
    pub no_js: f64,
    /// Seed.
    pub seed: u64,
}

impl Default for StoryConfig {
    fn default() -> Self {
        Self {
            clicks: 100,
            conversion_rate: 0.10,
            blocker: 0.27,
            ios: 0.15,
            no_js: 0.02,
            seed: 1,
        }
    }
}

/// Why a browser's pixel never reached the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelLoss {
    /// JavaScript disabled: the pixel script never runs.
    NoJavaScript,
    /// An ad/tracker blocker drops the request to the platform.
    AdBlocker,
    /// iOS privacy protections (tracking prevention, stripped click ids).
    IosPrivacy,
}

impl PixelLoss {
    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            PixelLoss::NoJavaScript => "lost: JavaScript off",
            PixelLoss::AdBlocker => "lost: ad blocker",
            PixelLoss::IosPrivacy => "lost: iOS privacy",
        }
    }
}

/// One purchase in the story.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    /// Which ad click (1-based) bought.
    pub click: usize,
    /// The shop's answer.
    pub placed: PlacedOrder,
    /// Value in dollars.
    pub value: f64,
    /// `None`: the pixel fired.
    pub pixel_loss: Option<PixelLoss>,
    /// The event's state in the shop's outbox after the relay ran.
    pub server_status: String,
}

/// What the story measured.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryReport {
    /// The knobs.
    pub config: StoryConfig,
    /// The purchases.
    pub purchases: Vec<Purchase>,
    /// Pixel beacons the platform received.
    pub pixel_seen: u64,
    /// Server events the relay delivered.
    pub server_seen: u64,
    /// The collector's ledger when pixel and server share the event id.
    pub shared_ids: LedgerStats,
    /// The collector's ledger when the pixel makes up its own id.
    pub separate_ids: LedgerStats,
}

/// Run the seed's story twice (pixel and server sharing the event id, then not), with
/// the same buyers and browsers.
pub fn run_story(config: &StoryConfig) -> Result<StoryReport> {
    let rt = runtime(false)?;
    let (purchases, shared) = rt.block_on(story_once(config, true))?;
    let (_, separate) = rt.block_on(story_once(config, false))?;
    let pixel_seen = purchases.iter().filter(|p| p.pixel_loss.is_none()).count() as u64;
    let server_seen = purchases
        .iter()
        .filter(|p| p.server_status == "delivered")
        .count() as u64;
    Ok(StoryReport {
        config: config.clone(),
        server_seen,
        purchases,
        pixel_seen,
        shared_ids: shared,
        separate_ids: separate,
    })
}

async fn story_once(
    config: &StoryConfig,
    shared_ids: bool,
) -> Result<(Vec<Purchase>, LedgerStats)> {
    let dir = ScratchDir::new("s2s-story")?;
    let clock = Clock::tokio_at(BASE_UNIX);
    let (collector, state) = start_collector(
        Ledger::open(None)?,
        FaultPlan::none(),
        clock.clone(),
        loopback(),
        false,
    )
    .await?;
    let shop = Shop::new(Outbox::create(&dir.file("shop.db"))?, clock.clone());
    let shop_server = ServerHandle::start(loopback(), shop.router()).await?;
    let client = reqwest::Client::new();

    let mut rng = seeded(config.seed);
    let buyers = ((config.clicks as f64) * config.conversion_rate).round() as usize;
    let mut clicks: Vec<usize> = (1..=config.clicks).collect();
    clicks.shuffle(&mut rng);
    let mut chosen: Vec<usize> = clicks.into_iter().take(buyers).collect();
    chosen.sort_unstable();

    let mut purchases = Vec::new();
    for click in chosen {
        let customer = random_customer(&mut rng, click);
        let order = random_order(&mut rng, customer);
        let value = order.value_cents as f64 / 100.0;
        // The browser: each protection is an independent draw.
        let no_js = rng.random::<f64>() < config.no_js;
        let blocker = rng.random::<f64>() < config.blocker;
        let ios = rng.random::<f64>() < config.ios;
        let own_id: u32 = rng.random();
        let pixel_loss = if no_js {
            Some(PixelLoss::NoJavaScript)
        } else if blocker {
            Some(PixelLoss::AdBlocker)
        } else if ios {
            Some(PixelLoss::IosPrivacy)
        } else {
            None
        };
        // Checkout: a real POST to the shop, which commits order + event together.
        let url = format!("http://{}/orders", shop_server.addr);
        let placed: PlacedOrder = settle(async {
            client
                .post(&url)
                .json(&order)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await
        })
        .await
        .map_err(|e| S2sError::Endpoint {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        // The confirmation page's pixel, if this browser lets it run.
        if pixel_loss.is_none() {
            let eid = if shared_ids {
                placed.event_id.clone()
            } else {
                format!("px-{own_id:08x}")
            };
            let beacon = format!(
                "http://{}/tr?id={PIXEL_ID}&ev=Purchase&eid={eid}&value={value}",
                collector.addr
            );
            settle(async { client.get(&beacon).send().await?.error_for_status() })
                .await
                .map_err(|e| S2sError::Endpoint {
                    url: beacon.clone(),
                    reason: e.to_string(),
                })?;
        }
        purchases.push(Purchase {
            click,
            placed,
            value,
            pixel_loss,
            server_status: String::new(),
        });
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    shop_server.stop();
    // The relay ships the outbox a little later.
    let outbox = Outbox::open_existing(&dir.file("shop.db"))?;
    let mut relay = Relay::new(outbox, &endpoint(collector.addr), RelayConfig::default())?;
    relay.drain().await?;
    for p in &mut purchases {
        p.server_status = relay
            .outbox()
            .status_of(&p.placed.event_id)?
            .unwrap_or_else(|| "missing".into());
    }
    let stats = state.stats()?;
    collector.stop();
    Ok((purchases, stats))
}

/// The story as the page prints it.
pub fn render_story(r: &StoryReport) -> String {
    let c = &r.config;
    let mut out = format!(
        "ShoesRUs: {} ad clicks, {} purchases (seed {}).\n\
         Browsers: {:.0} % ad blocker, {:.0} % iOS privacy, {:.0} % JavaScript off:\n\
         the pixel fires in {:.1} % of browsers on average.\n\n",
        c.clicks,
        r.purchases.len(),
        c.seed,
        c.blocker * 100.0,
        c.ios * 100.0,
        c.no_js * 100.0,
        100.0 * (1.0 - c.blocker) * (1.0 - c.ios) * (1.0 - c.no_js)
    );
    let rows: Vec<Vec<String>> = r
        .purchases
        .iter()
        .map(|p| {
            vec![
                p.click.to_string(),
                p.placed.event_id.clone(),
                format!("{:.2}", p.value),
                p.pixel_loss.map_or("sent".into(), |l| l.label().into()),
                p.server_status.clone(),
            ]
        })
        .collect();
    out += &kit::table::render(
        &[
            "click",
            "event_id",
            "value $",
            "browser pixel",
            "server (CAPI)",
        ],
        &rows,
    );
    out += "\n\nWhat the ad platform counts:\n\n";
    let pct = |n: u64| {
        format!(
            "{:.0} %",
            100.0 * n as f64 / r.purchases.len().max(1) as f64
        )
    };
    let rows = vec![
        vec![
            "pixel alone".into(),
            r.pixel_seen.to_string(),
            pct(r.pixel_seen),
        ],
        vec![
            "server alone (outbox + relay)".into(),
            r.server_seen.to_string(),
            pct(r.server_seen),
        ],
        vec![
            "both, same event_id".into(),
            r.shared_ids.counted.to_string(),
            pct(r.shared_ids.counted),
        ],
        vec![
            "both, pixel makes its own id".into(),
            r.separate_ids.counted.to_string(),
            pct(r.separate_ids.counted),
        ],
    ];
    out += &kit::table::render(&["channel", "purchases counted", "of real"], &rows);
    out += &format!(
        "\n\nSame event_id: {} copies received, {} dropped as duplicates\n\
         ({} counted from the pixel's copy, {} from the server's).\n",
        r.shared_ids.events_received,
        r.shared_ids.duplicates,
        r.shared_ids.counted_from_pixel,
        r.shared_ids.counted_from_server
    );
    out
}

// ---------------------------------------------------------------------------------
// The fault run.
// ---------------------------------------------------------------------------------

/// The fault run's knobs.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Orders placed.
    pub orders: usize,
    /// Events per request.
    pub batch_size: usize,
    /// Share of requests the collector fails at random (after the scripted ones).
    pub failure_rate: f64,
    /// Kill the relay after the collector accepted this many batches, before it marks
    /// the last one delivered (`None`: never).
    pub kill_relay_at: Option<usize>,
    /// The collector crashes at this virtual time and comes back this much later.
    pub collector_crash: Option<(Duration, Duration)>,
    /// Orders backfilled 8 days late (their events are refused: poison).
    pub poison: usize,
    /// Backoff base.
    pub base: Duration,
    /// Backoff cap.
    pub cap: Duration,
    /// Request timeout.
    pub timeout: Duration,
    /// Time between two orders.
    pub order_interval: Duration,
    /// How often the relay looks at an empty outbox.
    pub poll: Duration,
    /// Seed (orders, faults, jitter).
    pub seed: u64,
    /// Wall-clock time instead of virtual.
    pub realtime: bool,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            orders: 200,
            batch_size: 25,
            failure_rate: 0.2,
            kill_relay_at: Some(3),
            collector_crash: Some((Duration::from_secs(6), Duration::from_secs(4))),
            poison: 0,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(5),
            timeout: Duration::from_secs(2),
            order_interval: Duration::from_millis(50),
            poll: Duration::from_millis(500),
            seed: 1,
            realtime: false,
        }
    }
}

/// Something that happened during the fault run, at a virtual instant.
#[derive(Debug, Clone, PartialEq)]
pub enum Happening {
    /// The relay did something (with the collector's view of the request, if any).
    Relay(RelayEvent, Option<RequestRecord>),
    /// The collector crashed.
    CollectorDown,
    /// The collector came back; its ledger, reopened from disk, held this many.
    CollectorUp(u64),
    /// A new relay process started with this many events pending.
    RelayRestarted(u64),
}

/// The fault run's result.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultReport {
    /// The knobs.
    pub config: FaultConfig,
    /// What happened, in time order (time since start).
    pub timeline: Vec<(Duration, Happening)>,
    /// Orders in the shop's database.
    pub orders: u64,
    /// The outbox at the end.
    pub outbox: OutboxCounts,
    /// The dead letters (event_id, reason).
    pub dead_letters: Vec<(String, String)>,
    /// The collector's ledger at the end.
    pub ledger: LedgerStats,
    /// Orders whose conversion was never counted and is not a visible dead letter.
    pub lost: u64,
    /// Orders counted more than once.
    pub double_counted: u64,
    /// Requests the relays sent.
    pub requests: u64,
    /// When each order and its event committed (time since start), in outbox sequence
    /// order: `writes[0]` is event 1.
    pub writes: Vec<Duration>,
}

type Live = Arc<Mutex<Option<(ServerHandle, Arc<CollectorState>)>>>;

/// Run the fault scenario.
pub fn run_faults(config: &FaultConfig) -> Result<FaultReport> {
    runtime(config.realtime)?.block_on(faults(config, None))
}

/// Run the fault scenario and hand each row of its table to `on_row` the moment it
/// happens (a request answered, the collector crashing, the relay restarting), for a
/// live demo on the wall clock. The report is the same as [`run_faults`]'s.
pub fn run_faults_live(
    config: &FaultConfig,
    on_row: impl FnMut(&FaultRow) + Send + 'static,
) -> Result<FaultReport> {
    let feed = LiveFeed {
        timeout: config.timeout,
        pending: None,
        sink: Box::new(on_row),
    };
    let feed = Arc::new(Mutex::new(feed));
    let report = runtime(config.realtime)?.block_on(faults(config, Some(Arc::clone(&feed))));
    lock(&feed).finish();
    report
}

/// Turns happenings, in the order they happen, into table rows: a request's row waits
/// for what the relay did next (wait, mark, split, park), which it notes at once.
struct LiveFeed {
    timeout: Duration,
    pending: Option<(Duration, Happening)>,
    sink: Box<dyn FnMut(&FaultRow) + Send>,
}

impl LiveFeed {
    fn push(&mut self, at: Duration, h: Happening) {
        if let Some((p_at, p)) = self.pending.take() {
            let (row, took_next) = row_of(p_at, &p, Some(&h), self.timeout);
            if let Some(row) = row {
                (self.sink)(&row);
            }
            if took_next {
                return;
            }
        }
        if matches!(h, Happening::Relay(RelayEvent::Sent { .. }, _)) {
            self.pending = Some((at, h));
        } else if let (Some(row), _) = row_of(at, &h, None, self.timeout) {
            (self.sink)(&row);
        }
    }

    fn finish(&mut self) {
        if let Some((at, h)) = self.pending.take()
            && let (Some(row), _) = row_of(at, &h, None, self.timeout)
        {
            (self.sink)(&row);
        }
    }
}

type Feed = Option<Arc<Mutex<LiveFeed>>>;

fn feed_push(feed: &Feed, at: Duration, h: Happening) {
    if let Some(f) = feed {
        lock(f).push(at, h);
    }
}

/// True when the request never reached the collector (its port refused the connection).
pub fn is_refused(outcome: &SendOutcome) -> bool {
    matches!(outcome, SendOutcome::Transient(t) if t == "connection refused")
}

async fn faults(config: &FaultConfig, feed: Feed) -> Result<FaultReport> {
    let dir = ScratchDir::new("s2s-faults")?;
    let shop_db = dir.file("shop.db");
    let ledger_db = dir.file("ledger.db");
    let start = Instant::now();
    let clock = Clock::tokio_at(BASE_UNIX);
    let mut rng = seeded(config.seed);

    // The collector, with its faults.
    let plan = if config.failure_rate > 0.0 {
        FaultPlan::random(config.failure_rate, config.seed ^ 0xC011_EC70).then_script([
            Fault::ServerError(503),
            Fault::ServerError(503),
            Fault::TooManyRequests {
                retry_after_secs: 2,
            },
            Fault::None,
            Fault::HangAfterRecording,
        ])
    } else {
        FaultPlan::none()
    };
    let (handle, state) = start_collector(
        Ledger::open(Some(&ledger_db))?,
        plan,
        clock.clone(),
        loopback(),
        false,
    )
    .await?;
    let addr = handle.addr;
    let url = endpoint(addr);
    let live: Live = Arc::new(Mutex::new(Some((handle, state))));
    let old_logs: Arc<Mutex<Vec<RequestRecord>>> = Arc::new(Mutex::new(Vec::new()));
    let happenings: Arc<Mutex<Vec<(Instant, Happening)>>> = Arc::new(Mutex::new(Vec::new()));

    // The shop: an order every `order_interval`, each with its event in one transaction.
    let done = Arc::new(AtomicBool::new(false));
    let mut outbox = Outbox::create(&shop_db)?;
    let mut poison_at: Vec<usize> = (0..config.orders).collect();
    poison_at.shuffle(&mut rng);
    poison_at.truncate(config.poison.min(config.orders));
    let shop_task = {
        let (done, clock, orders, interval) = (
            Arc::clone(&done),
            clock.clone(),
            config.orders,
            config.order_interval,
        );
        tokio::spawn(async move {
            let mut event_ids = Vec::new();
            let mut writes = Vec::new();
            for i in 0..orders {
                let customer = random_customer(&mut rng, i + 1);
                let order = random_order(&mut rng, customer);
                // A backfilled order from a till that was offline for 8 days: too old.
                let when = if poison_at.contains(&i) {
                    clock.now_unix() - MAX_EVENT_AGE_SECS - 24 * 3600
                } else {
                    clock.now_unix()
                };
                event_ids.push(outbox.place_order(&order, when)?.event_id);
                writes.push(Instant::now() - start);
                tokio::time::sleep(interval).await;
            }
            done.store(true, Ordering::SeqCst);
            Ok::<_, S2sError>((event_ids, writes))
        })
    };

    // The collector's crash and restart, on their own schedule.
    let crash_task = config.collector_crash.map(|(at, down)| {
        let (live, old_logs, happenings, clock) = (
            Arc::clone(&live),
            Arc::clone(&old_logs),
            Arc::clone(&happenings),
            clock.clone(),
        );
        let (rate, seed, ledger_db) = (config.failure_rate, config.seed, ledger_db.clone());
        let feed = feed.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(start + at).await;
            if let Some((h, st)) = lock(&live).take() {
                lock(&old_logs).extend(st.log());
                h.stop();
                lock(&happenings).push((Instant::now(), Happening::CollectorDown));
                feed_push(&feed, Instant::now() - start, Happening::CollectorDown);
            }
            tokio::time::sleep(down).await;
            let restarted = async {
                let ledger = Ledger::open(Some(&ledger_db))?;
                let counted = ledger.stats()?.counted;
                let plan = FaultPlan::random(rate, seed ^ 0x05EC_011D);
                // The crashed server's task is aborted, but its socket closes only when
                // the runtime drops that task: with `--down-for 0` the port can still be
                // held for a few polls. Yield until it is free, rather than stay down.
                let mut tries = 0;
                let listener = loop {
                    match ServerHandle::bind(addr).await {
                        Ok(l) => break l,
                        Err(e) if tries >= 1000 => return Err(e),
                        Err(_) => {
                            tries += 1;
                            tokio::task::yield_now().await;
                        }
                    }
                };
                let state = CollectorState::new(
                    CollectorConfig {
                        pixel_id: PIXEL_ID.into(),
                        clock,
                        keep_bodies: false,
                    },
                    ledger,
                    plan,
                );
                let h = ServerHandle::serve(listener, state.router())?;
                Ok::<_, S2sError>((h, state, counted))
            }
            .await;
            if let Ok((h, st, counted)) = restarted {
                *lock(&live) = Some((h, st));
                lock(&happenings).push((Instant::now(), Happening::CollectorUp(counted)));
                feed_push(
                    &feed,
                    Instant::now() - start,
                    Happening::CollectorUp(counted),
                );
            }
        })
    });

    // The relay; "killed" once if asked, then restarted on the same database.
    let reached = Arc::new(AtomicU64::new(0));
    let mut timeline: Vec<(Duration, Happening)> = Vec::new();
    let mut requests = 0;
    let mut life = 0u64;
    loop {
        life += 1;
        let relay_config = RelayConfig {
            batch_size: config.batch_size,
            base: config.base,
            cap: config.cap,
            max_attempts: 1000,
            request_timeout: config.timeout,
            seed: config.seed.wrapping_add(life),
            keep_alive: false,
            stall_after_accept: Duration::ZERO,
            kill_after_batches: if life == 1 {
                config.kill_relay_at
            } else {
                None
            },
        };
        let outbox = Outbox::open_existing(&shop_db)?;
        if life > 1 {
            let pending = outbox.counts()?.pending;
            timeline.push((Instant::now() - start, Happening::RelayRestarted(pending)));
            feed_push(
                &feed,
                Instant::now() - start,
                Happening::RelayRestarted(pending),
            );
        }
        let mut relay = Relay::new(outbox, &url, relay_config)?;
        if feed.is_some() {
            // Live: pair each request with the collector's record of it as it happens
            // (the n-th request that reached the collector is its n-th record).
            let (feed, live, old_logs, reached) = (
                feed.clone(),
                Arc::clone(&live),
                Arc::clone(&old_logs),
                Arc::clone(&reached),
            );
            relay.set_observer(move |entry| {
                let seen = match &entry.event {
                    RelayEvent::Sent { outcome, .. } if !is_refused(outcome) => {
                        let n = reached.fetch_add(1, Ordering::SeqCst) as usize;
                        let mut all = lock(&old_logs).clone();
                        if let Some((_, st)) = lock(&live).as_ref() {
                            all.extend(st.log());
                        }
                        all.get(n).cloned()
                    }
                    _ => None,
                };
                feed_push(
                    &feed,
                    entry.at - start,
                    Happening::Relay(entry.event.clone(), seen),
                );
            });
        }
        let result = relay
            .run_until(config.poll, || done.load(Ordering::SeqCst))
            .await;
        requests += relay.summary().requests;
        for entry in relay.log() {
            timeline.push((
                entry.at - start,
                Happening::Relay(entry.event.clone(), None),
            ));
        }
        match result {
            Ok(_) => break,
            Err(S2sError::Killed { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    let (event_ids, writes) = match shop_task.await {
        Ok(r) => r?,
        Err(e) => {
            return Err(S2sError::Serve {
                addr: "shop task".into(),
                source: std::io::Error::other(e.to_string()),
            });
        }
    };
    // If the crash is still ahead or the collector is still down, wait for it to settle.
    if let Some(task) = crash_task {
        if lock(&live).is_some()
            && Instant::now() < start + config.collector_crash.map_or(Duration::ZERO, |c| c.0)
        {
            task.abort();
        } else {
            let _ = task.await;
        }
    }
    let Some((handle, state)) = lock(&live).take() else {
        return Err(S2sError::Serve {
            addr: addr.to_string(),
            source: std::io::Error::other("collector did not come back"),
        });
    };
    let mut collector_log = lock(&old_logs).clone();
    collector_log.extend(state.log());
    let ledger = state.stats()?;
    let per_event = state.counted_per_event()?;
    handle.stop();

    let outbox = Outbox::open_existing(&shop_db)?;
    let counts = outbox.counts()?;
    let dead_letters = outbox.dead_letters()?;
    let orders = outbox.order_count()?;
    let counted: std::collections::HashMap<&str, u64> = per_event
        .iter()
        .filter(|(name, _, _)| name == "Purchase")
        .map(|(_, id, n)| (id.as_str(), *n))
        .collect();
    let dead: std::collections::HashSet<&str> =
        dead_letters.iter().map(|(id, _)| id.as_str()).collect();
    let lost = event_ids
        .iter()
        .filter(|id| {
            counted.get(id.as_str()).copied().unwrap_or(0) == 0 && !dead.contains(id.as_str())
        })
        .count() as u64;
    let double_counted = counted.values().filter(|&&n| n > 1).count() as u64;

    // Pair each request the collector saw with the relay's view of it.
    let mut records = collector_log.into_iter();
    for (_, h) in timeline.iter_mut() {
        if let Happening::Relay(RelayEvent::Sent { outcome, .. }, seen) = h
            && !is_refused(outcome)
        {
            *seen = records.next();
        }
    }
    // Put the collector's crash and restart where they happened.
    for (at, h) in lock(&happenings).drain(..) {
        let at = at - start;
        let pos = timeline.partition_point(|(t, _)| *t <= at);
        timeline.insert(pos, (at, h));
    }

    Ok(FaultReport {
        config: config.clone(),
        timeline,
        orders,
        outbox: counts,
        dead_letters,
        ledger,
        lost,
        double_counted,
        requests,
        writes,
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One row of the fault run's table: a request and what the relay did next, or the
/// collector crashing or restarting, or a new relay starting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRow {
    /// When (since the start; for a request, when it was sent).
    pub at: Duration,
    /// The batch, as outbox sequence numbers.
    pub events: String,
    /// What the relay saw.
    pub saw: String,
    /// The collector's own view of the request.
    pub collector: String,
    /// What the relay did next.
    pub then: String,
}

impl FaultRow {
    fn cells(&self) -> Vec<String> {
        vec![
            VirtualInstant::from(self.at).to_string(),
            self.events.clone(),
            self.saw.clone(),
            self.collector.clone(),
            self.then.clone(),
        ]
    }
}

const COLUMNS: [&str; 5] = ["time", "events", "relay saw", "collector", "then"];
/// Column widths of the live table: wide enough for the page's rows.
const LIVE_WIDTHS: [usize; 5] = [9, 7, 18, 12, 16];

/// The row for `h` at `at`, and whether it took `next` in (a request's row ends with
/// what the relay did next: a wait, a mark, a split, a dead letter, a kill).
fn row_of(
    at: Duration,
    h: &Happening,
    next: Option<&Happening>,
    timeout: Duration,
) -> (Option<FaultRow>, bool) {
    let row = |events: &str, saw: &str, collector: String, then: String| FaultRow {
        at,
        events: events.into(),
        saw: saw.into(),
        collector,
        then,
    };
    match h {
        Happening::CollectorDown => (
            Some(row("", "COLLECTOR CRASHES", "".into(), "".into())),
            false,
        ),
        Happening::CollectorUp(n) => (
            Some(row(
                "",
                "COLLECTOR RESTARTS",
                format!("{n} on disk"),
                "".into(),
            )),
            false,
        ),
        Happening::RelayRestarted(n) => (
            Some(row("", "RELAY RESTARTS", "".into(), format!("{n} pending"))),
            false,
        ),
        Happening::Relay(RelayEvent::Sent { batch, outcome, .. }, seen) => {
            let saw = match outcome {
                SendOutcome::Accepted { events_received } => format!("200 ({events_received})"),
                SendOutcome::Invalid(_) => "400 invalid".into(),
                SendOutcome::RateLimited(Some(s)) => format!("429 Retry-After {s}"),
                SendOutcome::RateLimited(None) => "429".into(),
                SendOutcome::Transient(t) if t == "connection refused" => "refused (down)".into(),
                SendOutcome::Transient(t) if t.starts_with("no answer") => {
                    format!("no answer ({})", secs(timeout))
                }
                SendOutcome::Transient(t) => t.chars().take(18).collect(),
                SendOutcome::Refused(code, _) => format!("{code}"),
            };
            let col = match seen {
                None => "-".to_string(),
                Some(rec) if rec.events == 0 => "nothing kept".into(),
                Some(rec) if rec.duplicates == 0 => format!("{} new", rec.counted),
                Some(rec) if rec.counted == 0 => format!("{} dup", rec.duplicates),
                Some(rec) => format!("{} new {} dup", rec.counted, rec.duplicates),
            };
            // What the relay did next is the following relay entry.
            let then = match next {
                Some(Happening::Relay(
                    RelayEvent::Backoff {
                        sleep, retry_after, ..
                    },
                    _,
                )) => Some(if *retry_after {
                    format!("wait {} (asked)", secs(*sleep))
                } else {
                    format!("wait {}", secs(*sleep))
                }),
                Some(Happening::Relay(RelayEvent::Delivered { .. }, _)) => {
                    Some("marked delivered".into())
                }
                Some(Happening::Relay(RelayEvent::Killed { .. }, _)) => {
                    Some("KILLED, unmarked".into())
                }
                Some(Happening::Relay(RelayEvent::Split { halves, .. }, _)) => {
                    Some(format!("split {}+{}", halves.0, halves.1))
                }
                Some(Happening::Relay(RelayEvent::Dead { event_id, .. }, _)) => {
                    Some(format!("dead: {event_id}"))
                }
                _ => None,
            };
            let took = then.is_some();
            (Some(row(batch, &saw, col, then.unwrap_or_default())), took)
        }
        Happening::Relay(RelayEvent::Dead { event_id, .. }, _) => (
            Some(row(
                "",
                "unreadable",
                "".into(),
                format!("dead: {event_id}"),
            )),
            false,
        ),
        Happening::Relay(_, _) => (None, false),
    }
}

/// The fault run's knobs, as the first lines of its output.
pub fn render_faults_header(c: &FaultConfig) -> String {
    let mut out = format!(
        "{} orders, one every {}; relay polls every {}, batches of up to {}.\n\
         Backoff base {}, cap {}; request timeout {}; seed {}.\n",
        c.orders,
        secs(c.order_interval),
        secs(c.poll),
        c.batch_size,
        secs(c.base),
        secs(c.cap),
        secs(c.timeout),
        c.seed
    );
    if c.failure_rate > 0.0 {
        out += &format!(
            "Collector: 503, 503, 429, ok, hang, then {:.0} % of requests fail at random.\n",
            c.failure_rate * 100.0
        );
    }
    if let Some((at, down)) = c.collector_crash {
        out += &format!(
            "Collector crashes at t+{}, restarts {} later.\n",
            secs(at),
            secs(down)
        );
    }
    if let Some(k) = c.kill_relay_at {
        out += &format!("Relay killed after the collector accepts batch #{k}.\n");
    }
    if c.poison > 0 {
        out += &format!("{} order(s) backfilled 8 days late.\n", c.poison);
    }
    out
}

/// The fault run's table rows, in time order.
pub fn fault_rows(r: &FaultReport) -> Vec<FaultRow> {
    fault_row_sources(r).into_iter().map(|s| s.row).collect()
}

/// One table row with the happenings it was made from: what the picture of the run
/// draws, so the picture and the table cannot disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct RowSource<'a> {
    /// The row, as the table prints it.
    pub row: FaultRow,
    /// The happening the row is about (a request, a crash, a restart).
    pub happening: &'a Happening,
    /// What the relay did next, when the row took it in (`then`): a wait, a mark, a
    /// split, a dead letter, a kill.
    pub then: Option<&'a Happening>,
}

/// The fault run's table rows with their sources, in time order.
pub fn fault_row_sources(r: &FaultReport) -> Vec<RowSource<'_>> {
    let mut rows = Vec::new();
    let tl = &r.timeline;
    let mut i = 0;
    while i < tl.len() {
        let (at, h) = &tl[i];
        let next = tl.get(i + 1).map(|x| &x.1);
        let (row, took_next) = row_of(*at, h, next, r.config.timeout);
        if let Some(row) = row {
            rows.push(RowSource {
                row,
                happening: h,
                then: if took_next { next } else { None },
            });
        }
        i += if took_next { 2 } else { 1 };
    }
    rows
}

/// The header of the live table (`--realtime`), whose rows [`render_live_row`] prints
/// one at a time.
pub fn render_live_header() -> String {
    let cells: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let rule: Vec<String> = LIVE_WIDTHS.iter().map(|w| "-".repeat(*w)).collect();
    format!(
        "{}\n{}",
        live_line(&cells),
        live_line(&rule).replace(' ', "-")
    )
}

/// One row of the live table, as it happens.
pub fn render_live_row(row: &FaultRow) -> String {
    live_line(&row.cells())
}

fn live_line(cells: &[String]) -> String {
    let mut out = String::from("|");
    for (cell, w) in cells.iter().zip(LIVE_WIDTHS) {
        out += &format!(" {cell:<w$} |");
    }
    out
}

/// The ledger: the shop's orders against the collector's counts, and the dead letters.
pub fn render_faults_ledger(r: &FaultReport) -> String {
    let mut out = String::from("The ledger:\n\n");
    let l = &r.ledger;
    let rows = vec![
        vec!["orders placed (shop database)".into(), r.orders.to_string()],
        vec!["outbox: delivered".into(), r.outbox.delivered.to_string()],
        vec!["outbox: pending".into(), r.outbox.pending.to_string()],
        vec![
            "outbox: dead (poison, kept with reason)".into(),
            r.outbox.dead.to_string(),
        ],
        vec!["requests sent by the relays".into(), r.requests.to_string()],
        vec![
            "events received by the collector".into(),
            l.events_received.to_string(),
        ],
        vec![
            "copies dropped as duplicates".into(),
            l.duplicates.to_string(),
        ],
        vec!["conversions counted".into(), l.counted.to_string()],
        vec!["orders lost silently".into(), r.lost.to_string()],
        vec!["orders counted twice".into(), r.double_counted.to_string()],
    ];
    out += &kit::table::render(&["", "count"], &rows);
    for (id, reason) in &r.dead_letters {
        out += &format!("\ndead letter {id}: {}", wrap_reason(reason));
    }
    out.push('\n');
    out
}

/// The fault run as the page prints it.
pub fn render_faults(r: &FaultReport) -> String {
    let rows: Vec<Vec<String>> = fault_rows(r).iter().map(FaultRow::cells).collect();
    format!(
        "{}\n{}\n\n{}",
        render_faults_header(&r.config),
        kit::table::render(&COLUMNS, &rows),
        render_faults_ledger(r)
    )
}

fn wrap_reason(reason: &str) -> String {
    // The collector names the event's index inside the request; after bisection it is
    // always 0, so keep only the rule that was broken.
    let rule = reason.split_once("): ").map_or(reason, |(_, r)| r);
    rule.chars().take(56).collect()
}

/// Re-exported for the binary: open a ledger file only to read its counts.
pub fn ledger_stats(path: &Path) -> Result<LedgerStats> {
    Ledger::open(Some(path))?.stats()
}
