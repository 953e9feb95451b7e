//! Day 9 — the engine without a network: catalogue, search, parameters, percentiles,
//! pact matching.

use std::time::Duration;

use contracts::catalog::{CATALOG_JSON, default_catalog, parse_catalog};
use contracts::latency::nearest_rank;
use contracts::pact::match_body;
use contracts::search::{SearchRequest, Version, promised_rank_key, search, terms};
use contracts::server::{OPENAPI_JSON, ServiceTime, parse_params};
use contracts::storefront::expectations;
use proptest::prelude::*;

#[test]
fn the_fixture_catalogue_parses_and_has_every_kind_of_product() {
    let c = parse_catalog(CATALOG_JSON).expect("fixture parses");
    assert_eq!(c.len(), default_catalog().len());
    assert!(c.iter().any(|p| !p.in_stock));
    assert!(c.iter().any(|p| p.premium));
    assert!(c.iter().any(|p| p.sponsored));
    for kind in ["laptop", "phone", "tablet", "accessory"] {
        assert!(c.iter().any(|p| p.category == kind), "{kind}");
    }
}

#[test]
fn bad_catalogues_are_refused_with_where() {
    let cases: &[(&str, &str)] = &[
        ("", "line 1"),
        ("{}", "line 1"),
        ("[{\"id\": \"a\"}]", "missing field"),
        (
            "[{\"id\":\"a\",\"name\":\"n\",\"category\":\"c\",\"price\":1,\"inStock\":true,\"premium\":false,\"sponsored\":false},\n {\"id\":\"a\",\"name\":\"n\",\"category\":\"c\",\"price\":1,\"inStock\":true,\"premium\":false,\"sponsored\":false}]",
            "product #1 repeats id \"a\"",
        ),
        (
            "[{\"id\":\"a\",\"name\":\"n\",\"category\":\"c\",\"price\":-1,\"inStock\":true,\"premium\":false,\"sponsored\":false}]",
            "invalid price",
        ),
        (
            "[{\"id\":\"a\",\"name\":\"n\",\"category\":\"c\",\"price\":1,\"inStock\":\"yes\",\"premium\":false,\"sponsored\":false}]",
            "invalid type",
        ),
    ];
    for (json, want) in cases {
        let e = parse_catalog(json).expect_err(json).to_string();
        assert!(e.contains(want), "{json:?}: {e}");
    }
}

#[test]
fn the_openapi_document_is_openapi_3_and_documents_every_parameter() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).expect("JSON");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.0"))
    );
    let params = &doc["paths"]["/api/products/search"]["get"]["parameters"];
    let names: Vec<&str> = params
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["query", "limit", "offset", "inStock"]);
    assert_eq!(params[1]["schema"]["default"], 10);
    let required = &doc["components"]["schemas"]["Product"]["required"];
    assert_eq!(required.as_array().map(Vec::len), Some(7));
}

#[test]
fn parameters_follow_the_document() {
    let p = |s: &[(&str, &str)]| {
        parse_params(
            &s.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
        )
    };
    let ok = p(&[("query", "laptop")]).expect("defaults");
    assert_eq!((ok.limit, ok.offset, ok.in_stock), (10, 0, None));
    let long = "x".repeat(201);
    let bad: &[&[(&str, &str)]] = &[
        &[],
        &[("limit", "3")],
        &[("query", "a"), ("limit", "0")],
        &[("query", "a"), ("limit", "101")],
        &[("query", "a"), ("limit", "1.5")],
        &[("query", "a"), ("limit", "+3")],
        &[("query", "a"), ("limit", "-1")],
        &[("query", "a"), ("limit", "")],
        &[("query", "a"), ("offset", "10001")],
        &[("query", "a"), ("inStock", "yes")],
        &[("query", "a"), ("query", "b")],
        &[("query", long.as_str())],
    ];
    for case in bad {
        assert!(p(case).is_err(), "{case:?} should be refused");
    }
    assert!(
        p(&[("query", "")]).is_ok(),
        "an empty query is a valid string"
    );
}

#[test]
fn v1_answers_laptop_with_an_ad_then_laptops_in_stock() {
    let c = default_catalog();
    let r = search(Version::V1, &c, &SearchRequest::new("laptop", 5), 0);
    assert!(r[0].sponsored);
    assert!(r[1..].iter().all(|p| p.category == "laptop" && p.in_stock));
    assert_eq!(r.iter().filter(|p| p.sponsored).count(), 1);
}

#[test]
fn v2_caps_silently_and_flips_ties_between_requests() {
    let c = default_catalog();
    let mut req = SearchRequest::new("phone", 1);
    assert_eq!(
        search(Version::V2, &c, &SearchRequest::new("phone", 50), 0).len(),
        5
    );
    req.offset = 5;
    assert_ne!(
        search(Version::V2, &c, &req, 0),
        search(Version::V2, &c, &req, 1)
    );
    assert_eq!(
        search(Version::V1, &c, &req, 0),
        search(Version::V1, &c, &req, 1)
    );
}

#[test]
fn nearest_rank_is_a_sample_value_at_rank_ceiling() {
    let xs: Vec<Duration> = (1..=1000).map(Duration::from_millis).collect();
    assert_eq!(nearest_rank(&xs, 95.0), Some(Duration::from_millis(950)));
    assert_eq!(nearest_rank(&xs, 99.0), Some(Duration::from_millis(990)));
    assert_eq!(nearest_rank(&xs, 100.0), Some(Duration::from_millis(1000)));
    let five: Vec<Duration> = (1..=5).map(Duration::from_millis).collect();
    // rank ⌈0.95 · 5⌉ = 5: with few samples p95 is the maximum.
    assert_eq!(nearest_rank(&five, 95.0), Some(Duration::from_millis(5)));
    assert_eq!(nearest_rank(&[], 95.0), None);
    assert_eq!(nearest_rank(&xs, 0.0), None);
    assert_eq!(nearest_rank(&xs, 101.0), None);
}

#[test]
fn the_slow_tail_is_only_in_v2_and_is_seeded() {
    let v1 = ServiceTime {
        seed: 9,
        slow_tail: false,
    };
    let v2 = ServiceTime {
        seed: 9,
        slow_tail: true,
    };
    let slow = |m: ServiceTime| {
        (0..2000)
            .filter(|&n| m.of_request(n) >= Duration::from_millis(500))
            .count()
    };
    assert_eq!(slow(v1), 0);
    assert!(slow(v2) > 20, "about 3 % of 2000");
    assert_eq!(v2.of_request(7), v2.of_request(7));
}

#[test]
fn pact_matching_rules_equality_type_min_max() {
    let pact = expectations();
    let shelf = &pact.interactions[0].response;
    let good = serde_json::json!([
        {"id": "x", "name": "n", "category": "accessory", "price": 1.0, "inStock": true, "premium": false, "sponsored": true, "extra": 1},
        {"id": "y", "name": "m", "category": "laptop", "price": 2.5, "inStock": true, "premium": true, "sponsored": false},
        {"id": "z", "name": "o", "category": "laptop", "price": 3, "inStock": true, "premium": true, "sponsored": false}
    ]);
    assert!(
        match_body(shelf, &good).is_empty(),
        "{:?}",
        match_body(shelf, &good)
    );
    let mut out_of_stock = good.clone();
    out_of_stock[2]["inStock"] = false.into();
    assert_eq!(
        match_body(shelf, &out_of_stock),
        ["$[2].inStock: expected true, got false"]
    );
    let mut wrong_type = good.clone();
    wrong_type[0]["price"] = "cheap".into();
    assert_eq!(
        match_body(shelf, &wrong_type),
        ["$[0].price: expected number, got string"]
    );
    let mut missing = good.clone();
    missing[1].as_object_mut().expect("object").remove("name");
    assert_eq!(match_body(shelf, &missing), ["$[1].name: missing"]);
    let two = serde_json::json!([good[0], good[1]]);
    assert_eq!(
        match_body(shelf, &two),
        ["$: expected at least 3 items, got 2"]
    );
    let empty = &pact.interactions[2].response;
    assert!(match_body(empty, &serde_json::json!([])).is_empty());
    assert_eq!(match_body(empty, &good), ["$: expected 0 items, got 3"]);
    assert_eq!(
        match_body(empty, &serde_json::json!({})),
        ["$: expected array, got object"]
    );
}

fn word() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "laptop", "phone", "tablet", "pro", "case", "lap", "zzz", "Galaxy",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// The engine of v1 keeps its promises for any query, limit and offset.
    #[test]
    fn v1_pages_are_slices_of_the_promised_order(
        words in proptest::collection::vec(word(), 1..4),
        limit in 1u32..=100,
        offset in 0u32..40,
    ) {
        let c = default_catalog();
        let query = words.join(" ");
        let t = terms(&query);
        let all = search(Version::V1, &c, &SearchRequest::new(&query, 100), 0);
        let mut req = SearchRequest::new(&query, limit);
        req.offset = offset;
        let page = search(Version::V1, &c, &req, 7);
        let start = (offset as usize).min(all.len());
        let end = (start + limit as usize).min(all.len());
        prop_assert_eq!(&page[..], &all[start..end]);
        let organic: Vec<_> = all.iter().filter(|p| !p.sponsored).collect();
        for w in organic.windows(2) {
            prop_assert!(promised_rank_key(w[0], &t) <= promised_rank_key(w[1], &t));
        }
    }
}
