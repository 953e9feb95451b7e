//! The ad platform's side: a collector that applies the Conversions API's rules.
//!
//! `POST /{version}/{pixel_id}/events` with `{"data": [...]}`:
//!
//! - 1 to [`MAX_EVENTS_PER_REQUEST`] events per request;
//! - **one invalid event rejects the whole request** (400, code 100), and the error
//!   names the event; nothing of that request is recorded;
//! - an `event_time` more than [`MAX_EVENT_AGE_SECS`] (7 days) old is invalid;
//! - hashed fields must be SHA-256 hex (raw PII is refused), a website event needs
//!   the client's user agent, every event needs at least one user-data parameter;
//! - on 200 the answer is `events_received` = the number of events in the request —
//!   duplicates included: deduplication happens after receipt, out of the sender's sight;
//! - deduplication by (`event_name`, `event_id`): a second copy within
//!   [`DEDUP_WINDOW_SECS`] (48 h) of the first is dropped, the first received is kept.
//!   After the window a copy counts again.
//!
//! `GET /tr?id=PIXEL&ev=NAME&eid=EVENT_ID&value=V` is the browser pixel's beacon, into
//! the same ledger, so a pixel event and a server event with one `event_id` count once.
//! `GET /ledger` returns the [`LedgerStats`]. The ledger is a SQLite file, so a
//! restarted collector still remembers what it already counted.
//!
//! The collector's "now" is a [`Clock`]: the system clock for a real process, tokio's
//! (pausable) clock for the page, or a hand-moved one for tests of the windows.
//! A [`FaultPlan`] makes it misbehave on purpose: 5xx, 429 with `Retry-After`, or a
//! hang after recording the batch (the answer is lost, the events are not).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kit::cli::Existing;
use kit::rng::{ChaCha8Rng, Rng, seeded};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::error::{Result, S2sError};
use crate::event::{
    ApiError, ApiErrorBody, DEDUP_WINDOW_SECS, EventsResponse, MAX_EVENT_AGE_SECS,
    MAX_EVENT_FUTURE_SECS, MAX_EVENTS_PER_REQUEST, MAX_VALUE, ServerEvent,
};
use crate::hashing::is_sha256_hex;

/// The collector's notion of "now", in Unix seconds.
#[derive(Debug, Clone)]
pub enum Clock {
    /// The system clock (a real collector process).
    System,
    /// `base_unix` plus the time tokio says has passed since `start`: virtual when the
    /// runtime's clock is paused (the page), real otherwise.
    Tokio {
        /// Unix seconds at `start`.
        base_unix: i64,
        /// The instant that corresponds to `base_unix`.
        start: tokio::time::Instant,
    },
    /// A clock a test moves by hand.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A tokio clock starting now at `base_unix`.
    pub fn tokio_at(base_unix: i64) -> Self {
        Clock::Tokio {
            base_unix,
            start: tokio::time::Instant::now(),
        }
    }

    /// Now, in Unix seconds.
    pub fn now_unix(&self) -> i64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            Clock::Tokio { base_unix, start } => base_unix + start.elapsed().as_secs() as i64,
            Clock::Manual(t) => t.load(Ordering::SeqCst),
        }
    }
}

/// What the collector does to one request instead of (or after) its normal work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer normally.
    None,
    /// Answer with this 5xx status, recording nothing.
    ServerError(u16),
    /// Answer 429 with `Retry-After: secs`, recording nothing.
    TooManyRequests {
        /// Seconds the sender must wait.
        retry_after_secs: u64,
    },
    /// Record the batch, then never answer: the sender times out and will resend.
    HangAfterRecording,
}

/// Which fault each request gets: a script first, then seeded random faults at `rate`.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    script: VecDeque<Fault>,
    rate: f64,
    rng: ChaCha8Rng,
}

impl FaultPlan {
    /// No faults.
    pub fn none() -> Self {
        Self::random(0.0, 0)
    }

    /// Each request fails with probability `rate`: 500, 503, 429 (`Retry-After` 1–3 s)
    /// or a hang, equally likely, from a generator seeded with `seed`.
    pub fn random(rate: f64, seed: u64) -> Self {
        Self {
            script: VecDeque::new(),
            rate: rate.clamp(0.0, 1.0),
            rng: seeded(seed),
        }
    }

    /// These faults first, in order, for the next requests.
    pub fn then_script(mut self, faults: impl IntoIterator<Item = Fault>) -> Self {
        self.script.extend(faults);
        self
    }

    /// The fault for the next request.
    pub fn next_fault(&mut self) -> Fault {
        if let Some(f) = self.script.pop_front() {
            return f;
        }
        if self.rate <= 0.0 || self.rng.random::<f64>() >= self.rate {
            return Fault::None;
        }
        match self.rng.random_range(0..4u8) {
            0 => Fault::ServerError(500),
            1 => Fault::ServerError(503),
            2 => Fault::TooManyRequests {
                retry_after_secs: self.rng.random_range(1..=3),
            },
            _ => Fault::HangAfterRecording,
        }
    }
}

/// Where an event reached the platform from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    /// The Conversions API (the shop's server).
    Server,
    /// The browser pixel.
    Pixel,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Server => "server",
            Channel::Pixel => "pixel",
        }
    }
}

/// The collector's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerStats {
    /// Requests answered 200.
    pub accepted_requests: u64,
    /// Requests refused with 400 (an invalid event).
    pub rejected_requests: u64,
    /// Events received in accepted requests and pixel beacons, duplicates included.
    pub events_received: u64,
    /// Conversions counted (first copies).
    pub counted: u64,
    /// Copies dropped as duplicates within the window.
    pub duplicates: u64,
    /// Counted conversions whose first copy came from the server.
    pub counted_from_server: u64,
    /// Counted conversions whose first copy came from the pixel.
    pub counted_from_pixel: u64,
}

/// One event as the ledger sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// Event name.
    pub event_name: String,
    /// Event id.
    pub event_id: String,
    /// Event time, Unix seconds.
    pub event_time: i64,
    /// Order value.
    pub value: f64,
}

/// The platform's record of conversions, in SQLite (a file, or memory).
#[derive(Debug)]
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

const LEDGER_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS receipts (
    seq         INTEGER PRIMARY KEY,
    event_name  TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    event_time  INTEGER NOT NULL,
    value       REAL    NOT NULL,
    counted     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_key ON receipts (event_name, event_id, counted, received_at);
CREATE TABLE IF NOT EXISTS requests (
    outcome TEXT PRIMARY KEY,
    n       INTEGER NOT NULL
);
";

impl Ledger {
    /// Open (or create) the ledger at `path`; `None` keeps it in memory.
    pub fn open(path: Option<&Path>) -> Result<Self> {
        let shown = path.map_or_else(|| PathBuf::from(":memory:"), Path::to_path_buf);
        let e = |x| S2sError::Ledger {
            path: shown.clone(),
            source: x,
        };
        // A file this chapter did not make is refused before it is opened.
        let existing = match path {
            Some(p) => crate::outbox::check_ours(p, crate::LEDGER_APPLICATION_ID)?,
            None => Existing::Absent,
        };
        let conn = match path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(e)?;
        if existing == Existing::Absent {
            conn.pragma_update(None, "application_id", crate::LEDGER_APPLICATION_ID)
                .map_err(e)?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(e)?;
        let _: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(e)?;
        // The platform's own durability: NORMAL in WAL survives a process crash
        // (a `kill -9` of the collector), which is what the tests exercise.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(e)?;
        conn.execute_batch(LEDGER_SCHEMA).map_err(e)?;
        Ok(Self { conn, path: shown })
    }

    fn err(&self, source: rusqlite::Error) -> S2sError {
        S2sError::Ledger {
            path: self.path.clone(),
            source,
        }
    }

    /// Record `events` received at `now` over `channel`, in one transaction.
    /// Returns (counted, duplicates).
    pub fn record(&mut self, events: &[Receipt], channel: Channel, now: i64) -> Result<(u64, u64)> {
        let tx = self.conn.transaction().map_err(|x| S2sError::Ledger {
            path: self.path.clone(),
            source: x,
        })?;
        let (mut new, mut dup) = (0, 0);
        {
            let mut seen = tx
                .prepare_cached(
                    "SELECT 1 FROM receipts WHERE event_name = ?1 AND event_id = ?2 \
                     AND counted = 1 AND received_at > ?3 LIMIT 1",
                )
                .map_err(|x| S2sError::Ledger {
                    path: self.path.clone(),
                    source: x,
                })?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO receipts (event_name, event_id, channel, received_at, event_time, value, counted) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(|x| S2sError::Ledger {
                    path: self.path.clone(),
                    source: x,
                })?;
            for ev in events {
                let duplicate = seen
                    .exists(params![ev.event_name, ev.event_id, now - DEDUP_WINDOW_SECS])
                    .map_err(|x| S2sError::Ledger {
                        path: self.path.clone(),
                        source: x,
                    })?;
                insert
                    .execute(params![
                        ev.event_name,
                        ev.event_id,
                        channel.as_str(),
                        now,
                        ev.event_time,
                        ev.value,
                        i64::from(!duplicate)
                    ])
                    .map_err(|x| S2sError::Ledger {
                        path: self.path.clone(),
                        source: x,
                    })?;
                if duplicate {
                    dup += 1;
                } else {
                    new += 1;
                }
            }
        }
        tx.commit().map_err(|x| S2sError::Ledger {
            path: self.path.clone(),
            source: x,
        })?;
        Ok((new, dup))
    }

    /// Count a request outcome (`accepted` or `rejected`).
    pub fn count_request(&mut self, outcome: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO requests (outcome, n) VALUES (?1, 1) \
                 ON CONFLICT (outcome) DO UPDATE SET n = n + 1",
                [outcome],
            )
            .map(|_| ())
            .map_err(|x| self.err(x))
    }

    /// The counts so far.
    pub fn stats(&self) -> Result<LedgerStats> {
        let q = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(|x| self.err(x))
        };
        Ok(LedgerStats {
            accepted_requests: q(
                "SELECT coalesce(sum(n), 0) FROM requests WHERE outcome = 'accepted'",
            )?,
            rejected_requests: q(
                "SELECT coalesce(sum(n), 0) FROM requests WHERE outcome = 'rejected'",
            )?,
            events_received: q("SELECT count(*) FROM receipts")?,
            counted: q("SELECT count(*) FROM receipts WHERE counted = 1")?,
            duplicates: q("SELECT count(*) FROM receipts WHERE counted = 0")?,
            counted_from_server: q(
                "SELECT count(*) FROM receipts WHERE counted = 1 AND channel = 'server'",
            )?,
            counted_from_pixel: q(
                "SELECT count(*) FROM receipts WHERE counted = 1 AND channel = 'pixel'",
            )?,
        })
    }

    /// How many times each (event_name, event_id) was counted; a correct pipeline
    /// gives 1 for every order.
    pub fn counted_per_event(&self) -> Result<Vec<(String, String, u64)>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT event_name, event_id, sum(counted) FROM receipts \
                 GROUP BY event_name, event_id ORDER BY min(seq)",
            )
            .map_err(|x| self.err(x))?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
            })
            .map_err(|x| self.err(x))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|x| self.err(x))
    }
}

/// What the collector saw of one request (the page prints these beside the relay's view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The collector's clock, Unix seconds.
    pub at: i64,
    /// The status it answered (0 for a hang: no answer).
    pub status: u16,
    /// Events in the request.
    pub events: usize,
    /// Of those, counted as new conversions.
    pub counted: u64,
    /// Of those, dropped as duplicates.
    pub duplicates: u64,
}

/// Settings of a collector.
#[derive(Debug, Clone)]
pub struct CollectorConfig {
    /// The only pixel id it accepts events for.
    pub pixel_id: String,
    /// Its clock.
    pub clock: Clock,
    /// Keep every request body, for tests that inspect the bytes on the wire.
    pub keep_bodies: bool,
}

/// The shared state behind the collector's routes.
#[derive(Debug)]
pub struct CollectorState {
    config: CollectorConfig,
    ledger: Mutex<Ledger>,
    faults: Mutex<FaultPlan>,
    log: Mutex<Vec<RequestRecord>>,
    bodies: Mutex<Vec<Vec<u8>>>,
    requests: AtomicU64,
}

impl CollectorState {
    /// A collector over `ledger` with `faults`.
    pub fn new(config: CollectorConfig, ledger: Ledger, faults: FaultPlan) -> Arc<Self> {
        Arc::new(Self {
            config,
            ledger: Mutex::new(ledger),
            faults: Mutex::new(faults),
            log: Mutex::new(Vec::new()),
            bodies: Mutex::new(Vec::new()),
            requests: AtomicU64::new(0),
        })
    }

    /// The ledger's counts.
    pub fn stats(&self) -> Result<LedgerStats> {
        lock(&self.ledger).stats()
    }

    /// Per-event counts (see [`Ledger::counted_per_event`]).
    pub fn counted_per_event(&self) -> Result<Vec<(String, String, u64)>> {
        lock(&self.ledger).counted_per_event()
    }

    /// What it saw, request by request.
    pub fn log(&self) -> Vec<RequestRecord> {
        lock(&self.log).clone()
    }

    /// Every request body received (when `keep_bodies` is on).
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        lock(&self.bodies).clone()
    }

    /// Replace the fault plan (e.g. to stop failing).
    pub fn set_faults(&self, plan: FaultPlan) {
        *lock(&self.faults) = plan;
    }

    /// The router: events, pixel beacon, ledger.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/{version}/{pixel_id}/events", post(events))
            .route("/tr", get(pixel_beacon))
            .route("/ledger", get(ledger_stats))
            .with_state(Arc::clone(self))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A handler that panicked mid-update would poison the lock; the data (a SQLite
    // connection, a log) is still consistent, so keep going.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn api_error(status: StatusCode, code: u32, message: &str, detail: String, trace: u64) -> Response {
    let body = ApiErrorBody {
        error: ApiError {
            message: message.into(),
            kind: "OAuthException".into(),
            code,
            error_user_msg: detail,
            fbtrace_id: format!("trace-{trace}"),
        },
    };
    (status, axum::Json(body)).into_response()
}

/// Check one event (its JSON text) against the rules; the error names the rule broken.
pub fn validate_event(json: &str, now: i64) -> std::result::Result<ServerEvent, String> {
    let ev: ServerEvent = serde_json::from_str(json).map_err(|e| e.to_string())?;
    if ev.event_name.trim().is_empty() {
        return Err("event_name is empty".into());
    }
    if ev.event_id.trim().is_empty() {
        return Err("event_id is empty".into());
    }
    const SOURCES: [&str; 9] = [
        "website",
        "app",
        "email",
        "phone_call",
        "chat",
        "physical_store",
        "system_generated",
        "business_messaging",
        "other",
    ];
    if !SOURCES.contains(&ev.action_source.as_str()) {
        return Err(format!("action_source {:?} is not valid", ev.action_source));
    }
    // Saturating: an event_time of i64::MIN or MAX must not wrap into "recent".
    if now.saturating_sub(ev.event_time) > MAX_EVENT_AGE_SECS {
        return Err(format!(
            "event_time {} is more than 7 days in the past",
            ev.event_time
        ));
    }
    if ev.user_data.parameter_count() == 0 {
        return Err("user_data has no customer information parameter".into());
    }
    for (field, v) in ev.user_data.hashed_fields() {
        if !is_sha256_hex(v) {
            return Err(format!(
                "user_data.{field} is not a SHA-256 hash (raw value?)"
            ));
        }
    }
    if ev.action_source == "website" && ev.user_data.client_user_agent.is_none() {
        return Err("website events need user_data.client_user_agent".into());
    }
    // Checked after the platform's own rules above, so an event they refuse keeps the
    // reason it always had.
    if ev.event_time.saturating_sub(now) > MAX_EVENT_FUTURE_SECS {
        return Err(format!(
            "event_time {} is more than {MAX_EVENT_FUTURE_SECS} s in the future",
            ev.event_time
        ));
    }
    if let Some(c) = &ev.custom_data {
        check_value("custom_data.value", c.value)?;
        if !crate::outbox::is_currency_code(&c.currency) {
            return Err(format!(
                "custom_data.currency `{}` is not a 3-letter ISO 4217 code such as USD",
                c.currency.escape_debug()
            ));
        }
    }
    Ok(ev)
}

/// A conversion value: finite, in `0..=`[`MAX_VALUE`].
fn check_value(field: &str, v: f64) -> std::result::Result<(), String> {
    if v.is_finite() && (0.0..=MAX_VALUE).contains(&v) {
        Ok(())
    } else {
        // 1e308 in full is 309 digits: past a trillion, say it in exponent form.
        let shown = if v.abs() < 1e12 {
            format!("{v}")
        } else {
            format!("{v:e}")
        };
        Err(format!("{field} {shown} is outside 0..={MAX_VALUE}"))
    }
}

/// The longest event name or event id accepted from a pixel beacon.
pub const MAX_BEACON_FIELD: usize = 200;

impl Beacon {
    /// The beacon's own rules: an event name and id (1 to [`MAX_BEACON_FIELD`]
    /// characters) and a finite value in `0..=`[`MAX_VALUE`]. A refused beacon records
    /// nothing.
    pub fn check(&self) -> std::result::Result<(), String> {
        for (name, v) in [("ev", &self.ev), ("eid", &self.eid)] {
            let n = v.trim().chars().count();
            if n == 0 || n > MAX_BEACON_FIELD {
                return Err(format!(
                    "`{name}` must have 1 to {MAX_BEACON_FIELD} characters, it has {n}"
                ));
            }
        }
        check_value("value", self.value)
    }
}

fn valid_version(v: &str) -> bool {
    v.strip_prefix('v')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
}

async fn events(
    State(st): State<Arc<CollectorState>>,
    UrlPath((version, pixel_id)): UrlPath<(String, String)>,
    body: Bytes,
) -> Response {
    let trace = st.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let now = st.config.clock.now_unix();
    if st.config.keep_bodies {
        lock(&st.bodies).push(body.to_vec());
    }
    if !valid_version(&version) || pixel_id != st.config.pixel_id {
        return api_error(
            StatusCode::NOT_FOUND,
            100,
            "Unsupported post request",
            format!("object {pixel_id:?} under version {version:?} does not exist"),
            trace,
        );
    }
    let fault = lock(&st.faults).next_fault();
    let log = |status: u16, events: usize, counted: u64, duplicates: u64| {
        lock(&st.log).push(RequestRecord {
            at: now,
            status,
            events,
            counted,
            duplicates,
        });
    };
    match fault {
        Fault::ServerError(code) => {
            log(code, 0, 0, 0);
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return api_error(
                status,
                2,
                "Service temporarily unavailable",
                "try again later".into(),
                trace,
            );
        }
        Fault::TooManyRequests { retry_after_secs } => {
            log(429, 0, 0, 0);
            let mut r = api_error(
                StatusCode::TOO_MANY_REQUESTS,
                17,
                "User request limit reached",
                "slow down".into(),
                trace,
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert("retry-after", v);
            }
            return r;
        }
        Fault::None | Fault::HangAfterRecording => {}
    }
    let reject = |detail: String| {
        if let Err(e) = lock(&st.ledger).count_request("rejected") {
            return api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                1,
                "ledger error",
                e.to_string(),
                trace,
            );
        }
        log(400, 0, 0, 0);
        api_error(
            StatusCode::BAD_REQUEST,
            100,
            "Invalid parameter",
            detail,
            trace,
        )
    };
    #[derive(Deserialize)]
    struct Request<'a> {
        #[serde(borrow)]
        data: Vec<&'a serde_json::value::RawValue>,
    }
    let request: Request<'_> = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return reject(format!("body is not {{\"data\": [events]}}: {e}")),
    };
    let data = request.data;
    if data.is_empty() || data.len() > MAX_EVENTS_PER_REQUEST {
        return reject(format!(
            "`data` has {} events; 1 to {MAX_EVENTS_PER_REQUEST} allowed",
            data.len()
        ));
    }
    let mut receipts = Vec::with_capacity(data.len());
    for (i, value) in data.iter().enumerate() {
        match validate_event(value.get(), now) {
            Ok(ev) => receipts.push(Receipt {
                value: ev.custom_data.as_ref().map_or(0.0, |c| c.value),
                event_name: ev.event_name,
                event_id: ev.event_id,
                event_time: ev.event_time,
            }),
            Err(why) => {
                let id = serde_json::from_str::<serde_json::Value>(value.get())
                    .ok()
                    .and_then(|v| v.get("event_id")?.as_str().map(str::to_string))
                    .unwrap_or_else(|| "?".into());
                return reject(format!("event {i} (event_id {id}): {why}"));
            }
        }
    }
    let recorded = {
        let mut ledger = lock(&st.ledger);
        ledger
            .record(&receipts, Channel::Server, now)
            .and_then(|r| ledger.count_request("accepted").map(|()| r))
    };
    let (counted, duplicates) = match recorded {
        Ok(r) => r,
        Err(e) => {
            return api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                1,
                "ledger error",
                e.to_string(),
                trace,
            );
        }
    };
    if fault == Fault::HangAfterRecording {
        log(0, receipts.len(), counted, duplicates);
        // Recorded, but the answer never leaves: the sender times out.
        std::future::pending::<()>().await;
    }
    log(200, receipts.len(), counted, duplicates);
    axum::Json(EventsResponse {
        events_received: receipts.len(),
        messages: vec![],
        fbtrace_id: format!("trace-{trace}"),
    })
    .into_response()
}

/// The pixel beacon's query string.
#[derive(Debug, Deserialize)]
pub struct Beacon {
    /// Pixel id.
    pub id: String,
    /// Event name.
    pub ev: String,
    /// Event id (shared with the server event for deduplication).
    pub eid: String,
    /// Order value.
    #[serde(default)]
    pub value: f64,
}

async fn pixel_beacon(State(st): State<Arc<CollectorState>>, Query(b): Query<Beacon>) -> Response {
    if b.id != st.config.pixel_id {
        return (StatusCode::NOT_FOUND, "unknown pixel").into_response();
    }
    if let Err(why) = b.check() {
        return (StatusCode::BAD_REQUEST, format!("beacon refused: {why}")).into_response();
    }
    let now = st.config.clock.now_unix();
    let receipt = Receipt {
        event_name: b.ev,
        event_id: b.eid,
        event_time: now,
        value: b.value,
    };
    match lock(&st.ledger).record(&[receipt], Channel::Pixel, now) {
        Ok(_) => (StatusCode::OK, "").into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn ledger_stats(State(st): State<Arc<CollectorState>>) -> Response {
    match st.stats() {
        Ok(s) => axum::Json(s).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// A running server (collector or shop) on a tokio task.
#[derive(Debug)]
pub struct ServerHandle {
    /// Where it listens.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl ServerHandle {
    /// Bind `addr` (port 0: any free port) and serve `router` on a task.
    pub async fn start(addr: SocketAddr, router: Router) -> Result<Self> {
        Self::serve(Self::bind(addr).await?, router)
    }

    /// Bind `addr` only: a program binds first, so an address in use is an error naming
    /// it before the program creates any file, and the other server keeps its port.
    pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
        tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| S2sError::Serve {
                addr: addr.to_string(),
                source: e,
            })
    }

    /// Serve `router` on a task from a `listener` [`ServerHandle::bind`] returned.
    pub fn serve(listener: tokio::net::TcpListener, router: Router) -> Result<Self> {
        let addr = listener.local_addr().map_err(|e| S2sError::Serve {
            addr: "listener".into(),
            source: e,
        })?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { addr, task })
    }

    /// Stop listening at once (like a crash: no draining). The port is free again.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// `Retry-After` in whole seconds, if present and numeric.
pub fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}
