//! Day 9 — over HTTP: the suite against live servers, the consumer's pact,
//! schemathesis (skipped when not installed, unless WORKBOOK_REQUIRE_TOOLS=1).

use std::collections::BTreeSet;

use contracts::pact::{PACT_FILE, verify};
use contracts::schemathesis::{self, RunOptions};
use contracts::search::Version;
use contracts::server::{Clock, OPENAPI_PATH, RunningServer, ServerConfig};
use contracts::storefront::{MockProvider, Storefront, expectations, pact_json};
use contracts::suite::{LatencyOn, SuiteConfig, run_suite};

fn config() -> SuiteConfig {
    SuiteConfig {
        cases: 24,
        ..SuiteConfig::default()
    }
}

fn broken(v: Version) -> BTreeSet<&'static str> {
    let server = RunningServer::start(ServerConfig::new(v, 9), Clock::Virtual).expect("server");
    let report = run_suite(
        &server.base_url(),
        &config(),
        LatencyOn::Runtime(server.runtime()),
    )
    .expect("suite runs");
    for p in report.broken() {
        assert!(p.observed.is_some(), "{} has no observation", p.id);
        if p.id != "latency" {
            assert!(p.counterexample.is_some(), "{} has no counterexample", p.id);
        }
    }
    report.broken().map(|p| p.id).collect()
}

#[test]
fn v1_keeps_every_promise() {
    assert_eq!(broken(Version::V1), BTreeSet::new());
}

#[test]
fn v2_breaks_the_promises_its_regressions_touch_and_no_other() {
    let want: BTreeSet<&str> = [
        "relevant",
        "limit-respected",
        "out-of-stock-last",
        "premium-first",
        "deterministic",
        "top-k-prefix",
        "or-term-grows",
        "filter-subset",
        "paging-consistent",
        "latency",
    ]
    .into();
    assert_eq!(broken(Version::V2), want);
}

#[test]
fn counterexamples_are_shrunk_to_the_smallest_breaking_limit() {
    let server =
        RunningServer::start(ServerConfig::new(Version::V2, 9), Clock::Virtual).expect("server");
    let report = run_suite(&server.base_url(), &config(), LatencyOn::Skip).expect("suite");
    let limit = report
        .promises
        .iter()
        .find(|p| p.id == "limit-respected")
        .expect("promise");
    // v2 caps pages at 5, so 6 is the smallest limit that shows it.
    assert_eq!(
        limit.counterexample.as_deref(),
        Some("query=\"laptop\" limit=6")
    );
}

#[test]
fn the_consumer_test_writes_the_pact_from_a_mock_provider() {
    let pact = expectations();
    let mock = MockProvider::start(pact.clone()).expect("mock");
    let shop = Storefront::new(&mock.base_url()).expect("client");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let shelf = rt.block_on(shop.laptop_shelf()).expect("shelf");
    assert_eq!(shelf.len(), 3);
    assert!(
        shelf.iter().all(|p| p.in_stock),
        "every card gets a Buy button"
    );
    assert_eq!(
        rt.block_on(shop.phone_carousel()).expect("carousel").len(),
        8
    );
    assert!(
        rt.block_on(shop.search_box("zzz"))
            .expect("search")
            .is_empty()
    );
    // A request the pact doesn't describe gets a 400 from the mock: the consumer
    // test would fail rather than silently rely on something unrecorded.
    assert!(rt.block_on(shop.search_box("tablet")).is_err());
    assert_eq!(mock.unused(), Vec::<String>::new());
    drop(mock);
    // The pact file is what the consumer's test produced (BLESS=1 rewrites it).
    kit::snapshot::check(std::path::Path::new(PACT_FILE), &pact_json(&pact)).expect("pact file");
}

#[test]
fn provider_verification_passes_v1_and_fails_v2() {
    let committed: contracts::pact::Pact =
        serde_json::from_str(&std::fs::read_to_string(PACT_FILE).expect("pact file"))
            .expect("pact parses");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for (v, want) in [
        (Version::V1, [true, true, true]),
        (Version::V2, [false, false, true]),
    ] {
        let server = RunningServer::start(ServerConfig::new(v, 9), Clock::Virtual).expect("server");
        let results = rt
            .block_on(verify(&committed, &server.base_url()))
            .expect("verify");
        let got: Vec<bool> = results.iter().map(|r| r.passed).collect();
        assert_eq!(got, want, "{v:?}: {results:?}");
    }
}

#[test]
fn schemathesis_passes_both_versions() {
    let Ok(exe) = schemathesis::find() else {
        if std::env::var("WORKBOOK_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("schemathesis not installed and WORKBOOK_REQUIRE_TOOLS=1");
        }
        println!("SKIP: schemathesis not installed");
        return;
    };
    let options = RunOptions {
        seed: 9,
        max_examples: 20,
    };
    for v in [Version::V1, Version::V2] {
        let server = RunningServer::start(ServerConfig::new(v, 9), Clock::Virtual).expect("server");
        let url = format!("{}{OPENAPI_PATH}", server.base_url());
        let verdict = schemathesis::run(&exe, &url, &options).expect("schemathesis runs");
        assert!(verdict.passed, "{v:?}:\n{}", verdict.output);
    }
}
