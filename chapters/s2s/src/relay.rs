//! The relay: ships pending outbox rows to the collector until none are left.
//!
//! - **Batches** of up to [`RelayConfig::batch_size`] events (at most 1000), oldest first.
//! - **Marks delivered only after a 2xx.** A crash between the collector's 200 and the
//!   `UPDATE` leaves the rows pending; the next relay sends them again and the collector
//!   drops them as duplicates, because the event id is the outbox id and never changes.
//!   That is *at-least-once* delivery made *exactly-once counting* by the receiver.
//! - **Retries transient failures** (5xx, timeouts, refused connections) with
//!   **full-jitter exponential backoff**: sleep a uniform random time in
//!   `[0, min(cap, base · 2^attempt)]`, from a seeded generator.
//! - **Honours 429 `Retry-After`**: waits exactly what the collector asked.
//! - **Bisects a rejected batch**: one invalid event makes the collector refuse the
//!   whole request (400). The relay splits the batch in halves and retries each, until
//!   the bad event is alone; that one is parked as *dead*, with the collector's reason,
//!   and every other event is delivered.
//! - Gives up after [`RelayConfig::max_attempts`] failures in a row, with an error
//!   naming the endpoint; the events stay pending for the next run.

use std::time::Duration;

use kit::rng::{ChaCha8Rng, Rng, seeded};
use serde::de::IgnoredAny;

use crate::collector::retry_after;
use crate::error::{Result, S2sError};
use crate::event::{ApiErrorBody, EventsResponse, MAX_EVENTS_PER_REQUEST};
use crate::outbox::{Outbox, OutboxRow};

/// The relay's knobs.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Events per request (clamped to 1..=1000).
    pub batch_size: usize,
    /// Backoff base.
    pub base: Duration,
    /// Backoff cap.
    pub cap: Duration,
    /// Failures in a row before the relay gives up (events stay queued).
    pub max_attempts: u32,
    /// How long to wait for an answer.
    pub request_timeout: Duration,
    /// Seed of the jitter.
    pub seed: u64,
    /// Reuse connections. Off in the page's fault run, so a restarted collector is
    /// really a new one for every request.
    pub keep_alive: bool,
    /// Wait this long between a 2xx and marking the batch delivered: widens the
    /// window a `kill -9` can land in (the real-process kill test uses it).
    pub stall_after_accept: Duration,
    /// Stop dead after the collector accepted this many batches, before marking the
    /// last one delivered: the in-process stand-in for `kill -9` mid-batch.
    pub kill_after_batches: Option<usize>,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            batch_size: 500,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(10),
            max_attempts: 20,
            request_timeout: Duration::from_secs(5),
            seed: 1,
            keep_alive: true,
            stall_after_accept: Duration::ZERO,
            kill_after_batches: None,
        }
    }
}

/// Full-jitter backoff: a uniform draw in `[0, min(cap, base · 2^attempt)]`
/// (AWS Architecture Blog, "Exponential Backoff and Jitter").
pub fn full_jitter(rng: &mut ChaCha8Rng, base: Duration, cap: Duration, attempt: u32) -> Duration {
    let ceiling = base
        .checked_mul(2u32.saturating_pow(attempt.min(31)))
        .unwrap_or(cap)
        .min(cap);
    let micros = ceiling.as_micros() as u64;
    Duration::from_micros(if micros == 0 {
        0
    } else {
        rng.random_range(0..=micros)
    })
}

/// What one request came back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// 2xx: the collector has the events.
    Accepted {
        /// Its `events_received`.
        events_received: usize,
    },
    /// 400: an event in the batch is invalid (the collector's message).
    Invalid(String),
    /// 429: wait this long.
    RateLimited(Option<u64>),
    /// Worth retrying: a 5xx, a timeout, a refused connection.
    Transient(String),
    /// The collector refuses the relay itself (404 pixel, 401…): retrying won't help.
    Refused(u16, String),
}

/// One thing the relay did, for the log.
#[derive(Debug, Clone, PartialEq)]
pub enum RelayEvent {
    /// A request and its outcome.
    Sent {
        /// The batch, as the range of outbox sequence numbers it holds (`51-75`).
        batch: String,
        /// Events in the request.
        events: usize,
        /// What came back.
        outcome: SendOutcome,
    },
    /// Waiting before a retry.
    Backoff {
        /// Failures in a row so far.
        attempt: u32,
        /// The sleep.
        sleep: Duration,
        /// True when the collector set it (`Retry-After`), false for jitter.
        retry_after: bool,
    },
    /// A rejected batch split in two.
    Split {
        /// The batch (outbox sequence range).
        batch: String,
        /// Sizes of the halves.
        halves: (usize, usize),
    },
    /// Rows marked delivered.
    Delivered {
        /// The batch (outbox sequence range).
        batch: String,
        /// How many.
        events: usize,
    },
    /// A poison event parked.
    Dead {
        /// The event.
        event_id: String,
        /// Why.
        reason: String,
    },
    /// The relay "died" (in-process kill) after an accepted batch, before marking it.
    Killed {
        /// The batch (outbox sequence range).
        batch: String,
    },
}

/// A log entry: when (tokio's clock) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// When.
    pub at: tokio::time::Instant,
    /// What.
    pub event: RelayEvent,
}

/// What one run achieved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelaySummary {
    /// Requests sent.
    pub requests: u64,
    /// Events marked delivered.
    pub delivered: u64,
    /// Events parked as dead.
    pub dead: u64,
    /// Retries after a failure.
    pub retries: u64,
}

/// Called with every log entry the moment the relay writes it (a live demo prints it,
/// a progress bar counts it).
pub type Observer = Box<dyn FnMut(&LogEntry) + Send>;

/// Ships an [`Outbox`] to an endpoint.
pub struct Relay {
    outbox: Outbox,
    endpoint: String,
    client: reqwest::Client,
    config: RelayConfig,
    rng: ChaCha8Rng,
    log: Vec<LogEntry>,
    summary: RelaySummary,
    accepted_batches: usize,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("outbox", &self.outbox)
            .field("endpoint", &self.endpoint)
            .field("config", &self.config)
            .field("log", &self.log.len())
            .field("summary", &self.summary)
            .field("accepted_batches", &self.accepted_batches)
            .field("observer", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

/// The longest `Retry-After` the relay honours: one hour, the longest wait any of its
/// flags allows.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Check that `url` is `http://host:port/vX.Y/PIXEL/events`.
pub fn check_endpoint(url: &str) -> Result<()> {
    let bad = |reason: &str| S2sError::Endpoint {
        url: url.into(),
        reason: reason.into(),
    };
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| bad("must start with http:// (this crate has no TLS)"))?;
    let (host, path) = rest.split_once('/').ok_or_else(|| bad("no path"))?;
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() != 3 || parts[2] != "events" || !parts[0].starts_with('v') || parts[1].is_empty()
    {
        return Err(bad("path must be /{version}/{pixel_id}/events"));
    }
    // What the HTTP client will parse, checked now: a bad host or port is a clear error
    // here, not a retried "builder error" on every attempt.
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(&format!("not a URL: {e}")))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(())
}

/// Check that something accepts TCP connections at `url`'s host and port within
/// `within`, so a relay pointed at a collector that isn't running fails at once with the
/// address named, instead of backing off through its whole retry budget. Once running,
/// the relay still retries a collector that goes away (that is the point of backoff).
pub fn check_listening(url: &str, within: Duration) -> Result<()> {
    use std::net::{TcpStream, ToSocketAddrs};
    check_endpoint(url)?;
    let host = url
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap_or_default();
    let with_port = if host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    let unreachable = |reason: String| S2sError::Endpoint {
        url: url.into(),
        reason: format!("{reason}; is the collector running? Events stay queued"),
    };
    let addrs: Vec<_> = with_port
        .to_socket_addrs()
        .map_err(|e| unreachable(format!("cannot resolve {with_port}: {e}")))?
        .collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, within) {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(unreachable(match last {
        Some(e) => format!("nothing answers at {with_port} ({e})"),
        None => format!("{with_port} resolves to no address"),
    }))
}

impl Relay {
    /// A relay for `outbox` to `endpoint`.
    pub fn new(outbox: Outbox, endpoint: &str, config: RelayConfig) -> Result<Self> {
        check_endpoint(endpoint)?;
        let mut builder = reqwest::Client::builder();
        if !config.keep_alive {
            builder = builder.pool_max_idle_per_host(0);
        }
        let client = builder.build().map_err(|e| S2sError::Endpoint {
            url: endpoint.into(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            rng: seeded(config.seed),
            outbox,
            endpoint: endpoint.into(),
            client,
            config,
            log: Vec::new(),
            summary: RelaySummary::default(),
            accepted_batches: 0,
            observer: None,
        })
    }

    /// Call `observer` with every log entry as it is written, not only at the end:
    /// what a live (`--realtime`) demo prints as it happens.
    pub fn set_observer(&mut self, observer: impl FnMut(&LogEntry) + Send + 'static) {
        self.observer = Some(Box::new(observer));
    }

    /// The log so far.
    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    /// The outbox (to read its counts).
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Totals so far.
    pub fn summary(&self) -> RelaySummary {
        self.summary
    }

    fn note(&mut self, event: RelayEvent) {
        self.push(LogEntry {
            at: tokio::time::Instant::now(),
            event,
        });
    }

    fn push(&mut self, entry: LogEntry) {
        if let Some(observe) = self.observer.as_mut() {
            observe(&entry);
        }
        self.log.push(entry);
    }

    /// Ship until the outbox has nothing pending. On error, everything not yet
    /// acknowledged stays pending.
    pub async fn drain(&mut self) -> Result<RelaySummary> {
        let size = self.config.batch_size.clamp(1, MAX_EVENTS_PER_REQUEST);
        loop {
            let rows = self.outbox.pending(size)?;
            if rows.is_empty() {
                return Ok(self.summary);
            }
            let rows = self.park_unreadable(rows)?;
            let mut stack = vec![rows];
            while let Some(batch) = stack.pop() {
                if batch.is_empty() {
                    continue;
                }
                if let Some((left, right)) = self.ship(batch).await? {
                    // Depth-first, left half first: keeps the log in outbox order.
                    stack.push(right);
                    stack.push(left);
                }
            }
        }
    }

    /// Keep shipping until `done()` is true and nothing is pending, polling the outbox
    /// every `poll` when it is empty (the relay as a long-running process).
    pub async fn run_until(
        &mut self,
        poll: Duration,
        done: impl Fn() -> bool,
    ) -> Result<RelaySummary> {
        loop {
            // Read the flag before draining: whatever was committed before it was set
            // is shipped by this last drain.
            let finished = done();
            self.drain().await?;
            if finished {
                return Ok(self.summary);
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// Rows whose payload is not JSON can't be sent at all: dead at once, with the reason.
    fn park_unreadable(&mut self, rows: Vec<OutboxRow>) -> Result<Vec<OutboxRow>> {
        let mut ok = Vec::with_capacity(rows.len());
        for row in rows {
            match serde_json::from_str::<IgnoredAny>(&row.payload) {
                Ok(_) => ok.push(row),
                Err(e) => {
                    let reason = format!("outbox payload is not JSON: {e}");
                    self.outbox.mark_dead(&row.event_id, &reason)?;
                    self.summary.dead += 1;
                    self.note(RelayEvent::Dead {
                        event_id: row.event_id,
                        reason,
                    });
                }
            }
        }
        Ok(ok)
    }

    /// Send one batch until it is accepted, split, or parked. Returns the halves when
    /// the batch must be bisected.
    async fn ship(
        &mut self,
        batch: Vec<OutboxRow>,
    ) -> Result<Option<(Vec<OutboxRow>, Vec<OutboxRow>)>> {
        let batch_no = match (batch.first(), batch.last()) {
            (Some(a), Some(b)) if a.seq == b.seq => format!("{}", a.seq),
            (Some(a), Some(b)) => format!("{}-{}", a.seq, b.seq),
            _ => String::new(),
        };
        let ids: Vec<String> = batch.iter().map(|r| r.event_id.clone()).collect();
        let mut body =
            String::with_capacity(batch.iter().map(|r| r.payload.len() + 1).sum::<usize>() + 10);
        body.push_str("{\"data\":[");
        for (i, r) in batch.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&r.payload);
        }
        body.push_str("]}");
        let mut failures: u32 = 0;
        loop {
            let sent_at = tokio::time::Instant::now();
            let outcome = self.send(body.clone()).await;
            self.summary.requests += 1;
            self.push(LogEntry {
                at: sent_at,
                event: RelayEvent::Sent {
                    batch: batch_no.clone(),
                    events: batch.len(),
                    outcome: outcome.clone(),
                },
            });
            let retryable = matches!(
                outcome,
                SendOutcome::RateLimited(_) | SendOutcome::Transient(_)
            );
            if retryable && failures + 1 >= self.config.max_attempts {
                let last = match &outcome {
                    SendOutcome::Transient(t) => t.clone(),
                    _ => "429 rate limited".to_string(),
                };
                self.outbox.record_failure(&ids, &last)?;
                return Err(S2sError::Unreachable {
                    url: self.endpoint.clone(),
                    attempts: failures + 1,
                    last,
                });
            }
            match outcome {
                SendOutcome::Accepted { .. } => {
                    self.accepted_batches += 1;
                    if self.config.kill_after_batches == Some(self.accepted_batches) {
                        self.note(RelayEvent::Killed {
                            batch: batch_no.clone(),
                        });
                        return Err(S2sError::Killed { batch: batch_no });
                    }
                    if !self.config.stall_after_accept.is_zero() {
                        tokio::time::sleep(self.config.stall_after_accept).await;
                    }
                    self.outbox
                        .mark_delivered(&ids, crate::collector::Clock::System.now_unix())?;
                    self.summary.delivered += ids.len() as u64;
                    self.note(RelayEvent::Delivered {
                        batch: batch_no.clone(),
                        events: ids.len(),
                    });
                    return Ok(None);
                }
                SendOutcome::Invalid(reason) => {
                    if batch.len() == 1 {
                        self.outbox.mark_dead(&ids[0], &reason)?;
                        self.summary.dead += 1;
                        self.note(RelayEvent::Dead {
                            event_id: ids[0].clone(),
                            reason,
                        });
                        return Ok(None);
                    }
                    let mut left = batch;
                    let right = left.split_off(left.len() / 2);
                    self.note(RelayEvent::Split {
                        batch: batch_no.clone(),
                        halves: (left.len(), right.len()),
                    });
                    return Ok(Some((left, right)));
                }
                SendOutcome::Refused(status, body) => {
                    return Err(S2sError::Refused {
                        url: self.endpoint.clone(),
                        status,
                        body,
                    });
                }
                SendOutcome::RateLimited(after) => {
                    failures += 1;
                    self.summary.retries += 1;
                    self.outbox.record_failure(&ids, "429 rate limited")?;
                    let (sleep, by_server) = match after {
                        // Honoured, but never past an hour: `Retry-After: 2^64-1` must
                        // not turn into a relay that waits forever.
                        Some(secs) => (
                            Duration::from_secs(secs.min(MAX_RETRY_AFTER.as_secs())),
                            true,
                        ),
                        None => (self.jitter(failures), false),
                    };
                    self.note(RelayEvent::Backoff {
                        attempt: failures,
                        sleep,
                        retry_after: by_server,
                    });
                    tokio::time::sleep(sleep).await;
                }
                SendOutcome::Transient(why) => {
                    failures += 1;
                    self.summary.retries += 1;
                    self.outbox.record_failure(&ids, &why)?;
                    let sleep = self.jitter(failures);
                    self.note(RelayEvent::Backoff {
                        attempt: failures,
                        sleep,
                        retry_after: false,
                    });
                    tokio::time::sleep(sleep).await;
                }
            }
        }
    }

    fn jitter(&mut self, failures: u32) -> Duration {
        full_jitter(
            &mut self.rng,
            self.config.base,
            self.config.cap,
            failures.saturating_sub(1),
        )
    }

    async fn send(&self, body: String) -> SendOutcome {
        let request = self
            .client
            .post(&self.endpoint)
            .header("content-type", "application/json")
            .body(body);
        let exchange = async move {
            let resp = request.send().await?;
            let status = resp.status();
            let after = retry_after(resp.headers());
            let bytes = resp.bytes().await?;
            Ok::<_, reqwest::Error>((status, after, bytes))
        };
        let result = tokio::time::timeout(self.config.request_timeout, settle(exchange)).await;
        let (status, after, bytes) = match result {
            Err(_) => {
                return SendOutcome::Transient(format!(
                    "no answer within {}",
                    crate::scenario::secs(self.config.request_timeout)
                ));
            }
            Ok(Err(e)) if e.is_connect() => {
                return SendOutcome::Transient("connection refused".into());
            }
            Ok(Err(e)) => return SendOutcome::Transient(format!("transport: {e}")),
            Ok(Ok(x)) => x,
        };
        let code = status.as_u16();
        let error_msg = || {
            serde_json::from_slice::<ApiErrorBody>(&bytes)
                .map(|b| b.error.error_user_msg)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).chars().take(200).collect())
        };
        match code {
            200..=299 => match serde_json::from_slice::<EventsResponse>(&bytes) {
                Ok(r) => SendOutcome::Accepted {
                    events_received: r.events_received,
                },
                Err(e) => SendOutcome::Transient(format!("{code} with an unreadable body: {e}")),
            },
            400 => SendOutcome::Invalid(error_msg()),
            429 => SendOutcome::RateLimited(after),
            408 | 500..=599 => SendOutcome::Transient(format!("{code}")),
            _ => SendOutcome::Refused(code, error_msg()),
        }
    }
}

/// Poll `fut`, yielding to the runtime between polls a bounded number of times, then
/// just await it.
///
/// Under tokio's paused clock an idle runtime jumps to the next timer — here, the
/// request timeout — even while bytes are still on their way through loopback. A
/// yield never moves the clock, so a loopback exchange with a collector on the same
/// runtime completes at one virtual instant; a collector that really doesn't answer
/// runs out of yields and the timeout fires in virtual time, as it should.
pub async fn settle<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    for _ in 0..SETTLE_YIELDS {
        if let std::task::Poll::Ready(out) =
            std::future::poll_fn(|cx| std::task::Poll::Ready(fut.as_mut().poll(cx))).await
        {
            return out;
        }
        tokio::task::yield_now().await;
    }
    fut.await
}

const SETTLE_YIELDS: usize = 400;
