//! Day 9 — the suite in-process (what the page's Try it block runs in the browser)
//! against the suite over HTTP on a paused server: one engine, two transports, the same
//! report, counterexamples and latency figures included.

use contracts::search::{SearchRequest, Version};
use contracts::server::{Clock, RunningServer, ServerConfig};
use contracts::suite::{LatencyOn, SuiteConfig, run_suite, run_suite_in_process};
use contracts::transport::{InProcess, Transport};

#[test]
fn in_process_and_http_give_the_same_report() {
    for (version, seed) in [(Version::V1, 9), (Version::V2, 9), (Version::V2, 3)] {
        let config = SuiteConfig {
            seed,
            cases: 24,
            warmup: 20,
            measured: 300,
            ..SuiteConfig::default()
        };
        let server =
            RunningServer::start(ServerConfig::new(version, seed), Clock::Virtual).expect("server");
        let http = run_suite(
            &server.base_url(),
            &config,
            LatencyOn::Runtime(server.runtime()),
        )
        .expect("suite over HTTP");
        let local = run_suite_in_process(ServerConfig::new(version, seed), &config, true, None)
            .expect("suite in-process");
        assert_eq!(
            serde_json::to_string_pretty(&http).unwrap(),
            serde_json::to_string_pretty(&local).unwrap(),
            "{version:?} seed {seed}"
        );
    }
}

#[test]
fn in_process_refuses_what_the_document_refuses() {
    let api = InProcess::new(ServerConfig::new(Version::V1, 9));
    let err = api
        .search(&SearchRequest::new("laptop", 101))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("HTTP 400") && err.contains("limit=101"),
        "{err}"
    );
    assert!(err.contains("must be an integer in 1..=100"), "{err}");
}

#[test]
fn the_virtual_clock_advances_by_the_service_time_model() {
    let api = InProcess::new(ServerConfig::new(Version::V1, 9));
    let model = contracts::server::ServiceTime {
        seed: 9,
        slow_tail: false,
    };
    api.search(&SearchRequest::new("laptop", 3)).unwrap();
    api.search(&SearchRequest::new("phone", 3)).unwrap();
    assert_eq!(api.now(), model.of_request(0) + model.of_request(1));
}
