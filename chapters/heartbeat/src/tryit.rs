//! The page's Try it block: the noisy cluster's heartbeats, your network and your
//! thresholds, every detector judging the same arrivals on the virtual clock.
//!
//! It runs [`crate::sim::simulate`] (the cluster's senders and the balancer's
//! [`crate::Monitor`] without sockets, so it also runs as wasm32 in the reader's browser;
//! see [`kit::tryit`]) and scores the run with [`crate::compare::tally`], the same
//! scoring as the page's comparison table. `cargo run -p heartbeat --example try_it --
//! --help` lists the same knobs.

use std::fmt::Write as _;
use std::time::Duration;

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};

use crate::compare::{DetectorRow, tally};
use crate::detector::{DetectorSpec, secs};
use crate::error::ScenarioError;
use crate::scenario::{EventKind, Failure, FailureKind, Scenario, ScenarioReport, Window, clock};
use crate::sim::simulate;

/// The server that freezes.
const PAUSED: u32 = 1;
/// The server that crashes.
const CRASHED: u32 = 2;
/// Log lines shown before "… more".
const LOG_LINES: usize = 16;

/// Day 3's engine for the page: knobs `interval`, `jitter`, `loss`, `pause`, `pause-at`,
/// `crash-at`, `timeout`, `fall`, `phi`, `seed`, `duration`.
pub const ENGINE: Engine = Engine {
    chapter: "heartbeat",
    title: "three servers beat over a network you set; server 1 freezes, server 2 crashes. Set each detector's threshold and see when it gave up on whom.",
    knobs: &[
        Knob {
            name: "interval",
            label: "interval, s",
            help: "time between heartbeats, seconds",
            kind: Kind::Float {
                min: 0.1,
                max: 10.0,
                step: 0.1,
            },
            default: "3",
        },
        Knob {
            name: "jitter",
            label: "jitter, s",
            help: "each heartbeat is delayed by a random 0..jitter seconds (less than the interval)",
            kind: Kind::Float {
                min: 0.0,
                max: 9.9,
                step: 0.1,
            },
            default: "1.5",
        },
        Knob {
            name: "loss",
            label: "loss",
            help: "probability that a heartbeat is lost",
            kind: Kind::Float {
                min: 0.0,
                max: 0.9,
                step: 0.01,
            },
            default: "0.05",
        },
        Knob {
            name: "pause",
            label: "pause, s",
            help: "how long server 1 freezes (a GC pause: no heartbeats); 0 = no pause",
            kind: Kind::Float {
                min: 0.0,
                max: 120.0,
                step: 0.5,
            },
            default: "8",
        },
        Knob {
            name: "pause-at",
            label: "pause at, s",
            help: "when server 1 freezes, seconds from the start",
            kind: Kind::Float {
                min: 0.0,
                max: 600.0,
                step: 1.0,
            },
            default: "40",
        },
        Knob {
            name: "crash-at",
            label: "crash at, s",
            help: "when server 2 crashes, seconds from the start; 0 = no crash",
            kind: Kind::Float {
                min: 0.0,
                max: 600.0,
                step: 1.0,
            },
            default: "70",
        },
        Knob {
            name: "timeout",
            label: "fixed timeout, s",
            help: "the fixed-timeout detector: dead after this much silence (the seed's 10 s)",
            kind: Kind::Float {
                min: 0.1,
                max: 120.0,
                step: 0.5,
            },
            default: "10",
        },
        Knob {
            name: "fall",
            label: "haproxy fall",
            help: "the HAProxy rule (a check every 2 s, rise 2): failed checks in a row that take a server down",
            kind: Kind::Int { min: 1, max: 20 },
            default: "3",
        },
        Knob {
            name: "phi",
            label: "φ threshold",
            help: "the φ accrual detector suspects a server once φ reaches this (Akka: 8; 12 on noisy clouds)",
            kind: Kind::Float {
                min: 0.5,
                max: 30.0,
                step: 0.5,
            },
            default: "8",
        },
        Knob {
            name: "seed",
            label: "seed",
            help: "seed of the jitter and loss",
            kind: Kind::Int {
                min: 0,
                max: 4_294_967_295,
            },
            default: "3",
        },
        Knob {
            name: "duration",
            label: "duration, s",
            help: "how long the run lasts on the virtual clock, seconds",
            kind: Kind::Int { min: 10, max: 600 },
            default: "100",
        },
    ],
    run,
};

fn seconds(v: &Values, knob: &str) -> Result<Duration, TryItError> {
    let x = v.float(knob)?;
    Duration::try_from_secs_f64(x).map_err(|e| TryItError::Knob {
        knob: knob.to_string(),
        message: format!("{x} is not a duration: {e}"),
    })
}

/// A scenario refusal, named by the knob the reader turned.
fn knob_error(e: ScenarioError) -> TryItError {
    match e {
        ScenarioError::Invalid { knob, reason } => TryItError::Knob {
            knob: knob.to_string(),
            message: reason,
        },
        other => TryItError::engine(other),
    }
}

/// The scenario the knobs describe.
fn scenario(v: &Values) -> Result<Scenario, TryItError> {
    let pause = seconds(v, "pause")?;
    let crash_at = seconds(v, "crash-at")?;
    let interval = seconds(v, "interval")?;
    let s = Scenario {
        interval,
        jitter: seconds(v, "jitter")?,
        loss: v.float("loss")?,
        timeout: seconds(v, "timeout")?,
        extra_detectors: vec![
            DetectorSpec::Haproxy {
                inter: Duration::from_secs(2),
                fall: u32::try_from(v.int("fall")?).unwrap_or(1),
                rise: 2,
            },
            DetectorSpec::Phi(v.float("phi")?),
        ],
        seed: u64::try_from(v.int("seed")?).unwrap_or(0),
        duration: Duration::from_secs(u64::try_from(v.int("duration")?).unwrap_or(10)),
        pauses: if pause.is_zero() {
            Vec::new()
        } else {
            vec![Window {
                server: PAUSED,
                at: seconds(v, "pause-at")?,
                length: pause,
            }]
        },
        failures: if crash_at.is_zero() {
            Vec::new()
        } else {
            vec![Failure {
                server: CRASHED,
                kind: FailureKind::Crash,
                at: crash_at,
                back_after: None,
            }]
        },
        ..Scenario::default()
    };
    s.validate().map_err(knob_error)?;
    Ok(s)
}

fn run(v: &Values) -> Result<String, TryItError> {
    let s = scenario(v)?;
    let report = simulate(&s).map_err(knob_error)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} servers beat every {}; each beat is delayed 0..{} at random, {:.0} % are lost (seed {}).",
        s.servers,
        secs(s.interval),
        secs(s.jitter),
        s.loss * 100.0,
        s.seed
    );
    let pause = s.pauses.first().map_or("No pause".to_string(), |w| {
        format!(
            "Server {PAUSED} freezes for {} at {}",
            secs(w.length),
            secs(w.at)
        )
    });
    let crash = s.failures.first().map_or("no crash".to_string(), |f| {
        format!("server {CRASHED} crashes at {}", secs(f.at))
    });
    let _ = writeln!(
        out,
        "{pause}; {crash}.\n{} heartbeats arrived in {} of virtual time.\n",
        report.heartbeats.len(),
        secs(s.duration)
    );
    out += &detector_table(&report);
    out += "\n\n";
    out += &verdict_log(&report);
    Ok(out)
}

/// One row per detector: crash detection, the pause, false alarms, time wrongly dead.
fn detector_table(report: &ScenarioReport) -> String {
    let mut rows: Vec<DetectorRow> = Vec::new();
    tally(&mut rows, report);
    let outcomes = report.detector_outcomes();
    let crash = report.scenario.failures.first();
    let pause = report.scenario.pauses.first();
    let mut table = Vec::new();
    for (row, outcome) in rows.iter().zip(&outcomes) {
        let detected = match (crash, row.detection.first().copied().flatten()) {
            (None, _) => "-".to_string(),
            (Some(f), Some(after)) => format!(
                "{} (+{:.1}s)",
                clock(f.at + after).trim(),
                after.as_secs_f64()
            ),
            (Some(_), None) => "not in the run".to_string(),
        };
        let paused = match pause {
            None => "-".to_string(),
            Some(w) if row.pauses_flagged > 0 => report
                .events
                .iter()
                .find_map(|e| match &e.kind {
                    EventKind::DeclaredDead {
                        server, detector, ..
                    } if *server == PAUSED && *detector == row.detector && e.at >= w.at => {
                        Some(format!("DEAD at {}", clock(e.at).trim()))
                    }
                    _ => None,
                })
                .unwrap_or_else(|| "DEAD".to_string()),
            Some(_) => "ridden out".to_string(),
        };
        table.push(vec![
            row.detector.clone(),
            detected,
            paused,
            row.false_alarms.to_string(),
            format!("{:.1}s", outcome.false_dead_time.as_secs_f64()),
        ]);
    }
    kit::table::render(
        &[
            "detector",
            "crash declared",
            "pause",
            "false alarms",
            "wrongly dead for",
        ],
        &table,
    )
}

/// The injections and verdicts, in order, on the virtual clock.
fn verdict_log(report: &ScenarioReport) -> String {
    let lines: Vec<String> = report
        .events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::ServerStarted { incarnation: 1, .. }))
        .map(|e| {
            // Which detector routes traffic does not matter here: all are only watching.
            let text = e.kind.to_string().replace(" (routing)", "");
            format!("{}  {text}", clock(e.at))
        })
        .collect();
    let mut out = String::from("Injections and verdicts, on the virtual clock:\n");
    for l in lines.iter().take(LOG_LINES) {
        out += l;
        out.push('\n');
    }
    if lines.len() > LOG_LINES {
        let _ = writeln!(out, "… and {} more", lines.len() - LOG_LINES);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ENGINE;

    fn row<'a>(out: &'a str, detector: &str) -> Vec<&'a str> {
        out.lines()
            .find(|l| l.contains(detector))
            .unwrap_or_else(|| panic!("no {detector} row in\n{out}"))
            .split('|')
            .map(str::trim)
            .collect()
    }

    #[test]
    fn defaults_run_and_every_detector_finds_the_crash() {
        let out = ENGINE.run_defaults().unwrap();
        for d in ["fixed 10s", "haproxy 2s/3/2", "phi 8"] {
            let cells = row(&out, d);
            assert!(cells[2].contains("(+"), "{d}: {cells:?}\n{out}");
        }
        assert!(out.contains("INJECT server 2: crash"), "{out}");
    }

    #[test]
    fn a_tighter_timeout_on_a_noisy_network_raises_false_alarms() {
        let relaxed = ENGINE.run_query("timeout=10").unwrap();
        let tight = ENGINE.run_query("timeout=4").unwrap();
        assert_eq!(row(&relaxed, "fixed 10s")[4], "0", "{relaxed}");
        let alarms: u32 = row(&tight, "fixed 4s")[4].parse().unwrap();
        assert!(alarms > 0, "{tight}");
        // and it notices the crash sooner
        let after = |out: &str, d: &str| -> f64 {
            let cell = row(out, d)[2].to_string();
            let plus = cell.split("(+").nth(1).unwrap().trim_end_matches("s)");
            plus.parse().unwrap()
        };
        assert!(after(&tight, "fixed 4s") < after(&relaxed, "fixed 10s"));
    }

    #[test]
    fn a_long_pause_is_declared_dead_and_a_short_one_is_ridden_out() {
        let short = ENGINE.run_query("pause=1&jitter=0&loss=0").unwrap();
        let long = ENGINE.run_query("pause=20&jitter=0&loss=0").unwrap();
        for d in ["fixed 10s", "haproxy 2s/3/2", "phi 8"] {
            assert_eq!(row(&short, d)[3], "ridden out", "{short}");
            assert!(row(&long, d)[3].starts_with("DEAD at"), "{long}");
        }
    }

    #[test]
    fn bad_knobs_are_named() {
        let err = ENGINE.run_query("interval=1&jitter=2").unwrap_err();
        assert!(err.to_string().contains("knob `jitter`"), "{err}");
        let err = ENGINE.run_query("loss=abc").unwrap_err();
        assert!(err.to_string().contains("knob `loss`"), "{err}");
        let err = ENGINE.run_query("fall=0").unwrap_err();
        assert!(err.to_string().contains("knob `fall`"), "{err}");
    }

    #[test]
    fn the_same_knobs_print_the_same_text() {
        let q = "seed=11&loss=0.2&jitter=2";
        assert_eq!(ENGINE.run_query(q).unwrap(), ENGINE.run_query(q).unwrap());
    }
}
