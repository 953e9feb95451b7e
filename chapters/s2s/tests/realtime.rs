//! `s2s demo --realtime` is a live class demo: each row of the fault table must reach
//! the reader when it happens, not in one block at the end (stdout to a pipe is
//! block-buffered unless the program flushes). This runs the real binary on a short
//! fault run, reads its stdout line by line and records when each line arrives.

use std::process::Command;
use std::time::Duration;

use kit::programs::timed_lines;

#[test]
fn realtime_demo_prints_each_row_as_it_happens() {
    // About 3 s on the wall clock: two 503s, a 429 asking for 2 s, a hang of 0.5 s.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s2s"));
    cmd.args([
        "demo",
        "--realtime",
        "--orders",
        "20",
        "--crash-at",
        "0",
        "--kill-relay-at",
        "2",
        "--timeout-ms",
        "500",
        "--poll-ms",
        "200",
    ]);
    let t = timed_lines(cmd).expect("run s2s demo --realtime");
    assert!(t.status.success(), "{}", t.stderr);
    let lines = &t.lines;
    let is_row = |l: &str| l.starts_with("| t+");
    t.check_live(is_row, 5, Duration::from_secs(1))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        lines.iter().any(|(_, l)| l.starts_with("The ledger:")),
        "{lines:#?}"
    );
    let rows: Vec<&(Duration, String)> = lines.iter().filter(|(_, l)| is_row(l)).collect();
    // The 429's row (it asks for 2 s) arrives well before the row that follows it.
    let asked = rows
        .iter()
        .position(|(_, l)| l.contains("(asked)"))
        .expect("a Retry-After row");
    let after = rows.get(asked + 1).expect("a row after the wait");
    assert!(
        after.0 - rows[asked].0 >= Duration::from_millis(1500),
        "the wait the collector asked for did not separate the rows: {rows:#?}"
    );
}
