//! The programs' scenario flags: a table of bad inputs, each refused with the flag's
//! name, never a panic; and good ones that reach the scenario.

use std::time::Duration;

use clap::Parser;
use heartbeat::{FailureKind, ScenarioArgs};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    scenario: ScenarioArgs,
}

fn build(args: &[&str]) -> Result<heartbeat::Scenario, String> {
    let cli = Cli::try_parse_from(std::iter::once("cluster").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    cli.scenario.to_scenario().map_err(|e| e.to_string())
}

#[test]
fn bad_flags_are_refused_with_their_name() {
    let table: &[(&[&str], &str)] = &[
        (&["--servers", "0"], "--servers"),
        (&["--servers=-3"], "--servers"),
        (&["--servers", "100"], "--servers"),
        (&["--interval", "fast"], "--interval"),
        (&["--interval", "0"], "--interval"),
        (&["--interval=-1s"], "--interval"),
        (&["--interval", "NaN"], "--interval"),
        (&["--timeout", "1e400"], "--timeout"),
        (&["--duration", "0"], "--duration"),
        (&["--duration", "2h"], "--duration"),
        (&["--fail", "2"], "--fail"),
        (&["--fail", "2:explode@20"], "--fail"),
        (&["--fail", "x:crash@20"], "--fail"),
        (&["--fail", "5:crash@20"], "--fail"),
        (
            &["--fail", "2:crash@20", "--fail", "2:graceful@30"],
            "--fail",
        ),
        (&["--fail", "2:crash@20+"], "--fail"),
        (&["--pause", "1@30"], "--pause"),
        (&["--pause", "4@30+8"], "--pause"),
        (&["--sick", "1+3@4"], "--sick"),
        (&["--jitter", "3s"], "--jitter"),
        (&["--loss", "1.5"], "--loss"),
        (&["--loss=-0.1"], "--loss"),
        (&["--route-by", "magic"], "--route-by"),
        (&["--rogue-at", "soon"], "--rogue-at"),
        (&["--seed", "x"], "--seed"),
    ];
    for (args, flag) in table {
        let err = build(args).expect_err(&format!("{args:?} accepted"));
        assert!(err.contains(flag), "{args:?}: `{err}` does not name {flag}");
    }
}

#[test]
fn good_flags_reach_the_scenario() {
    let s = build(&[
        "--servers",
        "5",
        "--interval",
        "500ms",
        "--timeout",
        "2.5s",
        "--fail",
        "4:graceful@12+3",
        "--pause",
        "1@3+2",
        "--jitter",
        "100ms",
        "--loss",
        "0.1",
        "--route-by",
        "phi",
    ])
    .unwrap();
    assert_eq!(s.servers, 5);
    assert_eq!(s.interval, Duration::from_millis(500));
    assert_eq!(s.timeout, Duration::from_millis(2500));
    assert_eq!(s.failures[0].kind, FailureKind::Graceful);
    assert_eq!(s.failures[0].back_after, Some(Duration::from_secs(3)));
    assert_eq!(s.pauses[0].length, Duration::from_secs(2));
    assert_eq!(s.detector_specs()[s.route_by].to_string(), "phi 8");
    assert!(build(&["--fail", "none"]).unwrap().failures.is_empty());
    let tour = build(&["--tour"]).unwrap();
    assert_eq!(
        build(&[
            "--rogue-at",
            "5",
            "--sick",
            "1@12+6",
            "--fail",
            "2:graceful@20+10",
            "--pause",
            "3@30+8"
        ])
        .unwrap(),
        tour
    );
    assert!(build(&["--tour", "--noisy"]).is_err());
    assert_eq!(
        build(&["--route-by", "phi12"]).unwrap().route_by,
        3,
        "fixed, haproxy, phi 8, phi 12"
    );
}

/// The examples' own flags, through the real programs: out of range is a usage error (exit 2)
/// naming the flag and its range — not a hang (`--seeds 18446744073709551615` used to run
/// for ever), not a panic, not a message naming another flag.
#[test]
fn example_flags_out_of_range_are_usage_errors() {
    let cases: [(&str, &[&str], &str); 7] = [
        (
            "compare",
            &["--seeds", "18446744073709551615"],
            "--seeds <SEEDS>': 18446744073709551615 is not in 1..=200",
        ),
        (
            "compare",
            &["--noisy-loss", "2"],
            "--noisy-loss <NOISY_LOSS>': 2 is outside 0..=0.99",
        ),
        (
            "compare",
            &["--pause=-1"],
            "--pause <PAUSE>': -1 is outside 0..=600",
        ),
        (
            "compare",
            &["--quiet-jitter", "NaN"],
            "--quiet-jitter <QUIET_JITTER>': NaN is outside 0..=60",
        ),
        (
            "detectors",
            &["--beats", "4294967295"],
            "--beats <BEATS>': 4294967295 is not in 2..=1000000",
        ),
        (
            "detectors",
            &["--jitter", "0.5"],
            "--jitter <JITTER>': 0.5 is outside 0..=0.49",
        ),
        (
            "cluster",
            &["--window", "0"],
            "--window <WINDOW>': 0 is not in 1..=3600",
        ),
    ];
    for (name, args, needle) in cases {
        let out = kit::programs::run_example("heartbeat", name, args, "").expect("cargo run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(
            err.contains(needle),
            "{name} {args:?}: {err:?} lacks {needle:?}"
        );
        assert!(!err.contains("panicked") && out.stdout.is_empty(), "{err}");
    }
}
