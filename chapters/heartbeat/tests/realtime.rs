//! `cluster --realtime` is a live demo: each event must reach the screen when it
//! happens, even through a pipe (where a program's output is easily held back until
//! the end). A short wall-clock run of the real program, read line by line, with the
//! arrival time of every line.

use std::time::Duration;

use kit::programs::{cargo_run, timed_lines};

/// The time an event line is stamped with (`  2.167s  fixed 1.5s: …`), in seconds.
fn stamp(line: &str) -> Option<f64> {
    let (clock, _) = line.trim_start().split_once("s  ")?;
    let (whole, millis) = clock.split_once('.')?;
    if millis.len() != 3
        || !whole
            .bytes()
            .chain(millis.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    clock.parse().ok()
}

#[test]
fn realtime_prints_each_event_when_it_happens() {
    // 4 s: servers start at 0, server 2 crashes at 1 s, its last beat was at 0.667 s,
    // so the 1.5 s timeout declares it dead at about 2.167 s; then the run goes on
    // to 4 s and prints the traffic table.
    let t = timed_lines(cargo_run(
        "heartbeat",
        Some("cluster"),
        &[
            "--realtime",
            "--duration",
            "4",
            "--interval",
            "500ms",
            "--timeout",
            "1500ms",
            "--fail",
            "2:crash@1",
        ],
    ))
    .expect("cargo runs the cluster example");
    assert!(t.status.success(), "exit {}: {}", t.status, t.stderr);
    t.check_live(|l| stamp(l).is_some(), 2, Duration::from_secs(1))
        .unwrap_or_else(|e| panic!("{e}"));
    let lines = &t.lines;
    let all: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    let header = lines
        .iter()
        .find(|(_, l)| l.starts_with("wall-clock run:"))
        .unwrap_or_else(|| panic!("no header line in {all:#?}"))
        .0;
    let events: Vec<(Duration, f64, &str)> = lines
        .iter()
        .filter_map(|(at, l)| stamp(l).map(|s| (*at, s, l.as_str())))
        .collect();
    assert!(
        events.iter().any(|e| e.2.contains("server 2 DEAD")),
        "no dead verdict in {all:#?}"
    );
    // Each line arrives after the moment it describes, and not long after it.
    for (at, stamped, line) in &events {
        let offset = (*at - header).as_secs_f64();
        assert!(
            offset >= stamped - 0.2,
            "`{line}` arrived {offset:.3}s into the run, before it happened"
        );
        assert!(
            offset <= stamped + 2.0,
            "`{line}` arrived {offset:.3}s into the run: held back"
        );
    }
}

#[test]
fn event_stamps_are_read_from_event_lines_only() {
    assert_eq!(stamp("  2.167s  fixed 1.5s: server 2 DEAD"), Some(2.167));
    assert_eq!(stamp(" 12.000s  server 1 resumes"), Some(12.0));
    assert_eq!(stamp("wall-clock run: 4s, events as they happen"), None);
    assert_eq!(stamp("| 0s   |        3 |"), None);
}
