//! Three failure detectors behind one trait.
//!
//! Every detector sees the same input — the instants at which heartbeats arrived,
//! measured on the monitor's own clock — and answers one question: *is the node
//! available now?* They differ in how they turn silence into a verdict:
//!
//! - [`FixedTimeout`]: dead once the silence reaches a fixed timeout (the seed's 10 s).
//! - [`HaproxyCheck`]: HAProxy's counting rule (`inter`, `fall`, `rise`) applied to
//!   heartbeats: every `inter` a check asks "did a heartbeat arrive since the last
//!   check?"; `fall` failed checks in a row take the node down, `rise` passed checks in
//!   a row bring it back.
//! - [`PhiAccrualDetector`]: Hayashibara et al.'s φ with Akka's logistic approximation
//!   and defaults: suspicion grows with silence, scaled by the intervals it has seen.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use crate::error::ClockWentBackwards;

/// A failure detector fed with heartbeat arrival instants.
///
/// Instants are durations since any fixed origin (the monitor uses the scenario's
/// start). They must not go backwards: a call with an earlier instant than one already
/// seen returns [`ClockWentBackwards`] and changes nothing.
pub trait FailureDetector: Send {
    /// A short name for tables: `fixed 10s`, `haproxy 2s/3/2`, `phi 8`.
    fn name(&self) -> String;

    /// A heartbeat arrived at `at`.
    fn heartbeat(&mut self, at: Duration) -> Result<(), ClockWentBackwards>;

    /// Whether the node counts as alive at `now`. Before the first heartbeat a node
    /// is not suspected (there is nothing to be silent about yet).
    fn is_available(&mut self, now: Duration) -> Result<bool, ClockWentBackwards>;

    /// The next instant at which the verdict may change if no heartbeat arrives, or
    /// `None` if only a heartbeat can change it. A monitor sleeps until the earliest
    /// of these instead of polling.
    fn next_change(&self) -> Option<Duration>;
}

/// Remembers the latest instant seen, to refuse a clock going backwards.
#[derive(Debug, Clone, Copy, Default)]
struct Monotonic(Duration);

impl Monotonic {
    fn observe(&mut self, now: Duration) -> Result<(), ClockWentBackwards> {
        if now < self.0 {
            return Err(ClockWentBackwards { now, last: self.0 });
        }
        self.0 = now;
        Ok(())
    }
}

/// Dead once no heartbeat has arrived for `timeout` (the seed's rule: 10 s, three
/// missed 3 s beats).
#[derive(Debug, Clone)]
pub struct FixedTimeout {
    timeout: Duration,
    last: Option<Duration>,
    seen: Monotonic,
}

impl FixedTimeout {
    /// A detector that declares a node dead after `timeout` of silence.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            last: None,
            seen: Monotonic::default(),
        }
    }
}

impl FailureDetector for FixedTimeout {
    fn name(&self) -> String {
        format!("fixed {}", secs(self.timeout))
    }

    fn heartbeat(&mut self, at: Duration) -> Result<(), ClockWentBackwards> {
        self.seen.observe(at)?;
        self.last = Some(at);
        Ok(())
    }

    fn is_available(&mut self, now: Duration) -> Result<bool, ClockWentBackwards> {
        self.seen.observe(now)?;
        Ok(self.last.is_none_or(|last| now - last < self.timeout))
    }

    fn next_change(&self) -> Option<Duration> {
        let deadline = self.last? + self.timeout;
        (deadline > self.seen.0).then_some(deadline)
    }
}

/// HAProxy's `inter` / `fall` / `rise` counting rule, driven by heartbeats.
///
/// The first heartbeat starts the check schedule: checks run at `first + k·inter`.
/// A check passes if a heartbeat arrived since the previous check (a heartbeat at the
/// very instant of a check counts for the next one). The node goes down after `fall`
/// failed checks in a row and comes back after `rise` passed checks in a row.
#[derive(Debug, Clone)]
pub struct HaproxyCheck {
    inter: Duration,
    fall: u32,
    rise: u32,
    next_check: Option<Duration>,
    beat_since_check: bool,
    passed_run: u32,
    failed_run: u32,
    up: bool,
    seen: Monotonic,
}

impl HaproxyCheck {
    /// `inter 2000ms fall 3 rise 2`, HAProxy's defaults.
    pub fn haproxy_defaults() -> Self {
        Self::new(Duration::from_secs(2), 3, 2)
    }

    /// A checker with the given `inter`, `fall` and `rise` (zero counts act as 1,
    /// a zero `inter` as 1 ms).
    pub fn new(inter: Duration, fall: u32, rise: u32) -> Self {
        Self {
            inter: inter.max(Duration::from_millis(1)),
            fall: fall.max(1),
            rise: rise.max(1),
            next_check: None,
            beat_since_check: false,
            passed_run: 0,
            failed_run: 0,
            up: true,
            seen: Monotonic::default(),
        }
    }

    /// Run every check due at or before `now`.
    fn catch_up(&mut self, now: Duration) {
        let Some(mut next) = self.next_check else {
            return;
        };
        if next > now {
            return;
        }
        // The first due check sees whatever arrived since the previous one.
        self.check(self.beat_since_check);
        self.beat_since_check = false;
        next += self.inter;
        if next <= now {
            // Every later due check saw no heartbeat: count them at once.
            let more = ((now - next).as_nanos() / self.inter.as_nanos()) as u32 + 1;
            self.passed_run = 0;
            self.failed_run = self.failed_run.saturating_add(more);
            if self.failed_run >= self.fall {
                self.up = false;
            }
            next += self.inter * more;
        }
        self.next_check = Some(next);
    }

    fn check(&mut self, passed: bool) {
        if passed {
            self.passed_run += 1;
            self.failed_run = 0;
            if !self.up && self.passed_run >= self.rise {
                self.up = true;
            }
        } else {
            self.failed_run += 1;
            self.passed_run = 0;
            if self.up && self.failed_run >= self.fall {
                self.up = false;
            }
        }
    }
}

impl FailureDetector for HaproxyCheck {
    fn name(&self) -> String {
        format!("haproxy {}/{}/{}", secs(self.inter), self.fall, self.rise)
    }

    fn heartbeat(&mut self, at: Duration) -> Result<(), ClockWentBackwards> {
        self.seen.observe(at)?;
        self.catch_up(at);
        if self.next_check.is_none() {
            self.next_check = Some(at + self.inter);
        }
        self.beat_since_check = true;
        Ok(())
    }

    fn is_available(&mut self, now: Duration) -> Result<bool, ClockWentBackwards> {
        self.seen.observe(now)?;
        self.catch_up(now);
        Ok(self.up)
    }

    fn next_change(&self) -> Option<Duration> {
        let next = self.next_check?;
        if self.up {
            // With no more heartbeats: one pass (if a beat is pending), then failures.
            let still = if self.beat_since_check {
                self.fall
            } else {
                self.fall.saturating_sub(self.failed_run + 1)
            };
            Some(next + self.inter * still)
        } else if self.beat_since_check {
            Some(next)
        } else {
            None
        }
    }
}

/// Settings of the φ accrual detector; [`Default`] is Akka's.
#[derive(Debug, Clone, PartialEq)]
pub struct PhiConfig {
    /// Suspect the node once φ reaches this (Akka: 8.0; 12 suggested on noisy clouds).
    pub threshold: f64,
    /// How many inter-arrival intervals to remember (Akka: 1000).
    pub max_sample_size: usize,
    /// Floor on the standard deviation, so a very regular sender is not suspected
    /// the moment it is a little late (Akka: 100 ms).
    pub min_std_deviation: Duration,
    /// Silence tolerated on top of the mean interval — GC pauses, a slow network
    /// (Akka: 3 s). It shifts the mean the normal curve is centred on.
    pub acceptable_heartbeat_pause: Duration,
    /// The expected interval before any was measured; the history starts with
    /// this ± a quarter (Akka's `heartbeat-interval`: 1 s).
    pub first_heartbeat_estimate: Duration,
}

impl Default for PhiConfig {
    fn default() -> Self {
        Self {
            threshold: 8.0,
            max_sample_size: 1000,
            min_std_deviation: Duration::from_millis(100),
            acceptable_heartbeat_pause: Duration::from_secs(3),
            first_heartbeat_estimate: Duration::from_secs(1),
        }
    }
}

/// The φ accrual failure detector (Hayashibara et al., 2004) as Akka computes it.
///
/// φ = −log10(P(a heartbeat comes later than now)), the probability taken from a
/// normal distribution fitted to the recent inter-arrival intervals, its mean moved
/// up by the acceptable pause. φ = 1 means a 10 % chance that the node is fine and
/// merely late, φ = 8 one in a hundred million.
#[derive(Debug, Clone)]
pub struct PhiAccrualDetector {
    config: PhiConfig,
    /// Inter-arrival intervals in microseconds (exact sums, no drift).
    intervals: VecDeque<u64>,
    sum: u128,
    sum_sq: u128,
    last: Option<Duration>,
    seen: Monotonic,
}

impl PhiAccrualDetector {
    /// A detector with `config` (see [`PhiConfig::default`] for Akka's values).
    pub fn new(config: PhiConfig) -> Self {
        Self {
            config,
            intervals: VecDeque::new(),
            sum: 0,
            sum_sq: 0,
            last: None,
            seen: Monotonic::default(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &PhiConfig {
        &self.config
    }

    fn push(&mut self, micros: u64) {
        if self.intervals.len() >= self.config.max_sample_size.max(1)
            && let Some(old) = self.intervals.pop_front()
        {
            self.sum -= u128::from(old);
            self.sum_sq -= u128::from(old) * u128::from(old);
        }
        self.intervals.push_back(micros);
        self.sum += u128::from(micros);
        self.sum_sq += u128::from(micros) * u128::from(micros);
    }

    /// Mean and standard deviation (floored) of the remembered intervals, seconds.
    fn stats(&self) -> (f64, f64) {
        let n = self.intervals.len().max(1) as f64;
        let mean = self.sum as f64 / n / 1e6;
        let mean_sq = self.sum_sq as f64 / n / 1e12;
        let sd = (mean_sq - mean * mean).max(0.0).sqrt();
        (mean, sd.max(self.config.min_std_deviation.as_secs_f64()))
    }

    /// φ after `silence` since the last heartbeat.
    pub fn phi_after(&self, silence: Duration) -> f64 {
        if self.last.is_none() {
            return 0.0;
        }
        let (mean, sd) = self.stats();
        phi(
            silence.as_secs_f64(),
            mean + self.config.acceptable_heartbeat_pause.as_secs_f64(),
            sd,
        )
    }

    /// φ at `now` (0 before the first heartbeat or for an instant before the last).
    pub fn phi(&self, now: Duration) -> f64 {
        match self.last {
            Some(last) if now >= last => self.phi_after(now - last),
            _ => 0.0,
        }
    }

    /// How long after the last heartbeat φ reaches the threshold, given the intervals
    /// seen so far (`None` before the first heartbeat).
    pub fn silence_to_suspect(&self) -> Option<Duration> {
        self.last?;
        let (mean, sd) = self.stats();
        let centre = mean + self.config.acceptable_heartbeat_pause.as_secs_f64();
        let threshold = self.config.threshold;
        // φ grows with silence; bisect for the crossing.
        let (mut lo, mut hi) = (0.0_f64, centre + sd);
        while phi(hi, centre, sd) < threshold && hi < 1e9 {
            hi *= 2.0;
        }
        for _ in 0..100 {
            let mid = (lo + hi) / 2.0;
            if phi(mid, centre, sd) < threshold {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(Duration::from_secs_f64(hi))
    }

    /// The mean interval the detector has learned (including its two seed values).
    pub fn mean_interval(&self) -> Option<Duration> {
        self.last?;
        Some(Duration::from_secs_f64(self.stats().0))
    }
}

/// Akka's logistic approximation of −log10(1 − Φ((t − mean)/sd)).
pub fn phi(elapsed: f64, mean: f64, sd: f64) -> f64 {
    let y = (elapsed - mean) / sd;
    let e = (-y * (1.5976 + 0.070566 * y * y)).exp();
    let value = if elapsed > mean {
        -(e / (1.0 + e)).log10()
    } else {
        -(1.0 - 1.0 / (1.0 + e)).log10()
    };
    if value.is_nan() {
        f64::INFINITY
    } else {
        value.max(0.0)
    }
}

impl FailureDetector for PhiAccrualDetector {
    fn name(&self) -> String {
        format!("phi {}", self.config.threshold)
    }

    fn heartbeat(&mut self, at: Duration) -> Result<(), ClockWentBackwards> {
        self.seen.observe(at)?;
        match self.last {
            None => {
                let mean = self.config.first_heartbeat_estimate.as_micros() as u64;
                let sd = mean / 4;
                self.push(mean - sd);
                self.push(mean + sd);
            }
            Some(last) => {
                // Akka leaves out the interval that ends a suspected silence: one
                // long outage must not teach the detector that outages are normal.
                if self.phi(at) < self.config.threshold {
                    self.push((at - last).as_micros() as u64);
                }
            }
        }
        self.last = Some(at);
        Ok(())
    }

    fn is_available(&mut self, now: Duration) -> Result<bool, ClockWentBackwards> {
        self.seen.observe(now)?;
        Ok(self.phi(now) < self.config.threshold)
    }

    fn next_change(&self) -> Option<Duration> {
        let deadline = self.last? + self.silence_to_suspect()?;
        (deadline > self.seen.0).then_some(deadline)
    }
}

/// Which detector to build: the knob a scenario or a command line names.
#[derive(Debug, Clone, PartialEq)]
pub enum DetectorSpec {
    /// [`FixedTimeout`] with this timeout.
    Fixed(Duration),
    /// [`HaproxyCheck`] with `inter`, `fall`, `rise`.
    Haproxy {
        /// Time between checks.
        inter: Duration,
        /// Failed checks in a row that take a node down.
        fall: u32,
        /// Passed checks in a row that bring it back.
        rise: u32,
    },
    /// [`PhiAccrualDetector`] with Akka's defaults and this threshold; its first
    /// estimate of the interval is the scenario's heartbeat interval.
    Phi(f64),
}

impl DetectorSpec {
    /// HAProxy's defaults: `inter 2000ms fall 3 rise 2`.
    pub const HAPROXY: DetectorSpec = DetectorSpec::Haproxy {
        inter: Duration::from_secs(2),
        fall: 3,
        rise: 2,
    };

    /// Build the detector for senders that beat every `interval`.
    pub fn build(&self, interval: Duration) -> Box<dyn FailureDetector> {
        match *self {
            DetectorSpec::Fixed(timeout) => Box::new(FixedTimeout::new(timeout)),
            DetectorSpec::Haproxy { inter, fall, rise } => {
                Box::new(HaproxyCheck::new(inter, fall, rise))
            }
            DetectorSpec::Phi(threshold) => Box::new(PhiAccrualDetector::new(PhiConfig {
                threshold,
                first_heartbeat_estimate: interval,
                ..PhiConfig::default()
            })),
        }
    }
}

impl fmt::Display for DetectorSpec {
    /// The same text as the built detector's [`FailureDetector::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.build(Duration::from_secs(1)).name())
    }
}

/// `10s`, `2.5s`, `500ms` (whole milliseconds, no trailing zeros).
pub fn secs(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else if ms < 1000 {
        format!("{ms}ms")
    } else {
        let s = format!("{:.3}", d.as_secs_f64());
        format!("{}s", s.trim_end_matches('0'))
    }
}
