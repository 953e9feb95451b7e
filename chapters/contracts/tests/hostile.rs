//! Day 9 — hostile input (CONTRIBUTING.md, "Hostile input"): every program's flags have
//! a range, the server answers bad requests with a 4xx and a reason, a port in use is
//! not taken over, the client refuses answers it cannot read exactly (repeated keys,
//! integers beyond 64 bits, oversized bodies), a closed or full stdout ends `contracts`
//! cleanly, and a folder the program did not make is left as it was.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use contracts::latency::{MAX_CONCURRENCY, probe, workers_for};
use contracts::pact::{PactError, match_body, parse_pact};
use contracts::search::Version;
use contracts::server::{Clock, RunningServer, ServerConfig, decode_query, parse_params};
use contracts::transport::parse_products;
use proptest::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_contracts");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Run the `contracts` binary with a deadline (a hostile flag must not make it hang).
fn contracts(args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run contracts");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("contracts {args:?} still running after 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A usage error: exit 2, the flag named, no panic, nothing on stdout.
fn assert_usage_error(what: &str, out: &Output, flag: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
    assert!(
        stderr.contains(flag),
        "{what}: message should name {flag}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(out.stdout.is_empty(), "{what}: {}", text(&out.stdout));
}

#[test]
fn contracts_flags_out_of_range_are_usage_errors_naming_the_flag() {
    let huge = "18446744073709551615";
    // (flags, the flag the message names, what else it says: the range, or why)
    let cases: &[(&[&str], &str, &str)] = &[
        // Was a panic: Duration::from_secs_f64(1e20).
        (&["--timeout", "1e20"], "--timeout", "outside 0.001..=3600"),
        (&["--timeout", huge], "--timeout", "outside 0.001..=3600"),
        (&["--timeout", "NaN"], "--timeout", "outside 0.001..=3600"),
        (&["--timeout", "inf"], "--timeout", "outside 0.001..=3600"),
        (&["--timeout", "0"], "--timeout", "outside 0.001..=3600"),
        (&["--timeout=-1"], "--timeout", "outside 0.001..=3600"),
        (&["--timeout", ""], "--timeout", "not a number"),
        (&["--timeout", "ten"], "--timeout", "not a number"),
        // Was a hang: 2^64 − 1 workers spawned for the requests.
        (&["--concurrency", huge], "--concurrency", "not in 1..=256"),
        (&["--concurrency", "0"], "--concurrency", "not in 1..=256"),
        (&["--concurrency", "257"], "--concurrency", "not in 1..=256"),
        (&["--cases", "0"], "--cases", "not in 1..=1024"),
        (&["--cases", "1025"], "--cases", "not in 1..=1024"),
        (&["--cases", "1e20"], "--cases", "invalid digit"),
        // Were capacity-overflow panics.
        (&["--requests", huge], "--requests", "not in 1..=100000"),
        (&["--warmup", huge], "--warmup", "not in 0..=100000"),
        (&["--requests", "0"], "--requests", "not in 1..=100000"),
        (&["--requests", "100001"], "--requests", "not in 1..=100000"),
    ];
    for (extra, flag, why) in cases {
        let mut args = vec!["check", "--local", "v1", "--no-latency"];
        args.extend_from_slice(extra);
        let out = contracts(&args);
        assert_usage_error(&format!("{extra:?}"), &out, flag);
        let stderr = text(&out.stderr);
        assert!(stderr.contains(why), "{extra:?}: want {why:?} in {stderr}");
    }
    // In range, the same flags run (a deliberately short timeout, all workers needed).
    let out = contracts(&[
        "check",
        "--local",
        "v1",
        "--cases",
        "1",
        "--timeout",
        "30",
        "--warmup",
        "0",
        "--requests",
        "3",
        "--concurrency",
        "256",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn examples_flags_out_of_range_are_usage_errors_naming_the_flag() {
    let long_query = "a".repeat(201);
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        // Was a request the server refused, reported as "HTTP 400 for a valid request".
        ("search", vec!["--limit", "0"], "--limit"),
        ("search", vec!["--limit", "101"], "--limit"),
        ("search", vec!["--offset", "10001"], "--offset"),
        ("search", vec!["--query", &long_query], "--query"),
        // Was a capacity-overflow panic.
        (
            "latency",
            vec!["--svg", "--requests", "18446744073709551615"],
            "--requests",
        ),
        // Was a hang (2^64 − 1 warm-up requests).
        (
            "latency",
            vec!["--svg", "--warmup", "18446744073709551615"],
            "--warmup",
        ),
        // Were silently raised to 1.
        ("latency", vec!["--requests", "0"], "--requests"),
        ("latency", vec!["--concurrency", "0"], "--concurrency"),
        ("verdicts", vec!["--cases", "0"], "--cases"),
        ("verdicts", vec!["--requests", "0"], "--requests"),
        ("verdicts", vec!["--max-examples", "0"], "--max-examples"),
        ("verdicts", vec!["--max-examples", "1001"], "--max-examples"),
        (
            "verdicts",
            vec!["--warmup", "18446744073709551615"],
            "--warmup",
        ),
        ("try_it", vec!["--cases", "0"], "cases"),
        ("try_it", vec!["--requests", "10001"], "requests"),
    ];
    for (example, args, flag) in cases {
        let out = kit::programs::run_example("contracts", example, &args, "").expect("cargo run");
        assert_usage_error(&format!("{example} {args:?}"), &out, flag);
    }
}

#[test]
fn a_closed_or_full_stdout_ends_check_cleanly() {
    let args = ["check", "--local", "v1", "--no-latency", "--cases", "1"];
    let full = Command::new(BIN)
        .args(args)
        .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
        .output()
        .expect("run");
    let stderr = text(&full.stderr);
    // Was exit 0 with nothing said: the report was silently lost.
    assert_eq!(full.status.code(), Some(kit::cli::IO_ERROR), "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    drop(child.stdout.take()); // the reader has gone
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(kit::cli::BROKEN_PIPE));
    assert!(!text(&out.stderr).contains("panicked"));
}

#[test]
fn serve_on_a_port_in_use_names_it_and_leaves_it_to_its_owner() {
    let owner = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = owner.local_addr().expect("addr");
    let port = addr.port().to_string();
    let out = contracts(&["serve", "--port", &port]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("in use"), "{stderr}");
    assert!(
        !stderr.contains("Ctrl-C stops"),
        "claimed to serve: {stderr}"
    );
    // The owner still has it.
    let mut client = std::net::TcpStream::connect(addr).expect("connect");
    let (mut accepted, _) = owner.accept().expect("accept");
    client.write_all(b"x").expect("write");
    let mut b = [0u8; 1];
    accepted.read_exact(&mut b).expect("read");
    assert_eq!(&b, b"x");
}

/// `GET base + path_and_query` (raw: no re-encoding), its status and body.
fn get_raw(addr: &str, path_and_query: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    write!(
        s,
        "GET {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).expect("read");
    let resp = text(&resp);
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn the_server_answers_malformed_and_extreme_requests_with_400_and_a_reason() {
    let config = ServerConfig {
        service_time: false,
        ..ServerConfig::new(Version::V1, 9)
    };
    let server = RunningServer::start(config, Clock::Real).expect("server");
    let addr = server.base_url().trim_start_matches("http://").to_string();
    let search = "/api/products/search";
    let long = "a".repeat(201);
    let cases: Vec<(String, &str)> = vec![
        ("query=laptop&limit=0".into(), "\\\"limit\\\""),
        ("query=laptop&limit=-1".into(), "\\\"limit\\\""),
        (
            "query=laptop&limit=18446744073709551616".into(),
            "\\\"limit\\\"",
        ),
        ("query=laptop&limit=1e20".into(), "\\\"limit\\\""),
        ("query=laptop&limit=NaN".into(), "\\\"limit\\\""),
        ("query=laptop&limit=ten".into(), "\\\"limit\\\""),
        ("query=laptop&limit=".into(), "\\\"limit\\\""),
        ("query=laptop&offset=10001".into(), "\\\"offset\\\""),
        ("query=laptop&offset=inf".into(), "\\\"offset\\\""),
        ("query=laptop&inStock=1".into(), "\\\"inStock\\\""),
        ("query=a&query=b".into(), "given more than once"),
        ("limit=5".into(), "\\\"query\\\" is required"),
        (format!("query={long}"), "longer than 200"),
        // Was 200 with a search for U+FFFD: bytes that are not UTF-8.
        ("query=%ff%fe".into(), "\\\"query\\\" is not valid UTF-8"),
        ("query=laptop&%ff=1".into(), "not valid UTF-8"),
    ];
    for (q, reason) in &cases {
        let (status, body) = get_raw(&addr, &format!("{search}?{q}"));
        assert_eq!(status, 400, "{q}: {body}");
        assert!(body.contains("\"error\""), "{q}: {body}");
        assert!(body.contains(reason), "{q}: want {reason} in {body}");
    }
    // A long URI is refused by the HTTP layer with a 4xx, not a 500.
    let (status, _) = get_raw(&addr, &format!("{search}?query={}", "a".repeat(100_000)));
    assert!((400..500).contains(&status), "huge URI: {status}");
    // Lenient where browsers are: `+` is a space, a stray `%` is kept; both are 200.
    for q in [
        "query=laptop+pro",
        "query=100%25",
        "query=%zz",
        "query=laptop&&limit=3",
    ] {
        let (status, body) = get_raw(&addr, &format!("{search}?{q}"));
        assert_eq!(status, 200, "{q}: {body}");
    }
}

#[test]
fn the_mock_provider_answers_an_unknown_request_with_400_and_a_reason() {
    let mock = contracts::storefront::MockProvider::start(contracts::storefront::expectations())
        .expect("mock");
    let addr = mock.base_url().trim_start_matches("http://").to_string();
    let (status, body) = get_raw(&addr, "/api/products/search?query=tablet&limit=10");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("no interaction for GET"), "{body}");
}

#[test]
fn query_decoding_refuses_invalid_utf8_and_matches_form_decoding_otherwise() {
    let e = decode_query("query=%C3%28").unwrap_err();
    assert!(e.contains("\"query\" is not valid UTF-8"), "{e}");
    assert_eq!(
        decode_query("query=laptop+pro&limit=5&&flag&q=%E2%82%AC%2").unwrap(),
        vec![
            ("query".to_string(), "laptop pro".to_string()),
            ("limit".to_string(), "5".to_string()),
            ("flag".to_string(), String::new()),
            ("q".to_string(), "€%2".to_string()),
        ]
    );
}

/// A server answering the search path with `body`, `application/json`, 200.
struct Canned {
    url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
    _thread: std::thread::JoinHandle<()>,
}

fn canned(body: String) -> Canned {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = Router::new().route(
        "/api/products/search",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        rt.block_on(async move {
            tokio::select! {
                _ = axum::serve(listener, app) => {}
                _ = rx => {}
            }
        });
    });
    Canned {
        url,
        _stop: tx,
        _thread: thread,
    }
}

fn product(id: &str, price: &str) -> String {
    format!(
        r#"{{"id":"{id}","name":"Zenbook Laptop","category":"laptop","price":{price},"inStock":true,"premium":false,"sponsored":false}}"#
    )
}

#[test]
fn check_refuses_answers_it_cannot_read_exactly() {
    let dup = r#"[{"id":"a","id":"b","name":"Zenbook Laptop","category":"laptop","price":1,"inStock":true,"premium":false,"sponsored":false}]"#;
    let many: Vec<String> = (0..101).map(|i| product(&format!("p{i}"), "1")).collect();
    let cases: Vec<(&str, String, &str)> = vec![
        // Each of these was accepted: exit 1 with made-up broken promises, or exit 0.
        (
            "repeated key",
            dup.to_string(),
            "the key \"id\" appears twice",
        ),
        (
            "integer beyond u64",
            format!("[{}]", product("a", "18446744073709551616")),
            "beyond the 64-bit integer range",
        ),
        (
            "negative price",
            format!("[{}]", product("a", "-5")),
            "$[0].price",
        ),
        ("101 items", format!("[{}]", many.join(",")), "at most 100"),
        // Was read whole into memory (and an empty array: exit 0, every promise "held").
        (
            "2 MiB body",
            format!("[{}]", " ".repeat(2 << 20)),
            "larger than 1048576 bytes",
        ),
    ];
    for (name, body, want) in cases {
        let server = canned(body);
        let out = contracts(&["check", &server.url, "--cases", "2", "--no-latency"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(want), "{name}: want {want:?} in {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}");
    }
}

#[test]
fn integers_beyond_u64_are_errors_not_equal_to_their_neighbours() {
    // The hazard: through f64, serde_json's Value says these two differ by nothing.
    let a: serde_json::Value = serde_json::from_str("18446744073709551616").expect("json");
    let b: serde_json::Value = serde_json::from_str("18446744073709551617").expect("json");
    assert_eq!(a, b, "serde_json rounds both to the same f64");
    // So the client and the pact verifier refuse them instead of comparing.
    let e = parse_products(
        "u",
        format!("[{}]", product("a", "18446744073709551617")).as_bytes(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("beyond the 64-bit integer range"), "{e}");
    let pact = std::fs::read_to_string(contracts::pact::PACT_FILE).expect("pact file");
    let hostile = pact.replacen("1899.0", "18446744073709551616", 1);
    assert_ne!(hostile, pact, "the fixture has a price to replace");
    let e = parse_pact("hostile.json", hostile.as_bytes()).unwrap_err();
    assert!(matches!(e, PactError::Json { .. }), "{e}");
    assert!(e.to_string().starts_with("hostile.json: "), "{e}");
    assert!(
        e.to_string().contains("beyond the 64-bit integer range"),
        "{e}"
    );
    // In range, an exact comparison: u64::MAX and u64::MAX − 1 differ.
    let committed = parse_pact("pact", pact.as_bytes()).expect("the committed pact is strict");
    let mut response = committed.interactions[2].response.clone();
    response.body = serde_json::json!([u64::MAX]);
    assert!(match_body(&response, &serde_json::json!([u64::MAX])).is_empty());
    assert!(!match_body(&response, &serde_json::json!([u64::MAX - 1])).is_empty());
}

#[test]
fn a_pact_file_with_repeated_keys_or_rules_it_would_ignore_is_refused() {
    let pact = std::fs::read_to_string(contracts::pact::PACT_FILE).expect("pact file");
    // A repeated key: serde would keep the second "limit" and verify something else.
    let dup = pact.replacen(
        "\"limit\": [",
        "\"limit\": [\"99\"],\n        \"limit\": [",
        1,
    );
    assert_ne!(dup, pact);
    let e = parse_pact("dup.json", dup.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("the key \"limit\" appears twice"), "{e}");
    assert!(e.contains("line "), "{e}");
    // A matcher this verifier doesn't implement was silently plain equality.
    let regex = pact.replacen("\"match\": \"equality\"", "\"match\": \"regex\"", 1);
    assert_ne!(regex, pact);
    let e = parse_pact("regex.json", regex.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("matcher \"regex\" is not supported"), "{e}");
    assert!(e.contains("interaction 0"), "{e}");
    // A rule path it can't read was silently dropped.
    let path = pact.replacen("\"$[*].inStock\"", "\"$[*]inStock\"", 1);
    assert_ne!(path, pact);
    let e = parse_pact("path.json", path.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"$[*]inStock\" is not understood"), "{e}");
    // Not a pact at all.
    let e = parse_pact("x.json", b"{\"consumer\": 1}")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("x.json: not a pact"), "{e}");
}

#[test]
fn latency_workers_never_exceed_the_requests() {
    assert_eq!(workers_for(3, 16), 3);
    assert_eq!(workers_for(0, 16), 0);
    assert_eq!(workers_for(1000, 0), 1);
    assert_eq!(workers_for(1_000_000, usize::MAX), MAX_CONCURRENCY);
    // And the probe itself: 3 requests at the largest concurrency, no warm-up.
    let config = ServerConfig {
        service_time: false,
        ..ServerConfig::new(Version::V1, 9)
    };
    let server = RunningServer::start(config, Clock::Real).expect("server");
    let api =
        contracts::client::Api::new(&server.base_url(), Duration::from_secs(10)).expect("client");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let bar = contracts::progress::ProgressBar::hidden();
    let report = rt
        .block_on(probe(&api, 0, 3, MAX_CONCURRENCY, &bar))
        .expect("probe");
    assert_eq!(report.measured, 3);
    // Sizes beyond the bounds are refused before memory is reserved for them.
    let e = rt
        .block_on(probe(&api, 0, usize::MAX, 1, &bar))
        .unwrap_err()
        .to_string();
    assert!(e.contains("1..=100000 measured"), "{e}");
}

#[test]
fn a_scratch_folder_of_the_same_name_is_never_used_or_removed() {
    // schemathesis runs in a scratch folder that is removed afterwards. One of that name
    // that is already there (another program's) was used, and then deleted with all
    // its contents.
    let tmp = std::env::temp_dir();
    let pid = std::process::id();
    let foreign: Vec<_> = (0..2)
        .map(|n| tmp.join(format!("contracts-schemathesis-{pid}-{n}")))
        .collect();
    for dir in &foreign {
        std::fs::create_dir_all(dir).expect("mkdir");
        std::fs::write(dir.join("notes.txt"), b"not yours\n").expect("write");
    }
    let verdict = contracts::schemathesis::run(
        std::path::Path::new("true"),
        "http://127.0.0.1:1/openapi.json",
        &contracts::schemathesis::RunOptions::default(),
    )
    .expect("`true` runs");
    assert!(verdict.passed);
    for dir in &foreign {
        assert_eq!(
            std::fs::read(dir.join("notes.txt")).expect("still there"),
            b"not yours\n"
        );
        assert_eq!(std::fs::read_dir(dir).expect("dir").count(), 1, "{dir:?}");
        std::fs::remove_dir_all(dir).expect("clean up");
    }
    // And the run's own folder is gone.
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .expect("tmp")
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("contracts-schemathesis-{pid}-"))
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parse_products_never_panics(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_products("u", &body);
    }

    #[test]
    fn parse_products_never_panics_on_jsonish_text(body in r#"[\[\]{}",:0-9eE.+\-a-z ]{0,120}"#) {
        let _ = parse_products("u", body.as_bytes());
    }

    #[test]
    fn strict_json_agrees_with_serde_json_when_it_accepts(body in r#"[\[\]{}",:0-9eE.+\-a-z ]{0,80}"#) {
        if let Ok(v) = kit::json::strict_slice(body.as_bytes()) {
            let loose: serde_json::Value = serde_json::from_str(&body).expect("serde_json accepts it too");
            prop_assert_eq!(v, loose);
        }
    }

    #[test]
    fn parse_pact_never_panics(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_pact("p", &body);
    }

    #[test]
    fn parse_catalog_never_panics(s in ".{0,200}") {
        let _ = contracts::catalog::parse_catalog(&s);
    }

    #[test]
    fn decode_query_never_panics_and_every_accepted_pair_parses_or_is_refused(raw in ".{0,100}") {
        if let Ok(pairs) = decode_query(&raw) {
            let _ = parse_params(&pairs);
        }
    }

    #[test]
    fn decode_query_never_panics_on_escapes(raw in "[%0-9a-fA-Fqueryl=&+]{0,60}") {
        let _ = decode_query(&raw);
    }

    #[test]
    fn parse_params_never_panics(pairs in proptest::collection::vec(("(query|limit|offset|inStock|.{0,6})", ".{0,30}"), 0..6)) {
        let _ = parse_params(&pairs);
    }

    #[test]
    fn match_body_never_panics_on_any_rule_path(path in r"[$\[\]*.0-9a-z]{0,20}", actual in r#"[\[\]{}",:0-9a-z ]{0,40}"#) {
        let pact = contracts::storefront::expectations();
        let mut response = pact.interactions[0].response.clone();
        response.matching_rules.body.insert(
            path,
            contracts::pact::RuleList { matchers: vec![contracts::pact::Matcher { kind: "type".into(), min: Some(5), max: Some(1) }] },
        );
        if let Ok(actual) = serde_json::from_str::<serde_json::Value>(&actual) {
            let _ = match_body(&response, &actual);
        }
    }
}
