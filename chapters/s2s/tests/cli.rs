//! The `s2s` binary as an operator runs it: real collector and relay processes, a
//! `kill -9` of the relay mid-batch, a collector restart, and a table of bad inputs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn s2s(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_s2s"))
        .args(args)
        .output()
        .expect("run s2s")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("s2s-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Start a child that prints "... listening on URL" first; return it and the URL.
fn spawn_server(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_s2s"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line.trim().rsplit(' ').next().expect("url").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    (child, url)
}

/// GET /ledger on a collector, with a bare TCP request (no client library needed).
fn ledger(events_url: &str) -> serde_json::Value {
    let host = events_url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host");
    let mut s = TcpStream::connect(host).expect("connect");
    write!(s, "GET /ledger HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let body = resp.split("\r\n\r\n").nth(1).expect("body");
    serde_json::from_str(body).expect("json")
}

fn counted(url: &str) -> u64 {
    ledger(url)["counted"].as_u64().expect("counted")
}

fn status(db: &str) -> String {
    let out = s2s(&["status", "--db", db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn relay_killed_mid_batch_and_collector_restarted_still_exactly_once() {
    let shop = scratch("kill-shop.db");
    let led = scratch("kill-ledger.db");
    let (shop_s, led_s) = (shop.to_str().unwrap(), led.to_str().unwrap());
    let out = s2s(&["enqueue", "--db", shop_s, "--orders", "300", "--seed", "4"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let (mut collector, url) = spawn_server(&["collector", "--port", "0", "--db", led_s]);
    // The relay holds each accepted batch for 30 s before marking it delivered.
    let mut relay = Command::new(env!("CARGO_BIN_EXE_s2s"))
        .args([
            "relay",
            "--db",
            shop_s,
            "--endpoint",
            &url,
            "--batch-size",
            "50",
        ])
        .args(["--stall-after-accept-ms", "30000"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn relay");
    let deadline = Instant::now() + Duration::from_secs(20);
    while counted(&url) < 50 {
        assert!(
            Instant::now() < deadline,
            "collector never got the first batch"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // kill -9: the collector has batch 1, the outbox has not marked it.
    relay.kill().expect("SIGKILL relay");
    relay.wait().expect("reap relay");
    assert_eq!(counted(&url), 50);
    assert!(
        status(shop_s).contains("300 pending, 0 delivered"),
        "{}",
        status(shop_s)
    );

    // The collector crashes too (SIGKILL) and comes back on a new port, same ledger file.
    collector.kill().expect("SIGKILL collector");
    collector.wait().expect("reap collector");
    let (mut collector, url) = spawn_server(&["collector", "--port", "0", "--db", led_s]);
    assert_eq!(counted(&url), 50, "the ledger survived the crash");

    let out = s2s(&[
        "relay",
        "--db",
        shop_s,
        "--endpoint",
        &url,
        "--batch-size",
        "50",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("delivered 300, dead 0"),
        "{}",
        text(&out.stdout)
    );
    let l = ledger(&url);
    assert_eq!(l["counted"], 300, "{l}");
    assert_eq!(
        l["duplicates"], 50,
        "batch 1 was received twice, counted once: {l}"
    );
    assert_eq!(l["events_received"], 350);
    assert!(status(shop_s).contains("0 pending, 300 delivered, 0 dead"));
    collector.kill().expect("stop collector");
    collector.wait().expect("reap");
}

#[test]
fn bad_inputs_give_a_clear_error_and_keep_events_queued() {
    let good = scratch("bad-good.db");
    let good_s = good.to_str().unwrap();
    assert!(
        s2s(&["enqueue", "--db", good_s, "--orders", "3"])
            .status
            .success()
    );

    let corrupt = scratch("bad-corrupt.db");
    std::fs::write(
        &corrupt,
        b"this is not a database, just text pretending\n".repeat(100),
    )
    .unwrap();
    let empty = scratch("bad-empty.db");
    std::fs::write(&empty, b"").unwrap();
    let missing = scratch("bad-missing.db");
    let malformed = scratch("bad-event.json");
    std::fs::write(
        &malformed,
        "{\n  \"event_name\": \"Purchase\",\n  \"event_time\": \"soon\"\n}",
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead_end = format!("http://127.0.0.1:{port}/v22.0/1234567890/events");
    let fast = ["--max-attempts", "3", "--base-ms", "1", "--cap-ms", "2"];

    let (c, e, m, g) = (
        corrupt.to_str().unwrap(),
        empty.to_str().unwrap(),
        missing.to_str().unwrap(),
        malformed.to_str().unwrap(),
    );
    let cases: Vec<(Vec<&str>, u8, &str)> = vec![
        (
            vec!["relay", "--db", c, "--endpoint", &dead_end],
            1,
            "it is not a SQLite database",
        ),
        (
            vec!["relay", "--db", e, "--endpoint", &dead_end],
            1,
            "it is an empty file",
        ),
        (
            vec!["relay", "--db", m, "--endpoint", &dead_end],
            1,
            "no outbox database here",
        ),
        (
            [
                vec!["relay", "--db", good_s, "--endpoint", &dead_end],
                fast.to_vec(),
            ]
            .concat(),
            1,
            "nothing answers at 127.0.0.1:",
        ),
        (
            vec![
                "relay",
                "--db",
                good_s,
                "--endpoint",
                "https://x/v1.0/1/events",
            ],
            1,
            "http://",
        ),
        (
            vec![
                "relay",
                "--db",
                good_s,
                "--endpoint",
                "http://127.0.0.1:1/events",
            ],
            1,
            "/{version}/{pixel_id}/events",
        ),
        (
            vec![
                "relay",
                "--db",
                good_s,
                "--endpoint",
                &dead_end,
                "--batch-size",
                "0",
            ],
            2,
            "--batch-size",
        ),
        (
            vec![
                "relay",
                "--db",
                good_s,
                "--endpoint",
                &dead_end,
                "--batch-size",
                "1001",
            ],
            2,
            "--batch-size",
        ),
        (
            vec!["enqueue", "--db", good_s, "--event", g],
            1,
            "line 3, column",
        ),
        (
            vec!["enqueue", "--db", good_s, "--event", m],
            1,
            "bad-missing.db",
        ),
        (
            vec![
                "enqueue",
                "--db",
                "/nonexistent/dir/shop.db",
                "--orders",
                "1",
            ],
            1,
            "/nonexistent/dir/shop.db",
        ),
        (vec!["status", "--db", c], 1, "it is not a SQLite database"),
        (vec!["demo", "--failure-rate", "1.5"], 2, "--failure-rate"),
        (vec!["demo", "--orders", "0"], 2, "--orders"),
        (vec!["demo", "--crash-at", "-1"], 2, ""),
        (vec!["demo", "--orders", "ten"], 2, "invalid value"),
        (
            vec!["demo", "--timeout-ms", "18446744073709551615"],
            2,
            "'--timeout-ms <TIMEOUT_MS>': 18446744073709551615 ms is outside 1..=3600000 ms",
        ),
        (
            vec![
                "relay",
                "--db",
                good_s,
                "--endpoint",
                &dead_end,
                "--timeout-ms",
                "18446744073709551615",
            ],
            2,
            "--timeout-ms",
        ),
        (vec!["collector", "--port", "70000"], 2, "invalid value"),
        (
            vec!["collector", "--port", "0", "--failure-rate", "-0.1"],
            2,
            "",
        ),
    ];
    for (args, code, needle) in cases {
        let out = s2s(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(i32::from(code)), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // Nothing above consumed or lost the queued events.
    assert!(
        status(good_s).contains("3 pending, 0 delivered, 0 dead"),
        "{}",
        status(good_s)
    );
    // The corrupt file is untouched, not "repaired" into an empty queue.
    assert!(
        std::fs::read(&corrupt)
            .unwrap()
            .starts_with(b"this is not a database")
    );
}

#[test]
fn a_malformed_event_ends_as_a_dead_letter_with_its_reason() {
    let (mut collector, url) = spawn_server(&["collector", "--port", "0"]);
    let db = scratch("poison-shop.db");
    let db_s = db.to_str().unwrap();
    assert!(
        s2s(&["enqueue", "--db", db_s, "--orders", "9"])
            .status
            .success()
    );
    // Valid JSON, but the email is raw: the collector must refuse it.
    let raw = scratch("raw-email.json");
    std::fs::write(
        &raw,
        r#"{"event_name":"Purchase","event_time":9999999999,"event_id":"backfill-1",
            "action_source":"website","user_data":{"em":["Person@Example.com"],
            "client_user_agent":"x"}}"#,
    )
    .unwrap();
    assert!(
        s2s(&[
            "enqueue",
            "--db",
            db_s,
            "--event",
            raw.to_str().unwrap(),
            "--orders",
            "3"
        ])
        .status
        .success()
    );
    let out = s2s(&[
        "relay",
        "--db",
        db_s,
        "--endpoint",
        &url,
        "--batch-size",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("delivered 12, dead 1"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("backfill-1"),
        "{}",
        text(&out.stderr)
    );
    let st = status(db_s);
    assert!(st.contains("0 pending, 12 delivered, 1 dead"), "{st}");
    assert!(st.contains("user_data.em is not a SHA-256 hash"), "{st}");
    assert_eq!(counted(&url), 12);
    collector.kill().expect("stop");
    collector.wait().expect("reap");
}

#[test]
fn demo_prints_a_ledger_with_nothing_lost() {
    let out = s2s(&["demo", "--orders", "60", "--seed", "2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(t.contains("| orders lost silently"), "{t}");
    let row = |name: &str| -> String {
        t.lines()
            .find(|l| l.contains(name))
            .and_then(|l| l.split('|').nth(2))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    assert_eq!(row("orders lost silently"), "0");
    assert_eq!(row("orders counted twice"), "0");
    assert_eq!(row("conversions counted"), "60");
    assert!(t.lines().all(|l| l.chars().count() <= 80), "{t}");
}
