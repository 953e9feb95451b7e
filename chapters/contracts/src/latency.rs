//! The latency contract: p95 < 200 ms and p99 < 500 ms, by nearest rank over at
//! least 1000 measured requests sent after a warm-up.

#[cfg(not(target_arch = "wasm32"))]
use std::sync::Arc;
#[cfg(not(target_arch = "wasm32"))]
use std::sync::Mutex;
#[cfg(not(target_arch = "wasm32"))]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;

#[cfg(not(target_arch = "wasm32"))]
use crate::client::Api;
use crate::error::CheckError;
use crate::progress::{ProgressBar, phase};
use crate::search::SearchRequest;
use crate::transport::Transport;

/// The seed's thresholds.
pub const P95_LIMIT: Duration = Duration::from_millis(200);
/// The seed's thresholds.
pub const P99_LIMIT: Duration = Duration::from_millis(500);

/// The most measured requests a probe sends: 100 times the contract's minimum, a
/// minute or two on the wall clock at the default concurrency, a few MiB of samples.
pub const MAX_REQUESTS: usize = 100_000;
/// The most warm-up requests a probe sends (as many as it may measure).
pub const MAX_WARMUP: usize = 100_000;
/// The most requests in flight at once: far beyond what two cores can drive, and
/// never more than there are requests to send.
pub const MAX_CONCURRENCY: usize = 256;

/// Refuse a probe size outside [`MAX_WARMUP`] / 1..=[`MAX_REQUESTS`] (the programs'
/// flags have the same ranges), before any memory is reserved for it.
fn check_sizes(warmup: usize, measured: usize) -> Result<(), CheckError> {
    if warmup > MAX_WARMUP || !(1..=MAX_REQUESTS).contains(&measured) {
        return Err(CheckError::Local(format!(
            "the latency probe sends 0..={MAX_WARMUP} warm-up and 1..={MAX_REQUESTS} \
             measured requests; asked for {warmup} and {measured}"
        )));
    }
    Ok(())
}

/// How many workers send `count` requests when `concurrency` are asked for: at least
/// one, at most [`MAX_CONCURRENCY`], and never more than the requests (none for none).
pub fn workers_for(count: usize, concurrency: usize) -> usize {
    concurrency.clamp(1, MAX_CONCURRENCY).min(count)
}

/// The nearest-rank percentile of `sorted` (ascending): the value at rank
/// ⌈p/100 · n⌉ (1-based). No interpolation: the answer is a latency that happened.
/// `None` for an empty sample or `p` outside (0, 100].
pub fn nearest_rank(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let n = sorted.len();
    // Integer arithmetic on per-mille avoids 0.95 * 1000 = 949.999… surprises.
    let per_mille = (p * 10.0).round() as usize;
    let rank = (per_mille * n).div_ceil(1000).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// What the latency probe found.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyReport {
    /// Requests sent and discarded first.
    pub warmup: usize,
    /// Requests measured.
    pub measured: usize,
    /// Median, milliseconds.
    pub p50_ms: f64,
    /// 95th percentile (nearest rank), milliseconds.
    pub p95_ms: f64,
    /// 99th percentile (nearest rank), milliseconds.
    pub p99_ms: f64,
    /// Slowest, milliseconds.
    pub max_ms: f64,
    /// Every measured latency, in the order the requests finished (one at a time:
    /// the order they were sent). What the percentiles are taken from, and what
    /// [`crate::picture`] draws; left out of the JSON report.
    #[serde(skip)]
    pub samples: Vec<Duration>,
}

impl LatencyReport {
    /// Summarise measured latencies (any order; kept as given in `samples`).
    pub fn from_samples(warmup: usize, samples: &[Duration]) -> Option<LatencyReport> {
        let mut sorted = samples.to_vec();
        sorted.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        Some(LatencyReport {
            warmup,
            measured: sorted.len(),
            p50_ms: ms(nearest_rank(&sorted, 50.0)?),
            p95_ms: ms(nearest_rank(&sorted, 95.0)?),
            p99_ms: ms(nearest_rank(&sorted, 99.0)?),
            max_ms: ms(*sorted.last()?),
            samples: samples.to_vec(),
        })
    }

    /// p95 under 200 ms?
    pub fn p95_holds(&self) -> bool {
        self.p95_ms < P95_LIMIT.as_secs_f64() * 1000.0
    }

    /// p99 under 500 ms?
    pub fn p99_holds(&self) -> bool {
        self.p99_ms < P99_LIMIT.as_secs_f64() * 1000.0
    }
}

/// The request mix of the probe: request `i` of the run.
pub fn probe_request(i: usize) -> SearchRequest {
    const QUERIES: [&str; 6] = [
        "laptop",
        "phone",
        "tablet",
        "premium laptop",
        "case",
        "galaxy",
    ];
    let mut req = SearchRequest::new(QUERIES[i % QUERIES.len()], [10, 5, 20][i % 3]);
    if i % 7 == 3 {
        req.offset = 5;
    }
    req
}

/// [`probe`] one request at a time through any [`Transport`], timing each request with
/// `now` (e.g. [`crate::transport::InProcess::now`], a virtual clock): the same request
/// mix, warm-up and report, no runtime.
pub fn probe_on(
    transport: &dyn Transport,
    now: &dyn Fn() -> Duration,
    warmup: usize,
    measured: usize,
    progress: &ProgressBar,
) -> Result<LatencyReport, CheckError> {
    check_sizes(warmup, measured)?;
    phase(
        progress,
        warmup as u64,
        "latency: warm-up requests, 1 in flight",
    );
    for i in 0..warmup {
        transport.search(&probe_request(i))?;
        progress.inc(1);
    }
    phase(
        progress,
        measured as u64,
        "latency: measured requests, 1 in flight",
    );
    let mut samples = Vec::with_capacity(measured);
    for i in 0..measured {
        let start = now();
        transport.search(&probe_request(warmup + i))?;
        samples.push(now().saturating_sub(start));
        progress.inc(1);
    }
    LatencyReport::from_samples(warmup, &samples)
        .ok_or_else(|| CheckError::Local("the latency probe measured no request".to_string()))
}

/// Send `warmup` requests, then `measured` more, `concurrency` at a time (never more
/// workers than requests: [`workers_for`]), timing each
/// with `tokio::time::Instant` (the runtime's clock: virtual on a paused runtime).
/// `progress` counts the requests of each phase (pass `ProgressBar::hidden()` for none).
#[cfg(not(target_arch = "wasm32"))]
pub async fn probe(
    api: &Api,
    warmup: usize,
    measured: usize,
    concurrency: usize,
    progress: &ProgressBar,
) -> Result<LatencyReport, CheckError> {
    check_sizes(warmup, measured)?;
    phase(
        progress,
        warmup as u64,
        format!(
            "latency: warm-up requests, {} in flight",
            workers_for(warmup, concurrency)
        ),
    );
    run_phase(api, 0, warmup, concurrency, progress).await?;
    phase(
        progress,
        measured as u64,
        format!(
            "latency: measured requests, {} in flight",
            workers_for(measured, concurrency)
        ),
    );
    let samples = run_phase(api, warmup, measured, concurrency, progress).await?;
    LatencyReport::from_samples(warmup, &samples)
        .ok_or_else(|| CheckError::Local("the latency probe measured no request".to_string()))
}

#[cfg(not(target_arch = "wasm32"))]
async fn run_phase(
    api: &Api,
    first: usize,
    count: usize,
    concurrency: usize,
    progress: &ProgressBar,
) -> Result<Vec<Duration>, CheckError> {
    let next = Arc::new(AtomicUsize::new(0));
    let samples = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..workers_for(count, concurrency) {
        let api = api.clone();
        let next = Arc::clone(&next);
        let samples = Arc::clone(&samples);
        let progress = progress.clone();
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    return Ok::<(), CheckError>(());
                }
                let start = tokio::time::Instant::now();
                api.search(&probe_request(first + i)).await?;
                let took = start.elapsed();
                if let Ok(mut s) = samples.lock() {
                    s.push(took);
                }
                progress.inc(1);
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined.map_err(|e| CheckError::Local(format!("latency worker failed: {e}")))??;
    }
    let out = samples
        .lock()
        .map(|s| s.clone())
        .map_err(|_| CheckError::Local("latency samples poisoned".to_string()))?;
    Ok(out)
}
