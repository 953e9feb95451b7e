//! The cluster in virtual time: real sockets on 127.0.0.1, tokio's paused clock.

use std::time::Duration;

use heartbeat::{
    EventKind, FailureKind, HeartbeatError, RequestOutcome, Scenario, ScenarioReport, Window,
    run_virtual,
};

fn s(x: f64) -> Duration {
    Duration::from_secs_f64(x)
}

fn requests(r: &ScenarioReport) -> Vec<(Duration, Option<u32>, RequestOutcome)> {
    r.events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Request { server, outcome } => Some((e.at, server, outcome)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_seeds_cluster_a_crash_found_after_ten_silent_seconds() {
    let r = run_virtual(&Scenario::default()).expect("runs");
    // Server 2 beats at 1, 4, …, 19 (staggered by a third of an interval) and
    // crashes at 20: the 10 s timeout fires at 29 s, the balancer routes by it.
    assert_eq!(r.first_declared_dead(2), Some(s(29.0)));
    assert_eq!(r.first_declared_dead_by(2, "fixed 10s"), Some(s(29.0)));
    assert_eq!(r.first_removed(2), Some(s(29.0)));
    for other in [1, 3] {
        assert_eq!(r.first_declared_dead(other), None);
        assert_eq!(r.first_declared_dead_by(other, "phi 8"), None);
    }
    // φ, with its interval learned, notices sooner.
    assert!(r.first_declared_dead_by(2, "phi 8").unwrap() < s(29.0));
    assert!(r.events.iter().any(|e| e.at == s(20.0)
        && e.kind
            == EventKind::FailureInjected {
                server: 2,
                kind: FailureKind::Crash
            }));
    let reqs = requests(&r);
    assert!(reqs.len() >= 80, "{} requests", reqs.len());
    for (at, server, outcome) in &reqs {
        if *server == Some(2) {
            if *at < s(20.0) {
                assert_eq!(*outcome, RequestOutcome::Ok, "at {at:?}");
            } else {
                assert!(*at < s(29.0), "routed to a dead server at {at:?}");
                assert_eq!(*outcome, RequestOutcome::Failed, "at {at:?}");
            }
        } else {
            assert_eq!(*outcome, RequestOutcome::Ok, "{server:?} at {at:?}");
        }
    }
    // Traffic moved: after the verdict, servers 1 and 3 share every request.
    let late: Vec<_> = reqs.iter().filter(|r| r.0 > s(30.0)).collect();
    assert!(late.iter().all(|r| r.1 == Some(1) || r.1 == Some(3)));
    assert!(late.iter().any(|r| r.1 == Some(1)) && late.iter().any(|r| r.1 == Some(3)));
    // Events are chronological.
    assert!(r.events.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn virtual_time_is_deterministic() {
    let noisy = Scenario {
        duration: s(60.0),
        ..Scenario::noisy()
    };
    let a = run_virtual(&noisy).unwrap();
    let b = run_virtual(&noisy).unwrap();
    assert_eq!(a.events, b.events);
    assert_eq!(a.heartbeats, b.heartbeats);
    let c = run_virtual(&Scenario { seed: 99, ..noisy }).unwrap();
    assert_ne!(
        a.heartbeats, c.heartbeats,
        "the seed drives jitter and loss"
    );
}

#[test]
fn graceful_shutdown_drops_the_server_at_once() {
    let scenario = Scenario {
        failures: vec!["2:graceful@20".parse().unwrap()],
        ..Scenario::default()
    };
    let r = run_virtual(&scenario).unwrap();
    assert_eq!(r.first_removed(2), Some(s(20.0)));
    assert_eq!(r.first_declared_dead(2), None);
    assert!(
        !r.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::DeclaredDead { .. })),
        "no detector waits for a server that said goodbye"
    );
    assert!(
        requests(&r)
            .iter()
            .all(|(_, _, o)| *o == RequestOutcome::Ok)
    );
}

#[test]
fn a_restarted_server_gets_traffic_again() {
    let scenario = Scenario {
        failures: vec!["2:crash@20+15".parse().unwrap()],
        duration: s(60.0),
        ..Scenario::default()
    };
    let r = run_virtual(&scenario).unwrap();
    let back = r
        .events
        .iter()
        .find(|e| {
            e.kind
                == EventKind::Rejoined {
                    server: 2,
                    incarnation: 2,
                }
        })
        .expect("rejoined")
        .at;
    assert_eq!(back, s(35.0));
    assert!(
        requests(&r)
            .iter()
            .any(|(at, sv, o)| *at > back && *sv == Some(2) && *o == RequestOutcome::Ok)
    );
    assert_eq!(r.detector_outcomes()[0].detections, vec![(2, Some(s(9.0)))]);
}

#[test]
fn a_long_pause_is_a_false_alarm_for_a_tight_timeout() {
    let scenario = Scenario {
        failures: Vec::new(),
        pauses: vec![Window {
            server: 1,
            at: s(20.0),
            length: s(9.0),
        }],
        timeout: s(6.0),
        ..Scenario::default()
    };
    let r = run_virtual(&scenario).unwrap();
    let dead = r.first_declared_dead(1).expect("flagged");
    assert!(dead > s(20.0) && dead < s(29.0), "{dead:?}");
    let outcomes = r.detector_outcomes();
    assert_eq!(outcomes[0].detector, "fixed 6s");
    assert_eq!(outcomes[0].false_alarms, 1);
    // Requests sent to the frozen server time out rather than fail fast.
    assert!(
        requests(&r)
            .iter()
            .any(|(at, sv, o)| *sv == Some(1) && *at > s(20.0) && *o == RequestOutcome::TimedOut)
    );
}

#[test]
fn a_sick_server_answers_503_and_gets_no_traffic() {
    let scenario = Scenario {
        failures: Vec::new(),
        sick: vec![Window::parse("sick", "3@10+12").unwrap()],
        ..Scenario::default()
    };
    let r = run_virtual(&scenario).unwrap();
    let checks: Vec<(Duration, u16, String)> = r
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::HealthChecked {
                server: 3,
                status,
                detail,
            } => Some((e.at, *status, detail.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(checks.len(), 2, "{checks:?}");
    assert_eq!(checks[0].1, 503);
    assert!(checks[0].2.contains("\"memory_mb\":640"), "{}", checks[0].2);
    assert_eq!(checks[1].1, 200);
    let (from, to) = (checks[0].0, checks[1].0);
    assert!(
        requests(&r)
            .iter()
            .all(|(at, sv, _)| !(*sv == Some(3) && *at > from && *at < to))
    );
    // Sick is not dead.
    assert_eq!(r.first_declared_dead(3), None);
}

#[test]
fn rogue_packets_are_counted_not_believed() {
    let scenario = Scenario {
        rogue_at: Some(s(5.0)),
        ..Scenario::default()
    };
    let r = run_virtual(&scenario).unwrap();
    assert_eq!(
        (r.input.malformed, r.input.unknown_server, r.input.stale),
        (4, 1, 2)
    );
    assert_eq!(r.first_declared_dead(1), None);
    assert_eq!(r.first_declared_dead(2), Some(s(29.0)));
}

#[test]
fn impossible_scenarios_are_refused_before_any_socket() {
    let bad = [
        Scenario {
            servers: 0,
            ..Scenario::default()
        },
        Scenario {
            jitter: s(3.0),
            ..Scenario::default()
        },
        Scenario {
            loss: 1.0,
            ..Scenario::default()
        },
        Scenario {
            failures: vec!["7:crash@1".parse().unwrap()],
            ..Scenario::default()
        },
        Scenario {
            route_by: 9,
            ..Scenario::default()
        },
    ];
    for scenario in bad {
        assert!(matches!(
            run_virtual(&scenario),
            Err(HeartbeatError::Scenario(_))
        ));
    }
}

#[test]
fn run_virtual_inside_a_runtime_is_an_error_not_a_panic() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let r = rt.block_on(async { run_virtual(&Scenario::default()) });
    assert!(matches!(r, Err(HeartbeatError::NestedRuntime)));
}

#[test]
fn the_phi_plot_is_one_svg() {
    let r = run_virtual(&Scenario::noisy()).unwrap();
    let svg = heartbeat::plot::phi_svg(&[("noisy <b>&", &r)], 1);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<svg").count(), 1);
    assert!(svg.contains("<polyline"));
    // A label is text, never markup.
    assert!(
        svg.contains("noisy &lt;b&gt;&amp;") && !svg.contains("<b>"),
        "{svg}"
    );
}

#[test]
fn a_timeout_equal_to_a_tracked_detector_is_run_once() {
    // `--noisy --timeout 6`: the noisy scenario already tracks `fixed 6s`.
    let noisy = Scenario {
        timeout: s(6.0),
        duration: s(80.0),
        ..Scenario::noisy()
    };
    let names: Vec<String> = noisy
        .detector_specs()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(names, ["fixed 6s", "haproxy 2s/3/2", "phi 8", "phi 12"]);
    let r = run_virtual(&noisy).unwrap();
    assert_eq!(r.routing_detector(), "fixed 6s");
    let verdicts: Vec<_> = r
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::DeclaredDead { .. }))
        .collect();
    assert!(!verdicts.is_empty());
    for w in verdicts.windows(2) {
        let same = match (&w[0].kind, &w[1].kind) {
            (
                EventKind::DeclaredDead {
                    server: a,
                    detector: da,
                    ..
                },
                EventKind::DeclaredDead {
                    server: b,
                    detector: db,
                    ..
                },
            ) => w[0].at == w[1].at && a == b && da == db,
            _ => false,
        };
        assert!(!same, "a verdict logged twice: {:?}", w[0]);
    }
}

/// The page's live-class run (`--realtime --duration 20 --fail 2:crash@6+11`): every
/// detector's verdict on server 2 comes well before its restart, so on the wall clock
/// the class sees the same story. (A restart at the instant a detector fires is a race
/// between the new heartbeat and the deadline, decided by microseconds.)
#[test]
fn the_live_class_crash_is_declared_dead_well_before_the_restart() {
    let live = Scenario {
        duration: s(20.0),
        failures: vec![heartbeat::Failure {
            server: 2,
            kind: FailureKind::Crash,
            at: s(6.0),
            back_after: Some(s(11.0)),
        }],
        ..Scenario::default()
    };
    let r = run_virtual(&live).unwrap();
    let restart = s(17.0);
    for name in r.detectors.clone() {
        let dead = r
            .first_declared_dead_by(2, &name)
            .unwrap_or_else(|| panic!("{name} never declared server 2 dead"));
        assert!(
            dead + s(1.0) <= restart,
            "{name} fired at {dead:?}, within a second of the restart"
        );
    }
    assert!(r.events.iter().any(|e| e.at == restart
        && e.kind
            == EventKind::Rejoined {
                server: 2,
                incarnation: 2
            }));
}
