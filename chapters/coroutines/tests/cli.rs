//! The programs as a user runs them: knobs documented in --help, bad input refused
//! with exit code 2 and a message — never a panic.

use std::process::Output;

use kit::programs::run_example;

fn example(name: &str, args: &[&str]) -> Output {
    run_example("coroutines", name, args, "").expect("cargo run")
}

#[test]
fn help_lists_the_knobs() {
    for (name, knobs) in [
        (
            "seed",
            &["--flavour", "--limit", "--pulls", "--stop-above"][..],
        ),
        (
            "flavours",
            &["--limit", "--take", "--flavour", "--timed"][..],
        ),
        ("resume", &["--values"][..]),
        ("memory", &["--limit", "--mb"][..]),
        ("timing", &["--limit", "--reps"][..]),
    ] {
        let out = example(name, &["--help"]);
        assert!(out.status.success(), "{name}");
        let help = String::from_utf8_lossy(&out.stdout);
        for k in knobs {
            assert!(help.contains(k), "{name} --help lacks {k}");
        }
    }
}

#[test]
fn bad_input_exits_2_with_a_message() {
    for (name, args, says) in [
        ("seed", &["--flavour", "fiber"][..], "unknown flavour"),
        ("seed", &["--flavour", "vec"][..], "does not run the seed"),
        ("seed", &["--pulls", "20000"][..], "too many steps"),
        ("seed", &["--limit", "-3"][..], "error"),
        (
            "flavours",
            &["--flavour", "vec", "--limit", "999999999999"][..],
            "at most",
        ),
        ("resume", &["--values", "1,x"][..], "invalid"),
        ("memory", &["--mb", "100000"][..], "too large"),
    ] {
        let out = example(name, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(err.contains(says), "{name} {args:?}: {err}");
        assert!(!err.contains("panicked"), "{name} {args:?}: {err}");
    }
}

#[test]
fn knobs_change_the_output() {
    let out = example("seed", &["--limit", "2", "--flavour", "stack"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("Generator complete!"), "{text}");
    assert!(text.contains("StopIteration"), "{text}");
    let out = example("flavours", &["--take", "3", "--flavour", "batch"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 2 3 |") && text.contains("| batch "),
        "{text}"
    );
    assert!(!text.contains("first value after"), "{text}");
    // --timed adds the (measured) time to the first value, and nothing else changes.
    let out = example(
        "flavours",
        &["--take", "3", "--flavour", "batch", "--timed"],
    );
    let timed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        timed.contains("| first value after |") && timed.contains(" ms "),
        "{timed}"
    );
    assert!(timed.contains("MEASURED"), "{timed}");
}
