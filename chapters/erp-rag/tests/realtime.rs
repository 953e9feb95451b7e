//! `--realtime` is the live class demo: each source's result must reach the reader the
//! moment that source finishes, not in one block at the end (stdout to a pipe is
//! block-buffered unless the program flushes). These run the real programs, read stdout
//! line by line and record when each line arrives.

use std::process::Command;
use std::time::Duration;

use kit::programs::{TimedLines, cargo_run, timed_lines};

/// Run `cmd` (never against a PostgreSQL server the environment may name) and read its
/// stdout with arrival times; panics with stderr if it fails.
fn run(mut cmd: Command) -> TimedLines {
    cmd.env_remove("ERP_RAG_PG_URL");
    let t = timed_lines(cmd).expect("the program runs");
    assert!(t.status.success(), "{}", t.stderr);
    t
}

/// A live line: `  <ms> ms  <source> …`.
fn is_live(l: &str) -> bool {
    let t = l.trim_start();
    l.starts_with("  ")
        && t.split_once(" ms  ")
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
}

fn live_lines(t: &TimedLines) -> Vec<&(Duration, String)> {
    t.lines.iter().filter(|(_, l)| is_live(l)).collect()
}

#[test]
fn ask_realtime_prints_each_source_as_it_finishes() {
    // NetSuite answers after its 2 s timeout; the others within a second.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_erp-rag"));
    cmd.args([
        "ask",
        "What's our inventory value across all divisions?",
        "--slow",
        "netsuite-cn=3000",
        "--realtime",
    ]);
    let t = run(cmd);
    t.check_live(is_live, 3, Duration::from_secs(1))
        .unwrap_or_else(|e| panic!("{e}"));
    let lines = &t.lines;
    let live = live_lines(&t);
    let last = live[live.len() - 1];
    assert!(
        last.1.contains("netsuite-cn") && last.1.contains("TIMED OUT"),
        "{live:#?}"
    );
    // The answer follows the live lines.
    let question = lines
        .iter()
        .position(|(_, l)| l.starts_with("Question:"))
        .expect("the answer");
    assert!(question > lines.iter().position(|x| x == last).unwrap_or(0));
}

#[test]
fn fanout_example_realtime_prints_each_source_as_it_finishes() {
    let t = run(cargo_run(
        "erp-rag",
        Some("fanout"),
        &["--realtime", "--scale", "0.5"],
    ));
    t.check_live(is_live, 3, Duration::from_secs(1))
        .unwrap_or_else(|e| panic!("{e}"));
    // Three scenarios and the sequential run: 5 + 5 + 5 + 5 sources.
    assert_eq!(live_lines(&t).len(), 20, "{:#?}", t.lines);
}
