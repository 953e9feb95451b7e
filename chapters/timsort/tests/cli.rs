//! The chapter's programs as a user runs them: good input gives the documented output,
//! bad input a clear error and exit code 2 — never a panic.

use std::process::Output;

use kit::programs::run_example;

fn example(name: &str, args: &[&str], stdin: &str) -> Output {
    run_example("timsort", name, args, stdin).expect("cargo run")
}

#[test]
fn count_prints_one_json_object() {
    let out = example(
        "count",
        &["--policy", "powersort"],
        "5 3 9 1\n2 8 7 6 4 0\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["n"], 10);
    assert_eq!(v["policy"], "powersort");
    assert_eq!(v["runs"], 1, "n < 64 is one binary-insertion run");
    assert_eq!(v["merges"], 0);
    assert!(
        v["comparisons"]
            .as_u64()
            .is_some_and(|c| (9..=45).contains(&c))
    );
    let empty = example("count", &[], "");
    assert!(empty.status.success());
    let v: serde_json::Value = serde_json::from_slice(&empty.stdout).expect("JSON");
    assert_eq!(
        (v["n"].as_u64(), v["comparisons"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn bad_input_is_named_with_its_position_and_exits_2() {
    let cases: [(&[&str], &str, &str); 5] = [
        (&[], "1 2 x3\n", "token 3 at line 1, column 5"),
        (&[], "1\n2.5\n", "token 2 at line 2, column 1"),
        (&[], "99999999999999999999", "is not a 64-bit integer"),
        (&[], "\u{0}\u{1}", "token 1"),
        (&["--policy", "quick"], "1", "quick"),
    ];
    for (args, input, needle) in cases {
        let out = example("count", args, input);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input:?}: {err}");
        assert!(
            err.contains(needle),
            "{input:?}: stderr {err:?} lacks {needle:?}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.stdout.is_empty(), "no partial output on error");
    }
    let out = example("patterns", &["--emit", "sorted"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown pattern \"sorted\""));
}

#[test]
fn emit_prints_the_exact_input_the_reference_script_sorts() {
    let out = example(
        "patterns",
        &["--emit", "3-swaps", "--n", "100", "--seed", "9"],
        "",
    );
    let got: Vec<i64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|t| t.parse().expect("int"))
        .collect();
    assert_eq!(
        got,
        timsort::patterns::Pattern::AscendingThreeSwaps.generate(100, 9)
    );
}

/// Sizes out of range are clap usage errors naming the flag and the range, not a capacity
/// panic or a run that never ends.
#[test]
fn sizes_out_of_range_are_usage_errors() {
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "patterns",
            &["--n", "18446744073709551615"],
            "--n <N>': 18446744073709551615 is not in 1..=2000000",
        ),
        (
            "patterns",
            &["--n", "0"],
            "--n <N>': 0 is not in 1..=2000000",
        ),
        (
            "runs",
            &["--batch", "0"],
            "--batch <BATCH>': 0 is not in 1..=100000",
        ),
        (
            "runs",
            &["--batch", "18446744073709551615"],
            "is not in 1..=100000",
        ),
    ];
    for (name, args, needle) in cases {
        let out = example(name, args, "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(
            err.contains(needle),
            "{name} {args:?}: {err:?} lacks {needle:?}"
        );
        assert!(!err.contains("panicked") && out.stdout.is_empty(), "{err}");
    }
}
