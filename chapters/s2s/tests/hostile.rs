//! Hostile input (CONTRIBUTING.md, "Hostile input"): every flag of every program out of
//! range, files the programs did not create, malformed event files, a port in use, a
//! closed or full stdout, and bad requests to the collector's and the shop's handlers.
//! Each case checks the exit code (or HTTP status), that the message names the flag or
//! file, that nothing panicked, and that files given are left byte for byte as they were.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use proptest::prelude::*;
use s2s::collector::{Beacon, Clock, CollectorConfig, CollectorState, FaultPlan, Ledger};
use s2s::collector::{ServerHandle, retry_after, validate_event};
use s2s::event::{parse_event, read_event_file};
use s2s::hashing::{
    CustomerInfo, normalise_city, normalise_code, normalise_dob, normalise_email,
    normalise_external_id, normalise_name, normalise_phone, normalise_zip,
};
use s2s::outbox::{Order, Outbox, check_ours};
use s2s::relay::check_endpoint;
use s2s::scenario::{BASE_UNIX, PIXEL_ID, ScratchDir, endpoint};
use s2s::{APPLICATION_ID, LEDGER_APPLICATION_ID};

fn s2s(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_s2s"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run s2s")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("s2s-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A SQLite database of "another program": one table, one row, application_id 0.
fn foreign_db(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
}

/// Files that are not ours: another program's SQLite database, an empty file, notes,
/// binary garbage. Name → path.
fn foreign_files(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let other = dir.join("other program.db");
    foreign_db(&other);
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let notes = dir.join("-notes.txt");
    std::fs::write(&notes, b"my notes\n").unwrap();
    let garbage = dir.join("garbage.bin");
    std::fs::write(
        &garbage,
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    vec![
        ("another program's database", other),
        ("an empty file", empty),
        ("a text file", notes),
        ("binary garbage", garbage),
    ]
}

/// Every file in `dir` with its bytes: what "left as it was" compares.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

fn assert_refused(args: &[&str], code: i32, needles: &[&str]) -> String {
    let out = s2s(args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` not in: {err}");
    }
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

const NUMBERS: [&str; 9] = kit::programs::HOSTILE_NUMBERS;

/// The hostile numbers `flag` must refuse (those of [`NUMBERS`] not in `valid`).
fn bad_numbers(valid: &[&str]) -> Vec<&'static str> {
    NUMBERS
        .iter()
        .copied()
        .filter(|n| !valid.contains(n))
        .collect()
}

#[test]
fn every_numeric_flag_of_s2s_refuses_hostile_numbers_naming_the_flag() {
    let dir = scratch("flags");
    let db = dir.join("shop.db");
    let db_s = db.to_str().unwrap();
    assert!(
        s2s(&["enqueue", "--db", db_s, "--orders", "2"])
            .status
            .success()
    );
    let before = snapshot(&dir);
    let endpoint = "http://127.0.0.1:9/v22.0/1234567890/events";
    // (command prefix, flag, values accepted among NUMBERS)
    let demo: Vec<(&str, &[&str])> = vec![
        ("--orders", &[]),
        ("--failure-rate", &["0"]),
        ("--kill-relay-at", &["0"]),
        ("--batch-size", &[]),
        ("--poison", &["0"]),
        ("--crash-at", &["0"]),
        ("--down-for", &["0"]),
        ("--order-every-ms", &["0"]),
        ("--poll-ms", &[]),
        ("--base-ms", &[]),
        ("--cap-ms", &[]),
        ("--timeout-ms", &[]),
        ("--svg-rows", &[]),
    ];
    let relay: Vec<(&str, &[&str])> = vec![
        ("--batch-size", &[]),
        ("--base-ms", &[]),
        ("--cap-ms", &[]),
        ("--max-attempts", &[]),
        ("--timeout-ms", &[]),
        ("--stall-after-accept-ms", &["0"]),
        ("--seed", &["0", "18446744073709551615"]),
    ];
    let mut cases: Vec<Vec<String>> = Vec::new();
    for (flag, valid) in &demo {
        for v in bad_numbers(valid) {
            let mut a = vec!["demo".to_string(), format!("{flag}={v}")];
            if *flag == "--svg-rows" {
                a.push("--svg".into());
            }
            cases.push(a);
        }
    }
    for (flag, valid) in &relay {
        for v in bad_numbers(valid) {
            cases.push(
                ["relay", "--db", db_s, "--endpoint", endpoint]
                    .map(String::from)
                    .into_iter()
                    .chain([format!("{flag}={v}")])
                    .collect(),
            );
        }
    }
    for v in bad_numbers(&["0"]) {
        cases.push(
            ["enqueue", "--db", db_s]
                .map(String::from)
                .into_iter()
                .chain([format!("--orders={v}")])
                .collect(),
        );
    }
    for v in bad_numbers(&["0"]) {
        cases.push(
            ["collector", "--port", "0"]
                .map(String::from)
                .into_iter()
                .chain([format!("--failure-rate={v}")])
                .collect(),
        );
    }
    for v in ["-1", "65536", "18446744073709551616", "", "ten"] {
        cases.push(vec!["collector".into(), format!("--port={v}")]);
        cases.push(vec![
            "shop".into(),
            "--db".into(),
            db_s.into(),
            format!("--port={v}"),
        ]);
    }
    for v in [
        "",
        "abc",
        "12/34",
        "1 2",
        "123456789012345678901234567890123",
    ] {
        cases.push(vec![
            "collector".into(),
            "--port".into(),
            "0".into(),
            format!("--pixel-id={v}"),
        ]);
    }
    // Cross-flag rules.
    cases.push(
        ["demo", "--orders", "3", "--poison", "4"]
            .map(String::from)
            .to_vec(),
    );
    cases.push(
        ["demo", "--base-ms", "500", "--cap-ms", "100"]
            .map(String::from)
            .to_vec(),
    );
    assert!(cases.len() > 150, "{}", cases.len());
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let flag = args
            .iter()
            .rev()
            .find(|a| a.starts_with("--") && *a != &"--svg")
            .map(|a| a.split('=').next().unwrap_or(a))
            .unwrap();
        assert_refused(&args, 2, &[flag]);
    }
    // The database the relay and enqueue cases named is untouched.
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn the_known_findings_stay_fixed() {
    // `demo --timeout-ms 2^64-1` used to be the one spinning forever: a usage error now.
    assert_refused(
        &["demo", "--timeout-ms", "18446744073709551615"],
        2,
        &["--timeout-ms", "outside 1..=3600000"],
    );
    // A huge Retry-After is honoured for at most an hour, never forever.
    let mut h = axum::http::HeaderMap::new();
    h.insert("retry-after", "18446744073709551615".parse().unwrap());
    assert_eq!(retry_after(&h), Some(u64::MAX));
    assert_eq!(s2s::relay::MAX_RETRY_AFTER.as_secs(), 3600);
}

#[test]
fn story_and_throughput_refuse_hostile_numbers_naming_the_flag() {
    // One hostile value per flag, each kind of value once at least: every run goes
    // through `cargo run`, which waits for the build lock of a shared target folder.
    let cases = [
        ("story", "--clicks", "0"),
        ("story", "--clicks", "ten"),
        ("story", "--conversion-rate", "NaN"),
        ("story", "--blocker", "inf"),
        ("story", "--ios", "1e20"),
        ("story", "--no-js", "-1"),
        ("throughput", "--events", "18446744073709551616"),
        ("throughput", "--batch-size", "0"),
        ("throughput", "--single-orders", "18446744073709551615"),
        ("throughput", "--seed", ""),
    ];
    for (example, flag, v) in cases {
        let arg = format!("{flag}={v}");
        let out = kit::programs::run_example("s2s", example, &[&arg], "").unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{example} {arg}: {err}");
        assert!(err.contains(flag), "{example} {arg}: {err}");
        assert!(!err.contains("panicked"), "{example} {arg}: {err}");
    }
}

#[test]
fn status_relay_and_enqueue_leave_a_foreign_file_as_it_was() {
    let dir = scratch("foreign");
    let files = foreign_files(&dir);
    let endpoint = "http://127.0.0.1:9/v22.0/1234567890/events";
    for (what, path) in &files {
        let p = path.to_str().unwrap();
        let before = snapshot(&dir);
        for args in [
            vec!["status", "--db", p],
            vec!["relay", "--db", p, "--endpoint", endpoint],
            vec!["enqueue", "--db", p, "--orders", "1"],
        ] {
            let err = assert_refused(&args, 1, &[p, "left the file as it was"]);
            assert!(
                err.contains("another program")
                    || err.contains("not a SQLite")
                    || err.contains("empty file"),
                "{what}: {err}"
            );
            // Byte for byte, and no -wal/-shm appeared beside it.
            assert_eq!(snapshot(&dir), before, "{what}: {args:?} changed a file");
        }
    }
    // A folder is refused too, naming it.
    let sub = dir.join("a folder");
    std::fs::create_dir(&sub).unwrap();
    assert_refused(
        &["enqueue", "--db", sub.to_str().unwrap(), "--orders", "1"],
        1,
        &["a folder", "not a regular file"],
    );
}

#[test]
fn the_collector_and_the_shop_leave_a_foreign_database_as_it_was() {
    let dir = scratch("servers-foreign");
    let other = dir.join("other.db");
    foreign_db(&other);
    let before = snapshot(&dir);
    let o = other.to_str().unwrap();
    assert_refused(
        &["collector", "--port", "0", "--db", o],
        1,
        &[o, "another program"],
    );
    assert_refused(
        &["shop", "--port", "0", "--db", o],
        1,
        &[o, "another program"],
    );
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_database_this_chapter_creates_carries_its_application_id() {
    let dir = scratch("ids");
    let shop = dir.join("shop.db");
    assert!(
        s2s(&["enqueue", "--db", shop.to_str().unwrap(), "--orders", "1"])
            .status
            .success()
    );
    let header = std::fs::read(&shop).unwrap();
    assert_eq!(header[68..72], APPLICATION_ID.to_be_bytes());
    // Ours: a second run opens it and adds to it.
    let out = s2s(&["enqueue", "--db", shop.to_str().unwrap(), "--orders", "1"]);
    assert!(
        text(&out.stdout).contains("2 pending"),
        "{}",
        text(&out.stderr)
    );

    let ledger = dir.join("ledger.db");
    drop(Ledger::open(Some(&ledger)).unwrap());
    let header = std::fs::read(&ledger).unwrap();
    assert_eq!(header[68..72], LEDGER_APPLICATION_ID.to_be_bytes());
}

#[test]
fn a_ledger_is_never_taken_for_an_outbox_nor_the_other_way_round() {
    let dir = scratch("kinds");
    let ledger = dir.join("ledger.db");
    drop(Ledger::open(Some(&ledger)).unwrap());
    let shop = dir.join("shop.db");
    drop(Outbox::create(&shop).unwrap());
    let before = snapshot(&dir);
    let e = Outbox::open_existing(&ledger).unwrap_err().to_string();
    assert!(
        e.contains("another program (application_id 0x53325302)"),
        "{e}"
    );
    let e = Outbox::create(&ledger).unwrap_err().to_string();
    assert!(e.contains("ledger.db"), "{e}");
    let e = Ledger::open(Some(&shop)).unwrap_err().to_string();
    assert!(
        e.contains("another program (application_id 0x53325301)"),
        "{e}"
    );
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_port_in_use_is_named_and_no_database_is_created() {
    let dir = scratch("port");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let db = dir.join("new shop.db");
    let ledger = dir.join("new ledger.db");
    let name = format!("127.0.0.1:{port}");
    assert_refused(
        &["shop", "--port", &port, "--db", db.to_str().unwrap()],
        1,
        &[&name, "in use"],
    );
    assert_refused(
        &[
            "collector",
            "--port",
            &port,
            "--db",
            ledger.to_str().unwrap(),
        ],
        1,
        &[&name, "in use"],
    );
    assert!(
        !db.exists() && !ledger.exists(),
        "created a file before binding"
    );
    // The other server still has its port.
    assert_eq!(taken.local_addr().unwrap().port().to_string(), port);
    let _ = std::net::TcpStream::connect(("127.0.0.1", taken.local_addr().unwrap().port()))
        .expect("the first listener still accepts");
}

#[test]
fn malformed_event_files_are_refused_with_file_and_line_and_touch_no_database() {
    let dir = scratch("events");
    let db = dir.join("shop.db");
    let db_s = db.to_str().unwrap();
    let ok = r#"{"event_name":"Purchase","event_time":1736121600,"event_id":"e1","action_source":"website","user_data":{"client_user_agent":"x"}}"#;
    let files: Vec<(&str, Vec<u8>, &[&str])> = vec![
        (
            "truncated.json",
            ok.as_bytes()[..40].to_vec(),
            &["line 1", "EOF"],
        ),
        ("empty.json", vec![], &["line 1", "EOF"]),
        (
            "wrong types.json",
            ok.replace("1736121600", "\"soon\"").into_bytes(),
            &["line 1", "expected i64"],
        ),
        (
            "-dup key.json",
            ok.replace(
                "\"event_id\":\"e1\"",
                "\"event_id\":\"e1\",\n\"event_id\":\"e2\"",
            )
            .into_bytes(),
            &["line 2", "duplicate field `event_id`"],
        ),
        (
            "dup nested.json",
            ok.replace(
                "{\"client_user_agent\":\"x\"}",
                "{\"fbp\":\"a\",\"fbp\":\"b\"}",
            )
            .into_bytes(),
            &["duplicate field `fbp`"],
        ),
        ("garbage.bin", vec![0xff, 0xfe, 0x00, 0x9c], &["UTF-8"]),
    ];
    for (name, bytes, needles) in &files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let p = path.to_str().unwrap();
        let mut n = needles.to_vec();
        n.push(name);
        assert_refused(&["enqueue", "--db", db_s, "--event", p], 1, &n);
        assert_eq!(std::fs::read(&path).unwrap(), *bytes);
        assert!(
            !db.exists(),
            "{name}: the database was created for a bad event"
        );
    }
    assert_refused(
        &[
            "enqueue",
            "--db",
            db_s,
            "--event",
            dir.join("missing.json").to_str().unwrap(),
        ],
        1,
        &["missing.json"],
    );
    assert_refused(
        &["enqueue", "--db", db_s, "--event", dir.to_str().unwrap()],
        1,
        &["directory"],
    );
    assert!(!db.exists());
}

#[test]
fn the_same_event_twice_is_refused_not_replaced() {
    let dir = scratch("twice");
    let db = dir.join("shop.db");
    let ev = dir.join("event.json");
    std::fs::write(&ev, r#"{"event_name":"Purchase","event_time":1736121600,"event_id":"e1","action_source":"website","user_data":{"client_user_agent":"x"}}"#).unwrap();
    let (d, e) = (db.to_str().unwrap(), ev.to_str().unwrap());
    assert!(s2s(&["enqueue", "--db", d, "--event", e]).status.success());
    assert_refused(
        &["enqueue", "--db", d, "--event", e],
        1,
        &["event.json", "`e1` is already in the outbox"],
    );
    let out = s2s(&["status", "--db", d]);
    assert!(
        text(&out.stdout).contains("1 pending"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_closed_or_full_stdout_ends_the_live_demo_cleanly() {
    let live = [
        "demo",
        "--realtime",
        "--orders",
        "3",
        "--order-every-ms",
        "1",
        "--poll-ms",
        "5",
        "--crash-at",
        "0",
        "--failure-rate",
        "0",
        "--kill-relay-at",
        "0",
    ];
    // A reader that has gone: exit 141, nothing on stderr about a panic.
    let mut child = Command::new(env!("CARGO_BIN_EXE_s2s"))
        .args(live)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(kit::cli::BROKEN_PIPE),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stderr).contains("panicked"));
    // A full disk: exit 74 and one line.
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        for args in [
            &live[..],
            &["demo", "--orders", "5"][..],
            &["status", "--help"][..],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_s2s"))
                .args(args)
                .stdout(full.try_clone().unwrap())
                .output()
                .unwrap();
            let err = text(&out.stderr);
            if args[1] == "--help" {
                // clap prints help itself; only check it does not panic.
                assert!(!err.contains("panicked"), "{err}");
                continue;
            }
            assert_eq!(
                out.status.code(),
                Some(kit::cli::IO_ERROR),
                "{args:?}: {err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
}

// ---------------------------------------------------------------------------------
// The servers' handlers, in process.
// ---------------------------------------------------------------------------------

fn good_event(id: &str, time: i64) -> serde_json::Value {
    serde_json::json!({
        "event_name": "Purchase",
        "event_time": time,
        "event_id": id,
        "action_source": "website",
        "user_data": {"client_user_agent": "x", "em": [s2s::hashing::sha256_hex("a@b.co")]},
        "custom_data": {"value": 12.5, "currency": "USD", "order_id": "1"}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collector_answers_bad_requests_with_a_4xx_and_a_reason_and_stores_nothing() {
    let now = Arc::new(AtomicI64::new(BASE_UNIX));
    let state = CollectorState::new(
        CollectorConfig {
            pixel_id: PIXEL_ID.into(),
            clock: Clock::Manual(now),
            keep_bodies: false,
        },
        Ledger::open(None).unwrap(),
        FaultPlan::none(),
    );
    let h = ServerHandle::start(([127, 0, 0, 1], 0).into(), state.router())
        .await
        .unwrap();
    let url = endpoint(h.addr);
    let client = reqwest::Client::new();
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut e = good_event("x", BASE_UNIX);
        f(&mut e);
        serde_json::json!({ "data": [e] }).to_string()
    };
    let bodies: Vec<(&str, String, &str)> = vec![
        ("truncated", "{\"data\":[".into(), "EOF"),
        ("empty", String::new(), "EOF"),
        ("wrong type", "{\"data\":5}".into(), "invalid type"),
        ("binary", "\u{1}\u{2}\u{fffd}".into(), "body is not"),
        (
            "duplicate key",
            format!("{{\"data\":[{}],\"data\":[]}}", good_event("d", BASE_UNIX)),
            "duplicate field `data`",
        ),
        ("no events", "{\"data\":[]}".into(), "1 to 1000"),
        (
            "event_time i64::MIN",
            with(&|e| e["event_time"] = i64::MIN.into()),
            "7 days in the past",
        ),
        (
            "event_time i64::MAX",
            with(&|e| e["event_time"] = i64::MAX.into()),
            "in the future",
        ),
        (
            "event_time 2^64",
            with(&|e| e["event_time"] = u64::MAX.into()),
            "expected i64",
        ),
        (
            "negative value",
            with(&|e| e["custom_data"]["value"] = (-5.0).into()),
            "custom_data.value -5",
        ),
        (
            "huge value",
            with(&|e| e["custom_data"]["value"] = 1e300.into()),
            "custom_data.value 1e300",
        ),
        (
            "value 1e400",
            with(&|_| ()).replace("12.5", "1e400"),
            "number out of range",
        ),
        (
            "value a string",
            with(&|e| e["custom_data"]["value"] = "ten".into()),
            "invalid type",
        ),
        (
            "empty currency",
            with(&|e| e["custom_data"]["currency"] = "".into()),
            "custom_data.currency",
        ),
        (
            "duplicate event field",
            with(&|_| ()).replace(
                "\"event_id\":\"x\"",
                "\"event_id\":\"x\",\"event_id\":\"y\"",
            ),
            "duplicate field `event_id`",
        ),
    ];
    for (what, body, needle) in &bodies {
        let r = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, 400, "{what}: {text}");
        assert!(text.contains(needle), "{what}: `{needle}` not in {text}");
    }
    // A body past the limit: 413, not a 500 or a crash.
    let huge = format!("{{\"data\":[\"{}\"]}}", "x".repeat(3 << 20));
    let r = client.post(&url).body(huge).send().await;
    if let Ok(r) = r {
        assert_eq!(r.status().as_u16(), 413);
    }
    // Beacons: NaN, inf, negative, huge, empty names, duplicates, wrong types.
    let base = format!("http://{}/tr?id={PIXEL_ID}", h.addr);
    for (q, needle) in [
        ("&ev=Purchase&eid=a&value=NaN", "value NaN"),
        ("&ev=Purchase&eid=a&value=inf", "value inf"),
        ("&ev=Purchase&eid=a&value=-1", "value -1"),
        ("&ev=Purchase&eid=a&value=1e300", "value 1e300"),
        ("&ev=Purchase&eid=a&value=ten", "value"),
        ("&ev=&eid=a&value=1", "`ev`"),
        ("&ev=Purchase&eid=&value=1", "`eid`"),
        ("&ev=Purchase&eid=a&eid=b&value=1", "duplicate field `eid`"),
        ("&ev=Purchase", "missing field `eid`"),
    ] {
        let r = client.get(format!("{base}{q}")).send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, 400, "{q}: {text}");
        assert!(text.contains(needle), "{q}: `{needle}` not in {text}");
    }
    // Nothing of all that was recorded; a good request still is.
    let stats = state.stats().unwrap();
    assert_eq!(
        (stats.events_received, stats.accepted_requests),
        (0, 0),
        "{stats:?}"
    );
    let r = client
        .post(&url)
        .json(&serde_json::json!({ "data": [good_event("ok", BASE_UNIX)] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = client
        .get(format!("{base}&ev=Purchase&eid=px&value=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(state.stats().unwrap().events_received, 2);
    h.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shop_answers_bad_orders_with_a_4xx_and_a_reason_and_stores_nothing() {
    let dir = ScratchDir::new("s2s-hostile-shop").unwrap();
    let db = dir.file("shop.db");
    let shop = s2s::shop::Shop::new(
        Outbox::create(&db).unwrap(),
        Clock::Manual(Arc::new(AtomicI64::new(BASE_UNIX))),
    );
    let h = ServerHandle::start(([127, 0, 0, 1], 0).into(), shop.router())
        .await
        .unwrap();
    let url = format!("http://{}/orders", h.addr);
    let client = reqwest::Client::new();
    let customer = r#""customer":{"email":"a@b.co","client_user_agent":"x"}"#;
    let order = |cents: &str, currency: &str| {
        format!("{{{customer},\"value_cents\":{cents},\"currency\":{currency}}}")
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("negative", order("-1000", "\"USD\""), "value_cents"),
        (
            "i64::MAX",
            order("9223372036854775807", "\"USD\""),
            "value_cents",
        ),
        (
            "2^64",
            order("18446744073709551616", "\"USD\""),
            "value_cents",
        ),
        ("1e20", order("1e20", "\"USD\""), "value_cents"),
        ("a string", order("\"ten\"", "\"USD\""), "value_cents"),
        ("NaN as text", order("NaN", "\"USD\""), "expected value"),
        ("empty currency", order("100", "\"\""), "currency"),
        ("word currency", order("100", "\"dollars\""), "currency"),
        (
            "duplicate key",
            format!("{{{customer},\"value_cents\":1,\"value_cents\":2,\"currency\":\"USD\"}}"),
            "duplicate field `value_cents`",
        ),
        (
            "duplicate customer field",
            order("1", "\"USD\"").replace(
                "\"email\":\"a@b.co\"",
                "\"email\":\"a@b.co\",\"email\":\"c@d.co\"",
            ),
            "duplicate field `email`",
        ),
        (
            "empty customer",
            "{\"customer\":{},\"value_cents\":1,\"currency\":\"USD\"}".into(),
            "customer",
        ),
        (
            "bad email",
            order("1", "\"USD\"").replace("a@b.co", "nope"),
            "`em`",
        ),
        ("truncated", "{\"customer\":".into(), "EOF"),
        ("empty", String::new(), "EOF"),
    ];
    for (what, body, needle) in &cases {
        let r = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert!((400..500).contains(&status), "{what}: {status} {text}");
        assert!(text.contains(needle), "{what}: `{needle}` not in {text}");
    }
    let huge = format!(
        "{{{customer},\"value_cents\":1,\"currency\":\"{}\"}}",
        "U".repeat(3 << 20)
    );
    if let Ok(r) = client
        .post(&url)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
    {
        assert_eq!(r.status().as_u16(), 413);
    }
    h.stop();
    let outbox = Outbox::open_existing(&db).unwrap();
    assert_eq!(
        outbox.order_count().unwrap(),
        0,
        "a refused order was stored"
    );
}

// ---------------------------------------------------------------------------------
// Every parser of the library, on arbitrary input: Ok or Err, never a panic.
// ---------------------------------------------------------------------------------

/// A JSON event with arbitrary numbers where the rules have ranges.
fn event_json(time: i64, value: f64, currency: &str) -> String {
    let mut e = good_event("p", time);
    e["custom_data"]["value"] =
        serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, Into::into);
    e["custom_data"]["currency"] = currency.into();
    e.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn event_parsers_never_panic(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..256), now: i64) {
        let _ = parse_event(&s, "arbitrary");
        let _ = validate_event(&s, now);
        let lossy = String::from_utf8_lossy(&bytes);
        let _ = parse_event(&lossy, "arbitrary");
        let _ = validate_event(&lossy, now);
    }

    /// An accepted event is never out of range, whatever its numbers and the clock.
    #[test]
    fn validated_events_are_in_range(time: i64, now in -4_000_000_000i64..4_000_000_000, value in proptest::num::f64::ANY, currency in "[A-Za-z]{0,4}") {
        if let Ok(ev) = validate_event(&event_json(time, value, &currency), now) {
            let c = ev.custom_data.unwrap();
            prop_assert!(c.value.is_finite() && (0.0..=s2s::event::MAX_VALUE).contains(&c.value));
            prop_assert!(now.saturating_sub(ev.event_time) <= s2s::event::MAX_EVENT_AGE_SECS);
            prop_assert!(ev.event_time.saturating_sub(now) <= s2s::event::MAX_EVENT_FUTURE_SECS);
            prop_assert!(s2s::outbox::is_currency_code(&c.currency));
        }
    }

    #[test]
    fn beacon_check_refuses_non_finite_and_out_of_range(ev in "\\PC{0,300}", eid in "\\PC{0,300}", value in proptest::num::f64::ANY) {
        let b = Beacon { id: PIXEL_ID.into(), ev, eid, value };
        if b.check().is_ok() {
            prop_assert!(b.value.is_finite() && (0.0..=s2s::event::MAX_VALUE).contains(&b.value));
        }
    }

    #[test]
    fn order_check_bounds_value_and_currency(cents: i64, currency in "\\PC{0,5}") {
        let o = Order { customer: CustomerInfo::default(), value_cents: cents, currency };
        if o.check().is_ok() {
            prop_assert!((0..=s2s::outbox::MAX_VALUE_CENTS).contains(&o.value_cents));
            prop_assert!(s2s::outbox::is_currency_code(&o.currency));
        }
        let _ = serde_json::from_str::<Order>(&format!("{{\"customer\":{{}},\"value_cents\":{cents},\"currency\":\"USD\"}}"));
    }

    #[test]
    fn normalisers_never_panic(s in "\\PC*") {
        let _ = normalise_email(&s);
        let _ = normalise_phone(&s);
        let _ = normalise_name("fn", &s);
        let _ = normalise_city(&s);
        let _ = normalise_code("st", &s);
        let _ = normalise_zip(&s, Some("us"));
        let _ = normalise_zip(&s, None);
        let _ = normalise_dob(&s);
        let _ = normalise_external_id(&s);
    }

    #[test]
    fn endpoint_and_header_parsers_never_panic(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = check_endpoint(&s);
        let _ = check_endpoint(&format!("http://{s}/v1.0/1/events"));
        if let Ok(v) = axum::http::HeaderValue::from_bytes(&bytes) {
            let mut h = axum::http::HeaderMap::new();
            h.insert("retry-after", v);
            let _ = retry_after(&h);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Arbitrary bytes in a file: never taken for ours, and refusing leaves them as they
    /// were (the outbox, the ledger and the event reader alike).
    #[test]
    fn arbitrary_files_are_refused_unchanged(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let dir = ScratchDir::new("s2s-hostile-bytes").unwrap();
        let path = dir.file("file.db");
        std::fs::write(&path, &bytes).unwrap();
        prop_assert!(check_ours(&path, APPLICATION_ID).is_err());
        prop_assert!(Outbox::create(&path).is_err());
        prop_assert!(Outbox::open_existing(&path).is_err());
        prop_assert!(Ledger::open(Some(&path)).is_err());
        let _ = read_event_file(&path);
        prop_assert_eq!(std::fs::read(&path).unwrap(), bytes);
        prop_assert!(!dir.file("file.db-wal").exists() && !dir.file("file.db-shm").exists());
    }
}
