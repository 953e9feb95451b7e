//! The same scenario, several seeds, every detector: detection delay and alarms.

use std::time::Duration;

#[cfg(not(target_arch = "wasm32"))]
use crate::cluster::run_virtual;
#[cfg(not(target_arch = "wasm32"))]
use crate::error::HeartbeatError;
#[cfg(not(target_arch = "wasm32"))]
use crate::scenario::Scenario;
use crate::scenario::{EventKind, FailureKind, ScenarioReport};

/// How one detector did over all seeds of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorRow {
    /// The detector's name.
    pub detector: String,
    /// For every seed and crash: time from the crash to the dead verdict (`None`:
    /// not within the run).
    pub detection: Vec<Option<Duration>>,
    /// Runs in which a paused server was declared dead during its pause (or before
    /// its first heartbeat after it).
    pub pauses_flagged: u32,
    /// Dead verdicts on running servers outside any pause: noise taken for death.
    pub false_alarms: u32,
}

impl DetectorRow {
    /// Fastest, median and slowest detection, if every crash was detected.
    pub fn detection_spread(&self) -> Option<(Duration, Duration, Duration)> {
        let mut v: Vec<Duration> = self.detection.iter().copied().collect::<Option<_>>()?;
        v.sort_unstable();
        Some((*v.first()?, v[v.len() / 2], *v.last()?))
    }
}

/// Run `base` with seeds `1..=seeds` (the tokio cluster, in virtual time) and
/// [`tally`] every detector.
///
/// Run `k` (of `n`) also moves every failure and pause `k/n` of an interval later,
/// so the runs cover every phase between a crash and the heartbeat before it.
#[cfg(not(target_arch = "wasm32"))]
pub fn compare(base: &Scenario, seeds: u64) -> Result<Vec<DetectorRow>, HeartbeatError> {
    let mut rows: Vec<DetectorRow> = Vec::new();
    let n = seeds.max(1);
    for seed in 1..=n {
        let shift = base.interval.mul_f64((seed - 1) as f64 / n as f64);
        let mut scenario = Scenario {
            seed,
            ..base.clone()
        };
        for f in &mut scenario.failures {
            f.at += shift;
        }
        for p in &mut scenario.pauses {
            p.at += shift;
        }
        let report = run_virtual(&scenario)?;
        tally(&mut rows, &report);
    }
    Ok(rows)
}

/// Add one run's `report` to `rows` (one row per detector, created on the first run):
/// each crash's detection delay, whether a paused server was declared dead during its
/// pause, and dead verdicts on running servers outside any pause (false alarms).
///
/// Works on a report from the tokio cluster or from [`crate::sim::simulate`].
pub fn tally(rows: &mut Vec<DetectorRow>, report: &ScenarioReport) {
    let scenario = &report.scenario;
    if rows.is_empty() {
        *rows = report
            .detectors
            .iter()
            .map(|d| DetectorRow {
                detector: d.clone(),
                detection: Vec::new(),
                pauses_flagged: 0,
                false_alarms: 0,
            })
            .collect();
    }
    for row in rows.iter_mut() {
        for f in scenario
            .failures
            .iter()
            .filter(|f| f.kind == FailureKind::Crash)
        {
            let found = report.events.iter().find_map(|e| match &e.kind {
                EventKind::DeclaredDead {
                    server, detector, ..
                } if *server == f.server && *detector == row.detector && e.at >= f.at => {
                    Some(e.at - f.at)
                }
                _ => None,
            });
            row.detection.push(found);
        }
        // A pause's verdicts: from its start until the first heartbeat after it.
        let pause_span = |server: u32, at: Duration| {
            scenario.pauses.iter().any(|p| {
                let resumed = report
                    .heartbeats
                    .iter()
                    .find(|h| h.server == server && h.at >= p.at + p.length)
                    .map_or(Duration::MAX, |h| h.at);
                p.server == server && at >= p.at && at <= resumed
            })
        };
        let mut flagged = false;
        for e in &report.events {
            if let EventKind::DeclaredDead {
                server, detector, ..
            } = &e.kind
                && *detector == row.detector
            {
                let down = report
                    .down_periods(*server)
                    .iter()
                    .any(|&(a, b)| e.at >= a && e.at < b);
                if down {
                    continue;
                }
                if pause_span(*server, e.at) {
                    flagged = true;
                } else {
                    row.false_alarms += 1;
                }
            }
        }
        row.pauses_flagged += u32::from(flagged);
    }
}
