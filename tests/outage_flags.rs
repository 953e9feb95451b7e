//! The `outage` example's flags: minutes and seconds out of range are usage errors naming
//! the flag and its range (a huge `--close-min` used to overflow a `Duration` and panic).

#[test]
fn outage_flags_out_of_range_are_usage_errors() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["--timeout-s", "0"],
            "--timeout-s <TIMEOUT_S>': 0 is not in 1..=3600",
        ),
        (
            &["--timeout-s", "18446744073709551615"],
            "is not in 1..=3600",
        ),
        (
            &["--close-min", "18446744073709551615"],
            "--close-min <CLOSE_MIN>': 18446744073709551615 is not in 0..=10080",
        ),
        (
            &["--work-min", "10081"],
            "--work-min <WORK_MIN>': 10081 is not in 0..=10080",
        ),
    ];
    for (args, needle) in cases {
        let out = kit::programs::run_example("workbook", "outage", args, "").expect("cargo run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
        assert!(!err.contains("panicked") && out.stdout.is_empty(), "{err}");
    }
    // the longest script still runs: a week to fix, a week to close
    let out = kit::programs::run_example(
        "workbook",
        "outage",
        &["--fix-min", "10080", "--close-min", "10080"],
        "",
    )
    .expect("cargo run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
