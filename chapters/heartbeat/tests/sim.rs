//! The socket-free simulation against the tokio cluster: the same heartbeats, the same
//! verdicts, for the page's scenarios and a spread of seeds.

use std::time::Duration;

use heartbeat::{EventKind, Scenario, ScenarioReport, Window, run_virtual, simulate};

/// The heartbeat side of a log: what both runs must agree on.
fn heartbeat_side(r: &ScenarioReport) -> Vec<String> {
    r.events
        .iter()
        .filter(|e| {
            !matches!(
                e.kind,
                EventKind::Request { .. } | EventKind::HealthChecked { .. }
            )
        })
        .map(|e| format!("{:?} {}", e.at, e.kind))
        .collect()
}

fn same(scenario: &Scenario) {
    let cluster = run_virtual(scenario).unwrap();
    let sim = simulate(scenario).unwrap();
    assert_eq!(sim.heartbeats, cluster.heartbeats, "{scenario:?}");
    let (a, b) = (heartbeat_side(&sim), heartbeat_side(&cluster));
    assert_eq!(a, b, "{scenario:?}");
    assert_eq!(sim.input, cluster.input);
    assert_eq!(sim.detectors, cluster.detectors);
}

#[test]
fn the_pages_scenarios_give_the_clusters_heartbeats_and_verdicts() {
    same(&Scenario::default());
    same(&Scenario::noisy());
    same(&Scenario::tour());
}

#[test]
fn noisy_networks_over_many_seeds_agree() {
    for seed in 1..=12 {
        same(&Scenario {
            seed,
            ..Scenario::noisy()
        });
        same(&Scenario {
            seed,
            jitter: Duration::from_millis(200),
            loss: 0.0,
            pauses: vec![Window {
                server: 1,
                at: Duration::from_millis(40_000 + seed * 250),
                length: Duration::from_secs(8),
            }],
            ..Scenario::noisy()
        });
    }
}

#[test]
fn restarts_goodbyes_sickness_and_odd_phases_agree() {
    use heartbeat::{Failure, FailureKind};
    let ms = Duration::from_millis;
    // The page's five-server run: a crash with a restart, a pause, loss.
    same(&Scenario {
        servers: 5,
        interval: ms(1000),
        timeout: ms(4000),
        jitter: ms(300),
        loss: 0.1,
        failures: vec![Failure {
            server: 3,
            kind: FailureKind::Crash,
            at: ms(20_000),
            back_after: Some(ms(10_000)),
        }],
        pauses: vec![Window {
            server: 1,
            at: ms(12_000),
            length: ms(5000),
        }],
        seed: 7,
        ..Scenario::default()
    });
    // Seven servers (first beats at fractions of a millisecond), a graceful leave
    // during jitter, sickness, a rogue burst, instants off the millisecond grid.
    for seed in [1, 2, 3] {
        same(&Scenario {
            servers: 7,
            interval: ms(2500),
            jitter: ms(700),
            loss: 0.08,
            seed,
            failures: vec![
                Failure {
                    server: 4,
                    kind: FailureKind::Graceful,
                    at: Duration::from_micros(17_300_400),
                    back_after: Some(Duration::from_micros(6_100_250)),
                },
                Failure {
                    server: 6,
                    kind: FailureKind::Crash,
                    at: Duration::from_micros(31_000_700),
                    back_after: None,
                },
            ],
            sick: vec![Window {
                server: 2,
                at: ms(9_000),
                length: ms(7_500),
            }],
            pauses: vec![Window {
                server: 5,
                at: Duration::from_micros(22_222_222),
                length: ms(6_000),
            }],
            rogue_at: Some(ms(5_000)),
            duration: ms(60_000),
            ..Scenario::default()
        });
    }
}
