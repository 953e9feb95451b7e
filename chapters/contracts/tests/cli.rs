//! Day 9 — the `contracts` binary: exit codes and bad input.

use std::process::Command;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use contracts::search::Version;
use contracts::server::{Clock, RunningServer, ServerConfig};

/// A server that answers the search path with `body` (as JSON or not).
struct Garbage {
    url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
    _thread: std::thread::JoinHandle<()>,
}

fn garbage(content_type: &'static str, body: &'static str, status: u16) -> Garbage {
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
        get(move || async move {
            (
                axum::http::StatusCode::from_u16(status).expect("status"),
                [(header::CONTENT_TYPE, content_type)],
                body,
            )
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
    Garbage {
        url,
        _stop: tx,
        _thread: thread,
    }
}

fn check(url: &str, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_contracts"))
        .args(["check", url, "--cases", "4", "--no-latency"])
        .args(extra)
        .output()
        .expect("run contracts");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_targets_exit_2_with_a_clear_message() {
    // A port that was free a moment ago: nothing answers there.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let html = garbage("text/html", "<html>maintenance</html>", 200);
    let object = garbage("application/json", "{\"products\": []}", 200);
    let missing_field = garbage(
        "application/json",
        "[{\"id\": \"p-1\", \"name\": \"x\"}]",
        200,
    );
    let wrong_type = garbage(
        "application/json",
        "[{\"id\":1,\"name\":\"x\",\"category\":\"c\",\"price\":1,\"inStock\":true,\"premium\":false,\"sponsored\":false}]",
        200,
    );
    let server_error = garbage("text/plain", "boom", 500);
    let cases: Vec<(&str, String, &str)> = vec![
        ("unreachable", dead, "no answer"),
        (
            "not a URL",
            "not a url".into(),
            "not a usable http:// base URL",
        ),
        ("https", "https://127.0.0.1:1".into(), "only http://"),
        ("hostile", "http://[::1".into(), "not a usable"),
        ("HTML", html.url.clone(), "not JSON"),
        (
            "object",
            object.url.clone(),
            "expected an array at $, got an object",
        ),
        (
            "missing field",
            missing_field.url.clone(),
            "$[0]: missing field",
        ),
        ("wrong type", wrong_type.url.clone(), "$[0]: invalid type"),
        ("500", server_error.url.clone(), "HTTP 500"),
    ];
    for (name, url, want) in cases {
        let (code, stdout, stderr) = check(&url, &[]);
        assert_eq!(code, 2, "{name}: stderr {stderr}");
        assert!(stderr.contains(want), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: {stdout}");
    }
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        vec!["check"],
        vec!["check", "http://127.0.0.1:1", "--format", "yaml"],
        vec!["check", "http://127.0.0.1:1", "--cases", "0"],
        vec!["check", "http://127.0.0.1:1", "--timeout", "-1"],
        vec!["check", "http://127.0.0.1:1", "--local", "v1"],
        vec!["check", "--local", "v3"],
        vec!["serve", "--version", "v3"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_contracts"))
            .args(&args)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn exit_0_for_v1_and_1_for_v2_with_json_output() {
    for (v, want) in [(Version::V1, 0), (Version::V2, 1)] {
        let server = RunningServer::start(ServerConfig::new(v, 9), Clock::Virtual).expect("server");
        let (code, stdout, stderr) = check(&server.base_url(), &["--format", "json"]);
        assert_eq!(code, want, "{v:?}: {stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
        let promises = json["promises"].as_array().expect("promises");
        assert_eq!(promises.len(), 10, "no latency entry with --no-latency");
        let all_hold = promises.iter().all(|p| p["holds"] == true);
        assert_eq!(all_hold, want == 0);
    }
}

#[test]
fn local_starts_its_own_server_and_keeps_stderr_quiet_off_a_terminal() {
    for (v, want) in [("v1", 0), ("v2", 1)] {
        let out = Command::new(env!("CARGO_BIN_EXE_contracts"))
            .args(["check", "--local", v, "--cases", "4", "--no-latency"])
            .output()
            .expect("run contracts");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(want), "{v}: {stderr}");
        // The progress bar draws only on a terminal: a pipe gets nothing.
        assert!(stderr.is_empty(), "{v}: {stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("sponsored-marked"), "{v}: {stdout}");
    }
}
