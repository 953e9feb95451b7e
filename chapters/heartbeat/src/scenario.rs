//! What to run ([`Scenario`]) and what happened ([`ScenarioReport`]).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::detector::{DetectorSpec, secs};
use crate::error::ScenarioError;
use crate::monitor::InputStats;

/// How a server fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The process dies: no more heartbeats, its port closes, nobody is told.
    Crash,
    /// SIGTERM: the server sends a goodbye notice, then stops.
    Graceful,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Crash => "crash",
            FailureKind::Graceful => "graceful",
        })
    }
}

/// One injected failure: `SERVER:KIND@AT[+BACK]` on the command line, e.g.
/// `2:crash@20` or `3:graceful@15+10` (back 10 s later as a new incarnation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Which server (1-based).
    pub server: u32,
    /// Crash or graceful shutdown.
    pub kind: FailureKind,
    /// When, from the scenario's start.
    pub at: Duration,
    /// Restart this long after failing, if at all.
    pub back_after: Option<Duration>,
}

/// A window in which something is wrong with one server: `SERVER@AT+LENGTH`, e.g.
/// `1@30+8`. Used for GC-like pauses and for sickness (a failing health check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Which server (1-based).
    pub server: u32,
    /// Start, from the scenario's start.
    pub at: Duration,
    /// How long it lasts.
    pub length: Duration,
}

/// Parse `3`, `2.5`, `2.5s` or `500ms` as a duration.
pub fn parse_duration(knob: &'static str, text: &str) -> Result<Duration, ScenarioError> {
    let err = || ScenarioError::Parse {
        knob,
        text: text.to_string(),
        expected: "seconds such as `3`, `2.5s` or `500ms`",
    };
    let t = text.trim();
    let (number, scale) = if let Some(ms) = t.strip_suffix("ms") {
        (ms, 1e-3)
    } else {
        (t.strip_suffix('s').unwrap_or(t), 1.0)
    };
    let value: f64 = number.trim().parse().map_err(|_| err())?;
    let secs = value * scale;
    if !secs.is_finite() || !(0.0..=86_400.0).contains(&secs) {
        return Err(err());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_server(
    knob: &'static str,
    text: &str,
    expected: &'static str,
) -> Result<u32, ScenarioError> {
    text.trim().parse().map_err(|_| ScenarioError::Parse {
        knob,
        text: text.to_string(),
        expected,
    })
}

impl FromStr for Failure {
    type Err = ScenarioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "SERVER:crash|graceful@SECONDS[+SECONDS], e.g. `2:crash@20`";
        let err = || ScenarioError::Parse {
            knob: "fail",
            text: s.to_string(),
            expected: EXPECTED,
        };
        let (server, rest) = s.split_once(':').ok_or_else(err)?;
        let (kind, when) = rest.split_once('@').ok_or_else(err)?;
        let kind = match kind.trim() {
            "crash" => FailureKind::Crash,
            "graceful" => FailureKind::Graceful,
            _ => return Err(err()),
        };
        let (at, back) = match when.split_once('+') {
            Some((at, back)) => (at, Some(back)),
            None => (when, None),
        };
        Ok(Failure {
            server: parse_server("fail", server, EXPECTED)?,
            kind,
            at: parse_duration("fail", at)?,
            back_after: back.map(|b| parse_duration("fail", b)).transpose()?,
        })
    }
}

impl Window {
    /// Parse `SERVER@AT+LENGTH` for the flag `knob`.
    pub fn parse(knob: &'static str, s: &str) -> Result<Self, ScenarioError> {
        const EXPECTED: &str = "SERVER@SECONDS+SECONDS, e.g. `1@30+8`";
        let err = || ScenarioError::Parse {
            knob,
            text: s.to_string(),
            expected: EXPECTED,
        };
        let (server, rest) = s.split_once('@').ok_or_else(err)?;
        let (at, length) = rest.split_once('+').ok_or_else(err)?;
        Ok(Window {
            server: parse_server(knob, server, EXPECTED)?,
            at: parse_duration(knob, at)?,
            length: parse_duration(knob, length)?,
        })
    }
}

/// Everything a run depends on. [`Default`] is the seed's cluster: three servers
/// beating every 3 s, a balancer that declares a server dead after 10 s of silence,
/// and server 2 crashing 20 s in.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// How many web servers (ids `1..=servers`).
    pub servers: u32,
    /// Time between heartbeats.
    pub interval: Duration,
    /// The fixed timeout (the first detector, and the one that routes by default).
    pub timeout: Duration,
    /// Detectors tracked beside the fixed timeout, on the same arrivals.
    pub extra_detectors: Vec<DetectorSpec>,
    /// Index into [`Scenario::detector_specs`] of the detector the balancer routes by.
    pub route_by: usize,
    /// How long the scenario runs.
    pub duration: Duration,
    /// Injected failures.
    pub failures: Vec<Failure>,
    /// GC-like pauses: the whole server freezes (no heartbeats, no answers).
    pub pauses: Vec<Window>,
    /// Windows in which a server's health check fails (memory over its limit).
    pub sick: Vec<Window>,
    /// Each heartbeat is delayed by a uniform random time in `0..=jitter`.
    pub jitter: Duration,
    /// Each heartbeat (and goodbye) is lost with this probability.
    pub loss: f64,
    /// Seed of the random jitter and loss.
    pub seed: u64,
    /// The balancer sends one request this often, round-robin.
    pub request_every: Duration,
    /// A request not answered within this counts as failed.
    pub request_timeout: Duration,
    /// Send a burst of bad packets (garbage, unknown server, stale) at this time.
    pub rogue_at: Option<Duration>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            servers: 3,
            interval: Duration::from_secs(3),
            timeout: Duration::from_secs(10),
            extra_detectors: vec![
                DetectorSpec::HAPROXY,
                DetectorSpec::Phi(8.0),
                DetectorSpec::Phi(12.0),
            ],
            route_by: 0,
            duration: Duration::from_secs(45),
            failures: vec![Failure {
                server: 2,
                kind: FailureKind::Crash,
                at: Duration::from_secs(20),
                back_after: None,
            }],
            pauses: Vec::new(),
            sick: Vec::new(),
            jitter: Duration::ZERO,
            loss: 0.0,
            seed: 3,
            request_every: Duration::from_millis(500),
            request_timeout: Duration::from_secs(1),
            rogue_at: None,
        }
    }
}

impl Scenario {
    /// The lesson's noisy network: the seed's cluster with up to 1.5 s of jitter,
    /// 5 % loss, server 1 frozen for 8 s at 40 s, server 2 crashing at 70 s, and a
    /// tighter fixed timeout (2 intervals) tracked beside the seed's 10 s.
    pub fn noisy() -> Self {
        Scenario {
            jitter: Duration::from_millis(1500),
            loss: 0.05,
            duration: Duration::from_secs(100),
            pauses: vec![Window {
                server: 1,
                at: Duration::from_secs(40),
                length: Duration::from_secs(8),
            }],
            failures: vec![Failure {
                server: 2,
                kind: FailureKind::Crash,
                at: Duration::from_secs(70),
                back_after: None,
            }],
            extra_detectors: vec![
                DetectorSpec::Fixed(Duration::from_secs(6)),
                DetectorSpec::HAPROXY,
                DetectorSpec::Phi(8.0),
                DetectorSpec::Phi(12.0),
            ],
            ..Scenario::default()
        }
    }

    /// The seed's cluster with everything else that can happen: bad packets at
    /// 5 s, server 1's memory check failing from 12 s to 18 s, server 2 leaving
    /// gracefully at 20 s and restarting at 30 s, server 3 frozen from 30 s to 38 s.
    pub fn tour() -> Self {
        let window = |server, at, length| Window {
            server,
            at: Duration::from_secs(at),
            length: Duration::from_secs(length),
        };
        Scenario {
            rogue_at: Some(Duration::from_secs(5)),
            sick: vec![window(1, 12, 6)],
            failures: vec![Failure {
                server: 2,
                kind: FailureKind::Graceful,
                at: Duration::from_secs(20),
                back_after: Some(Duration::from_secs(10)),
            }],
            pauses: vec![window(3, 30, 8)],
            ..Scenario::default()
        }
    }

    /// All detectors: the fixed timeout first, then [`Scenario::extra_detectors`]
    /// without any that equals it. (`--timeout 6` on the noisy scenario, which also
    /// tracks `fixed 6s`, would otherwise run the same detector twice and log every
    /// verdict twice.)
    pub fn detector_specs(&self) -> Vec<DetectorSpec> {
        let fixed = DetectorSpec::Fixed(self.timeout);
        let mut v = vec![fixed.clone()];
        v.extend(
            self.extra_detectors
                .iter()
                .filter(|d| **d != fixed)
                .cloned(),
        );
        v
    }

    /// Refuse knobs that cannot run: every limit is named in the error.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let bad = |knob, reason: String| Err(ScenarioError::Invalid { knob, reason });
        if !(1..=64).contains(&self.servers) {
            return bad("servers", format!("{} is not in 1..=64", self.servers));
        }
        if self.interval < Duration::from_millis(10) || self.interval > Duration::from_secs(60) {
            return bad(
                "interval",
                format!("{} is not in 10ms..=60s", secs(self.interval)),
            );
        }
        if self.timeout < Duration::from_millis(10) {
            return bad("timeout", "must be at least 10ms".into());
        }
        if self.duration.is_zero() || self.duration > Duration::from_secs(3600) {
            return bad(
                "duration",
                format!("{} is not in (0, 3600s]", secs(self.duration)),
            );
        }
        if self.jitter >= self.interval {
            return bad(
                "jitter",
                format!("{} must be less than the interval", secs(self.jitter)),
            );
        }
        if !(0.0..1.0).contains(&self.loss) {
            return bad("loss", format!("{} is not in [0, 1)", self.loss));
        }
        if self.request_every < Duration::from_millis(10) {
            return bad("request-every", "must be at least 10ms".into());
        }
        if self.request_timeout < Duration::from_millis(1) {
            return bad("request-timeout", "must be at least 1ms".into());
        }
        if self.route_by >= self.detector_specs().len() {
            return bad("route-by", format!("no detector number {}", self.route_by));
        }
        let in_range = |s: u32| (1..=self.servers).contains(&s);
        for f in &self.failures {
            if !in_range(f.server) {
                return bad(
                    "fail",
                    format!("no server {} (servers are 1..={})", f.server, self.servers),
                );
            }
        }
        let mut servers: Vec<u32> = self.failures.iter().map(|f| f.server).collect();
        servers.sort_unstable();
        if servers.windows(2).any(|w| w[0] == w[1]) {
            return bad("fail", "at most one failure per server".into());
        }
        for (knob, windows) in [("pause", &self.pauses), ("sick", &self.sick)] {
            for w in windows {
                if !in_range(w.server) {
                    return bad(
                        knob,
                        format!("no server {} (servers are 1..={})", w.server, self.servers),
                    );
                }
            }
        }
        Ok(())
    }
}

/// How a routed request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// 200 from the server.
    Ok,
    /// Connection refused, reset, or a non-200 answer.
    Failed,
    /// No answer within the request timeout.
    TimedOut,
    /// No server was routable.
    NoServer,
}

/// What happened, as seen by the scenario (injections) and the balancer (the rest).
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// A server process started (incarnation 1 at the start, more after restarts).
    ServerStarted {
        /// The server.
        server: u32,
        /// Its incarnation.
        incarnation: u32,
    },
    /// A failure was injected.
    FailureInjected {
        /// The server.
        server: u32,
        /// Crash or graceful.
        kind: FailureKind,
    },
    /// A GC-like pause started.
    PauseStarted {
        /// The server.
        server: u32,
        /// How long it will last.
        length: Duration,
    },
    /// The pause ended.
    PauseEnded {
        /// The server.
        server: u32,
    },
    /// A server's health check started or stopped failing.
    SickChanged {
        /// The server.
        server: u32,
        /// `true` when it starts failing.
        sick: bool,
    },
    /// The balancer received a goodbye notice and dropped the server at once.
    LeaveNoticed {
        /// The server.
        server: u32,
    },
    /// A detector declared a server dead.
    DeclaredDead {
        /// The server.
        server: u32,
        /// The detector's name.
        detector: String,
        /// Silence since its last heartbeat.
        silence: Duration,
        /// Whether the balancer routes by this detector (so traffic moves now).
        routing: bool,
    },
    /// A detector considers a server alive again.
    DeclaredAlive {
        /// The server.
        server: u32,
        /// The detector's name.
        detector: String,
        /// Whether the balancer routes by this detector.
        routing: bool,
    },
    /// A heartbeat from a restarted server (a new incarnation).
    Rejoined {
        /// The server.
        server: u32,
        /// Its new incarnation.
        incarnation: u32,
    },
    /// The balancer asked a server's `/health` (after its heartbeat reported a change).
    HealthChecked {
        /// The server.
        server: u32,
        /// HTTP status: 200 or 503 (0 if the request failed).
        status: u16,
        /// The body, or the failure.
        detail: String,
    },
    /// One request routed round-robin.
    Request {
        /// Where it went (`None`: nowhere to go).
        server: Option<u32>,
        /// How it ended.
        outcome: RequestOutcome,
    },
    /// A packet the balancer refused (counted, logged, ignored).
    BadPacket {
        /// Why.
        detail: String,
    },
}

/// One entry of the chronological log.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterEvent {
    /// Time since the scenario started (virtual or wall-clock).
    pub at: Duration,
    /// What happened.
    pub kind: EventKind,
}

/// One heartbeat the balancer accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatArrival {
    /// Arrival time on the balancer's clock, since the start.
    pub at: Duration,
    /// The sender.
    pub server: u32,
    /// Its incarnation.
    pub incarnation: u32,
}

/// How one detector did in a run.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorOutcome {
    /// The detector's name.
    pub detector: String,
    /// For each crash: the server and how long after the crash it was declared dead
    /// (`None`: never, within the run).
    pub detections: Vec<(u32, Option<Duration>)>,
    /// Dead verdicts on a server whose process was running (paused, late or lossy).
    pub false_alarms: u32,
    /// Total time servers with a running process spent declared dead.
    pub false_dead_time: Duration,
}

/// The result of [`crate::run_virtual`] or [`crate::run_realtime`].
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// The scenario that ran.
    pub scenario: Scenario,
    /// Everything, in order of `at` (ties in the order they happened).
    pub events: Vec<ClusterEvent>,
    /// Every accepted heartbeat, in arrival order.
    pub heartbeats: Vec<HeartbeatArrival>,
    /// The detectors' names, in the order of [`Scenario::detector_specs`].
    pub detectors: Vec<String>,
    /// What the balancer received.
    pub input: InputStats,
}

impl ScenarioReport {
    /// The name of the detector the balancer routed by.
    pub fn routing_detector(&self) -> &str {
        self.detectors
            .get(self.scenario.route_by)
            .map_or("", String::as_str)
    }

    /// When the balancer's routing detector first declared `server` dead — the
    /// moment an alert would fire. `None` if it never did (a graceful leave is not a
    /// death: see [`ScenarioReport::first_removed`]).
    pub fn first_declared_dead(&self, server: u32) -> Option<Duration> {
        self.first_declared_dead_by(server, self.routing_detector())
    }

    /// When the detector named `detector` first declared `server` dead.
    pub fn first_declared_dead_by(&self, server: u32, detector: &str) -> Option<Duration> {
        self.events.iter().find_map(|e| match &e.kind {
            EventKind::DeclaredDead {
                server: s,
                detector: d,
                ..
            } if *s == server && d == detector => Some(e.at),
            _ => None,
        })
    }

    /// When the balancer first stopped routing to `server` for either reason: a
    /// goodbye notice or its routing detector's dead verdict.
    pub fn first_removed(&self, server: u32) -> Option<Duration> {
        let left = self.events.iter().find_map(|e| match e.kind {
            EventKind::LeaveNoticed { server: s } if s == server => Some(e.at),
            _ => None,
        });
        match (left, self.first_declared_dead(server)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Periods in which `server`'s process was not running: from a failure to its
    /// restart (or the end).
    pub fn down_periods(&self, server: u32) -> Vec<(Duration, Duration)> {
        self.scenario
            .failures
            .iter()
            .filter(|f| f.server == server)
            .map(|f| {
                let end = f.back_after.map_or(Duration::MAX, |b| f.at + b);
                (f.at, end)
            })
            .collect()
    }

    /// Detection delays and false alarms of every detector.
    pub fn detector_outcomes(&self) -> Vec<DetectorOutcome> {
        let end = self.scenario.duration;
        self.detectors
            .iter()
            .map(|name| {
                let detections = self
                    .scenario
                    .failures
                    .iter()
                    .filter(|f| f.kind == FailureKind::Crash)
                    .map(|f| {
                        let found = self.events.iter().find_map(|e| match &e.kind {
                            EventKind::DeclaredDead {
                                server, detector, ..
                            } if *server == f.server && detector == name && e.at >= f.at => {
                                Some(e.at - f.at)
                            }
                            _ => None,
                        });
                        (f.server, found)
                    })
                    .collect();
                let mut false_alarms = 0;
                let mut false_dead_time = Duration::ZERO;
                for server in 1..=self.scenario.servers {
                    let down = self.down_periods(server);
                    let running = |t: Duration| !down.iter().any(|&(a, b)| t >= a && t < b);
                    let mut dead_since: Option<Duration> = None;
                    for e in &self.events {
                        match &e.kind {
                            EventKind::DeclaredDead {
                                server: s,
                                detector,
                                ..
                            } if *s == server && detector == name && running(e.at) => {
                                false_alarms += 1;
                                dead_since = Some(e.at);
                            }
                            EventKind::DeclaredAlive {
                                server: s,
                                detector,
                                ..
                            } if *s == server && detector == name => {
                                if let Some(since) = dead_since.take() {
                                    false_dead_time += e.at - since;
                                }
                            }
                            _ => {}
                        }
                    }
                    if let Some(since) = dead_since {
                        false_dead_time += end.saturating_sub(since);
                    }
                }
                DetectorOutcome {
                    detector: name.clone(),
                    detections,
                    false_alarms,
                    false_dead_time,
                }
            })
            .collect()
    }

    /// Requests per server in consecutive windows of `window`: rows of
    /// (window start, answered per server `1..=servers`, failed or timed out, unroutable).
    pub fn traffic(&self, window: Duration) -> Vec<(Duration, Vec<u32>, u32, u32)> {
        let window = window.max(Duration::from_millis(1));
        let n = self.scenario.servers as usize;
        let mut rows: Vec<(Duration, Vec<u32>, u32, u32)> = Vec::new();
        let count = self
            .scenario
            .duration
            .as_nanos()
            .div_ceil(window.as_nanos()) as usize;
        for i in 0..count {
            rows.push((window * i as u32, vec![0; n], 0, 0));
        }
        for e in &self.events {
            if let EventKind::Request { server, outcome } = e.kind {
                let i = (e.at.as_nanos() / window.as_nanos()) as usize;
                let Some(row) = rows.get_mut(i) else { continue };
                match (server, outcome) {
                    (Some(s), RequestOutcome::Ok) => {
                        if let Some(c) = row.1.get_mut(s as usize - 1) {
                            *c += 1;
                        }
                    }
                    (_, RequestOutcome::NoServer) => row.3 += 1,
                    _ => row.2 += 1,
                }
            }
        }
        rows
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::ServerStarted {
                server,
                incarnation,
            } => write!(f, "server {server} started (incarnation {incarnation})"),
            EventKind::FailureInjected { server, kind } => {
                write!(f, "INJECT server {server}: {kind}")
            }
            EventKind::PauseStarted { server, length } => {
                write!(f, "INJECT server {server}: pause for {}", secs(*length))
            }
            EventKind::PauseEnded { server } => write!(f, "server {server} resumes"),
            EventKind::SickChanged { server, sick } => write!(
                f,
                "INJECT server {server}: memory {}",
                if *sick {
                    "over limit"
                } else {
                    "back to normal"
                }
            ),
            EventKind::LeaveNoticed { server } => {
                write!(f, "balancer: goodbye from server {server}, dropped at once")
            }
            EventKind::DeclaredDead {
                server,
                detector,
                silence,
                routing,
            } => write!(
                f,
                "{detector}: server {server} DEAD after {} silent{}",
                secs(*silence),
                if *routing { " (routing)" } else { "" }
            ),
            EventKind::DeclaredAlive {
                server,
                detector,
                routing,
            } => write!(
                f,
                "{detector}: server {server} alive{}",
                if *routing { " (routing)" } else { "" }
            ),
            EventKind::Rejoined {
                server,
                incarnation,
            } => write!(
                f,
                "balancer: server {server} is back (incarnation {incarnation})"
            ),
            EventKind::HealthChecked { server, status, .. } => {
                write!(f, "balancer: GET /health on server {server}: {status}")
            }
            EventKind::Request { server, outcome } => match server {
                Some(s) => write!(f, "request -> server {s}: {outcome:?}"),
                None => write!(f, "request: no server to route to"),
            },
            EventKind::BadPacket { detail } => write!(f, "ignored: {detail}"),
        }
    }
}

/// `12.345s`: fixed-width text for logs.
pub fn clock(d: Duration) -> String {
    format!("{:>3}.{:03}s", d.as_secs(), d.subsec_millis())
}
