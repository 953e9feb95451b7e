//! Day 13 — Server-to-Server Tracking: tests of the engine.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use s2s::collector::{
    Channel, Clock, CollectorConfig, CollectorState, FaultPlan, Ledger, Receipt, ServerHandle,
};
use s2s::event::{DEDUP_WINDOW_SECS, ServerEvent};
use s2s::hashing::{self, CustomerInfo, sha256_hex};
use s2s::outbox::Outbox;
use s2s::picture::{DEFAULT_ROWS, sequence_svg};
use s2s::relay::{Relay, RelayConfig, RelayEvent, full_jitter};
use s2s::scenario::{
    BASE_UNIX, FaultConfig, FaultRow, Happening, PIXEL_ID, ScratchDir, StoryConfig, endpoint,
    fault_row_sources, fault_rows, is_refused, render_faults, run_faults, run_faults_live,
    run_story,
};
use s2s::shop::{random_customer, random_order};

// Digests computed independently with Python's hashlib (and checked with sha256sum):
//   python3 -c "import hashlib;print(hashlib.sha256(b'person@example.com').hexdigest())"
const VECTORS: &[(&str, &str, &str)] = &[
    (
        "em",
        "  Person@Example.com ",
        "542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345",
    ),
    (
        "ph",
        "+1 (650) 555-1234",
        "6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599",
    ),
    (
        "ph",
        "001 650 555 1234",
        "6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599",
    ),
    (
        "fn",
        " John ",
        "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a",
    ),
    (
        "ln",
        "DOE",
        "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f",
    ),
    (
        "ct",
        "Menlo Park",
        "0007a3d64c01e23d5075203c5977c14e4f7e01a3fc570686fcc50b5e1dd42685",
    ),
    (
        "st",
        "CA",
        "6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126",
    ),
    (
        "country",
        " US",
        "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
    ),
    (
        "zp",
        "94025-1234",
        "b9a9cf3cd3723a2e91b7c23ecf68456e872b6e5d86e5cab7f3d45a7302da32c7",
    ),
    (
        "db",
        "1990-01-15",
        "4747c382bedef489a190a6797e6f4451907b86511bdd49cfa8f9d4c1a78d8bac",
    ),
];

#[test]
fn normalised_hashes_match_independently_computed_vectors() {
    for &(field, raw, digest) in VECTORS {
        let c = match field {
            "em" => CustomerInfo {
                email: Some(raw.into()),
                ..Default::default()
            },
            "ph" => CustomerInfo {
                phone: Some(raw.into()),
                ..Default::default()
            },
            "fn" => CustomerInfo {
                first_name: Some(raw.into()),
                ..Default::default()
            },
            "ln" => CustomerInfo {
                last_name: Some(raw.into()),
                ..Default::default()
            },
            "ct" => CustomerInfo {
                city: Some(raw.into()),
                ..Default::default()
            },
            "st" => CustomerInfo {
                state: Some(raw.into()),
                ..Default::default()
            },
            "country" => CustomerInfo {
                country: Some(raw.into()),
                ..Default::default()
            },
            "zp" => CustomerInfo {
                zip: Some(raw.into()),
                country: Some("US".into()),
                ..Default::default()
            },
            "db" => CustomerInfo {
                date_of_birth: Some(raw.into()),
                ..Default::default()
            },
            _ => unreachable!(),
        };
        let u = c.to_user_data().expect("valid");
        let got: Vec<&str> = u
            .hashed_fields()
            .into_iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, h)| h)
            .collect();
        assert_eq!(got, vec![digest], "{field} {raw:?}");
    }
    // The unhashed email gives a different digest: normalisation is not optional.
    assert_ne!(sha256_hex("Person@Example.com"), VECTORS[0].2);
}

#[test]
fn technical_fields_pass_through_unhashed() {
    let c = CustomerInfo {
        email: Some("a@b.co".into()),
        client_ip_address: Some("203.0.113.7".into()),
        client_user_agent: Some("Mozilla/5.0".into()),
        fbc: Some("fb.1.1.abc".into()),
        fbp: Some("fb.1.1.123".into()),
        ..Default::default()
    };
    let u = c.to_user_data().expect("valid");
    assert_eq!(u.client_ip_address.as_deref(), Some("203.0.113.7"));
    assert_eq!(u.client_user_agent.as_deref(), Some("Mozilla/5.0"));
    assert_eq!(u.fbc.as_deref(), Some("fb.1.1.abc"));
    assert_eq!(u.fbp.as_deref(), Some("fb.1.1.123"));
}

#[test]
fn bad_customer_values_are_refused_with_the_field_named() {
    type Normaliser = fn(&str) -> s2s::Result<String>;
    let cases: &[(&str, Normaliser)] = &[
        ("no-at-sign", hashing::normalise_email),
        ("a@b@c.com", hashing::normalise_email),
        ("", hashing::normalise_email),
        ("555-1234", hashing::normalise_phone),
        ("call me", hashing::normalise_phone),
        ("+1 234 567 890 123 456 7", hashing::normalise_phone),
        ("1990-02-30", hashing::normalise_dob),
        ("19901315", hashing::normalise_dob),
        ("yesterday", hashing::normalise_dob),
        ("!!!", hashing::normalise_city),
    ];
    for (raw, f) in cases {
        let e = f(raw).expect_err(raw);
        assert!(e.to_string().contains("customer field"), "{e}");
    }
    assert!(hashing::normalise_code("st", "California").is_err());
    assert_eq!(
        hashing::normalise_dob("2000-02-29").expect("leap day"),
        "20000229"
    );
}

fn receipt(id: &str) -> Receipt {
    Receipt {
        event_name: "Purchase".into(),
        event_id: id.into(),
        event_time: BASE_UNIX,
        value: 10.0,
    }
}

#[test]
fn dedup_keeps_the_first_within_48_hours_and_counts_again_after() {
    let mut l = Ledger::open(None).expect("ledger");
    let t0 = BASE_UNIX;
    assert_eq!(
        l.record(&[receipt("order-1")], Channel::Pixel, t0).unwrap(),
        (1, 0)
    );
    // The server copy 47 h later: a duplicate; the pixel's copy stays the counted one.
    assert_eq!(
        l.record(&[receipt("order-1")], Channel::Server, t0 + 47 * 3600)
            .unwrap(),
        (0, 1)
    );
    // Exactly at the window's end the first copy no longer protects.
    assert_eq!(
        l.record(
            &[receipt("order-1")],
            Channel::Server,
            t0 + DEDUP_WINDOW_SECS
        )
        .unwrap(),
        (1, 0)
    );
    // A different event name with the same id is a different conversion.
    let mut other = receipt("order-1");
    other.event_name = "AddToCart".into();
    assert_eq!(l.record(&[other], Channel::Server, t0).unwrap(), (1, 0));
    // Two copies inside one request: the second is the duplicate.
    assert_eq!(
        l.record(
            &[receipt("order-2"), receipt("order-2")],
            Channel::Server,
            t0
        )
        .unwrap(),
        (1, 1)
    );
    let s = l.stats().unwrap();
    assert_eq!((s.counted, s.duplicates, s.counted_from_pixel), (4, 2, 1));
}

#[test]
fn ledger_file_survives_reopening() {
    let dir = ScratchDir::new("s2s-test-ledger").unwrap();
    let path = dir.file("ledger.db");
    {
        let mut l = Ledger::open(Some(&path)).unwrap();
        l.record(&[receipt("order-9")], Channel::Server, BASE_UNIX)
            .unwrap();
    }
    let mut l = Ledger::open(Some(&path)).unwrap();
    assert_eq!(
        l.record(&[receipt("order-9")], Channel::Server, BASE_UNIX + 60)
            .unwrap(),
        (0, 1)
    );
}

fn event(id: &str, time: i64) -> ServerEvent {
    let c = random_customer(&mut kit::rng::seeded(3), 1);
    ServerEvent {
        event_name: "Purchase".into(),
        event_time: time,
        event_id: id.into(),
        action_source: "website".into(),
        event_source_url: None,
        user_data: c.to_user_data().unwrap(),
        custom_data: None,
    }
}

async fn collector(now: Arc<AtomicI64>, keep_bodies: bool) -> (ServerHandle, Arc<CollectorState>) {
    let state = CollectorState::new(
        CollectorConfig {
            pixel_id: PIXEL_ID.into(),
            clock: Clock::Manual(now),
            keep_bodies,
        },
        Ledger::open(None).unwrap(),
        FaultPlan::none(),
    );
    let h = ServerHandle::start(([127, 0, 0, 1], 0).into(), state.router())
        .await
        .unwrap();
    (h, state)
}

async fn post(url: &str, events: &[serde_json::Value]) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "data": events }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn collector_applies_the_conversions_api_rules() {
    let now = Arc::new(AtomicI64::new(BASE_UNIX));
    let (h, state) = collector(now.clone(), false).await;
    let url = endpoint(h.addr);
    let ok = |id: &str| serde_json::to_value(event(id, BASE_UNIX - 3600)).unwrap();

    let (status, body) = post(&url, &[ok("a"), ok("b")]).await;
    assert_eq!((status, body["events_received"].as_u64()), (200, Some(2)));

    // One invalid event (8 days old) rejects the whole request, and is named.
    let old = serde_json::to_value(event("old", BASE_UNIX - 8 * 24 * 3600)).unwrap();
    let (status, body) = post(&url, &[ok("c"), old, ok("d")]).await;
    assert_eq!(status, 400);
    let msg = body["error"]["error_user_msg"].as_str().unwrap();
    assert!(
        msg.contains("event 1 (event_id old)") && msg.contains("7 days"),
        "{msg}"
    );
    // Just inside 7 days is fine.
    let (status, _) = post(
        &url,
        &[serde_json::to_value(event("e", BASE_UNIX - 7 * 24 * 3600)).unwrap()],
    )
    .await;
    assert_eq!(status, 200);

    // Raw PII where a hash belongs is refused.
    let mut raw = ok("f");
    raw["user_data"]["em"] = serde_json::json!(["person@example.com"]);
    let (status, body) = post(&url, &[raw]).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["error_user_msg"]
            .as_str()
            .unwrap()
            .contains("user_data.em")
    );

    // 1000 is the limit; 1001 is refused, 0 too.
    let many: Vec<_> = (0..1001).map(|i| ok(&format!("m{i}"))).collect();
    assert_eq!(post(&url, &many).await.0, 400);
    assert_eq!(post(&url, &many[..1000]).await.0, 200);
    assert_eq!(post(&url, &[]).await.0, 400);

    // A duplicate is received (events_received counts it) but not counted.
    let (status, body) = post(&url, &[ok("a")]).await;
    assert_eq!((status, body["events_received"].as_u64()), (200, Some(1)));
    let s = state.stats().unwrap();
    assert_eq!(s.counted, 2 + 1 + 1000);
    assert_eq!(s.duplicates, 1);
    assert_eq!(s.rejected_requests, 4);

    // 49 hours later the same event counts again: the window is 48 h.
    now.store(BASE_UNIX + 49 * 3600, std::sync::atomic::Ordering::SeqCst);
    post(
        &url,
        &[serde_json::to_value(event("a", BASE_UNIX + 48 * 3600)).unwrap()],
    )
    .await;
    assert_eq!(state.stats().unwrap().counted, 1004);

    // Wrong pixel: 404, not a per-event 400.
    let wrong = url.replace(PIXEL_ID, "999");
    assert_eq!(post(&wrong, &[ok("z")]).await.0, 404);
    h.stop();
}

#[tokio::test]
async fn no_raw_pii_crosses_the_wire() {
    let dir = ScratchDir::new("s2s-test-pii").unwrap();
    let now = Arc::new(AtomicI64::new(BASE_UNIX));
    let (h, state) = collector(now, true).await;
    let mut outbox = Outbox::create(&dir.file("shop.db")).unwrap();
    let mut rng = kit::rng::seeded(5);
    let mut customers = Vec::new();
    for i in 0..20 {
        let c = random_customer(&mut rng, i);
        outbox
            .place_order(&random_order(&mut rng, c.clone()), BASE_UNIX)
            .unwrap();
        customers.push(c);
    }
    let mut relay = Relay::new(
        outbox,
        &endpoint(h.addr),
        RelayConfig {
            batch_size: 7,
            ..Default::default()
        },
    )
    .unwrap();
    relay.drain().await.unwrap();
    let wire: String = state
        .bodies()
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(wire.len() > 1000);
    for c in &customers {
        for raw in c.identifying_values() {
            let raw = raw.trim();
            for form in [raw.to_string(), raw.to_lowercase()] {
                assert!(!wire.contains(&form), "raw {form:?} on the wire");
            }
        }
        // The normalised email is not there either, only its hash.
        let email = hashing::normalise_email(c.email.as_deref().unwrap()).unwrap();
        assert!(!wire.contains(&email));
        assert!(wire.contains(&sha256_hex(&email)));
        // IP address and user agent are sent as they are.
        assert!(wire.contains(c.client_ip_address.as_deref().unwrap()));
    }
    h.stop();
}

#[test]
fn order_and_event_commit_or_roll_back_together() {
    let dir = ScratchDir::new("s2s-test-tx").unwrap();
    let mut outbox = Outbox::create(&dir.file("shop.db")).unwrap();
    let mut rng = kit::rng::seeded(1);
    let c = random_customer(&mut rng, 1);
    outbox
        .place_order(&random_order(&mut rng, c.clone()), BASE_UNIX)
        .unwrap();
    // A customer whose email can't be normalised: neither row is written.
    let mut bad = c;
    bad.email = Some("not-an-email".into());
    assert!(
        outbox
            .place_order(&random_order(&mut rng, bad), BASE_UNIX)
            .is_err()
    );
    assert_eq!(outbox.order_count().unwrap(), 1);
    assert_eq!(outbox.counts().unwrap().pending, 1);
    // enqueue_in_tx inside a transaction that is dropped: rolled back with it.
    let conn = rusqlite::Connection::open(dir.file("shop.db")).unwrap();
    let mut conn = conn;
    {
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO orders (customer, value_cents, currency, placed_at) VALUES ('{}', 1, 'USD', 0)", []).unwrap();
        Outbox::enqueue_in_tx(&tx, &event("order-rolled-back", BASE_UNIX)).unwrap();
        // no commit
    }
    assert_eq!(outbox.order_count().unwrap(), 1);
    assert_eq!(outbox.status_of("order-rolled-back").unwrap(), None);
}

async fn poison_run(n: usize, poison: &[usize], batch: usize) -> (u64, u64, Vec<String>, u64) {
    let dir = ScratchDir::new("s2s-test-bisect").unwrap();
    let now = Arc::new(AtomicI64::new(BASE_UNIX));
    let (h, state) = collector(now, false).await;
    let mut outbox = Outbox::create(&dir.file("shop.db")).unwrap();
    for i in 0..n {
        let t = if poison.contains(&i) {
            BASE_UNIX - 9 * 24 * 3600
        } else {
            BASE_UNIX
        };
        outbox.enqueue(&event(&format!("e{i}"), t)).unwrap();
    }
    let mut relay = Relay::new(
        outbox,
        &endpoint(h.addr),
        RelayConfig {
            batch_size: batch,
            ..Default::default()
        },
    )
    .unwrap();
    let s = relay.drain().await.unwrap();
    let dead = relay
        .outbox()
        .dead_letters()
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let counted = state.stats().unwrap().counted;
    h.stop();
    (s.delivered, s.dead, dead, counted)
}

#[tokio::test]
async fn bisection_isolates_exactly_the_poison_events() {
    let cases: &[(usize, &[usize], usize)] = &[
        (40, &[17], 25),
        (40, &[0, 39], 40),
        (10, &[3, 4, 5], 10),
        (7, &[0, 1, 2, 3, 4, 5, 6], 7),
        (30, &[], 8),
        (1, &[0], 1),
    ];
    for &(n, poison, batch) in cases {
        let (delivered, dead, ids, counted) = poison_run(n, poison, batch).await;
        assert_eq!(delivered as usize, n - poison.len(), "{n} {poison:?}");
        assert_eq!(counted, delivered);
        assert_eq!(dead as usize, poison.len());
        let want: Vec<String> = poison.iter().map(|i| format!("e{i}")).collect();
        assert_eq!(ids, want);
    }
}

#[tokio::test]
async fn unreachable_endpoint_leaves_everything_queued() {
    let dir = ScratchDir::new("s2s-test-unreach").unwrap();
    let mut outbox = Outbox::create(&dir.file("shop.db")).unwrap();
    for i in 0..5 {
        outbox.enqueue(&event(&format!("u{i}"), BASE_UNIX)).unwrap();
    }
    // A port nobody listens on: bind one, learn it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/v22.0/{PIXEL_ID}/events");
    let config = RelayConfig {
        max_attempts: 3,
        base: Duration::from_millis(1),
        cap: Duration::from_millis(2),
        ..Default::default()
    };
    let mut relay = Relay::new(outbox, &url, config).unwrap();
    let e = relay.drain().await.expect_err("unreachable");
    assert!(e.to_string().contains("failed 3 attempts"), "{e}");
    assert_eq!(relay.outbox().counts().unwrap().pending, 5);
    assert_eq!(relay.summary().delivered, 0);
}

#[test]
fn full_jitter_stays_under_the_exponential_ceiling_and_spreads() {
    let mut rng = kit::rng::seeded(9);
    let (base, cap) = (Duration::from_millis(100), Duration::from_secs(10));
    for attempt in 0..40 {
        let ceiling = if attempt < 7 {
            base * 2u32.pow(attempt)
        } else {
            cap
        };
        let draws: Vec<Duration> = (0..200)
            .map(|_| full_jitter(&mut rng, base, cap, attempt))
            .collect();
        assert!(draws.iter().all(|d| *d <= ceiling), "attempt {attempt}");
        // Full jitter: some draws land in the lower half of the range.
        assert!(draws.iter().any(|d| *d < ceiling / 2), "attempt {attempt}");
    }
}

#[test]
fn fault_run_loses_nothing_and_counts_nothing_twice() {
    let r = run_faults(&FaultConfig::default()).unwrap();
    assert_eq!(r.orders, 200);
    assert_eq!(r.ledger.counted, 200);
    assert_eq!((r.lost, r.double_counted), (0, 0));
    assert_eq!(r.outbox.delivered, 200);
    // The hang and the kill both made the collector receive copies it dropped.
    assert!(r.ledger.duplicates >= 2, "{:?}", r.ledger);
    let again = run_faults(&FaultConfig::default()).unwrap();
    assert_eq!(
        render_faults(&r),
        render_faults(&again),
        "virtual time is deterministic"
    );
    assert_eq!(
        sequence_svg(&r, DEFAULT_ROWS),
        sequence_svg(&again, DEFAULT_ROWS),
        "so is its picture"
    );
    // With poison: it ends as a visible dead letter, not as a lost order.
    let p = run_faults(&FaultConfig {
        poison: 2,
        ..FaultConfig::default()
    })
    .unwrap();
    assert_eq!((p.outbox.dead, p.ledger.counted, p.lost), (2, 198, 0));
}

#[test]
fn live_rows_are_the_table_rows_as_they_happen() {
    // The live feed (what `demo --realtime` prints) pairs each request with the
    // collector's record as it happens; the page's table pairs them afterwards. Same
    // rows, with and without poison; only the order of rows at one instant may differ.
    for config in [
        FaultConfig::default(),
        FaultConfig {
            orders: 40,
            poison: 1,
            failure_rate: 0.0,
            kill_relay_at: None,
            collector_crash: None,
            order_interval: Duration::ZERO,
            seed: 3,
            ..FaultConfig::default()
        },
    ] {
        let live = Arc::new(std::sync::Mutex::new(Vec::<FaultRow>::new()));
        let sink = Arc::clone(&live);
        let r = run_faults_live(&config, move |row| {
            sink.lock().unwrap().push(row.clone());
        })
        .unwrap();
        let mut live = live.lock().unwrap().clone();
        let mut table = fault_rows(&r);
        assert!(!table.is_empty());
        let key = |r: &FaultRow| (r.at, r.events.clone(), r.saw.clone(), r.then.clone());
        live.sort_by_key(key);
        table.sort_by_key(key);
        assert_eq!(live, table);
    }
}

#[test]
fn story_pixel_misses_some_server_sees_all_and_shared_ids_dedupe() {
    let r = run_story(&StoryConfig::default()).unwrap();
    let n = r.purchases.len() as u64;
    assert_eq!(n, 10);
    assert!(r.pixel_seen < n);
    assert_eq!(r.server_seen, n);
    assert_eq!(r.shared_ids.counted, n);
    assert_eq!(r.separate_ids.counted, n + r.pixel_seen);
    assert_eq!(r.shared_ids.duplicates, r.pixel_seen);
}

/// The value of attribute `name` in one line of SVG.
fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split(&format!(" {name}=\"")).nth(1)?.split('"').next()
}

/// The text content of a `<text>` line.
fn text_of(line: &str) -> &str {
    line.split_once('>')
        .and_then(|(_, rest)| rest.split("</text>").next())
        .unwrap_or("")
}

#[test]
fn picture_draws_one_arrow_per_message_in_the_tables_order() {
    let r = run_faults(&FaultConfig::default()).unwrap();
    let sources = fault_row_sources(&r);
    assert_eq!(fault_rows(&r).len(), sources.len());
    for max in [DEFAULT_ROWS, 1, sources.len()] {
        let shown = &sources[..max.min(sources.len())];
        let svg = sequence_svg(&r, max);
        assert!(
            svg.starts_with("<svg ") && svg.ends_with("</svg>\n"),
            "{svg}"
        );
        assert_eq!(
            (svg.matches("<svg").count(), svg.matches("</svg>").count()),
            (1, 1)
        );
        assert!(
            attr(svg.lines().next().unwrap(), "viewBox").is_some_and(|v| {
                let h: f64 = v.rsplit(' ').next().unwrap().parse().unwrap();
                max != DEFAULT_ROWS || h <= 500.0
            }),
            "the page's picture stays under 800x500"
        );
        if max < sources.len() {
            assert!(svg.contains(&format!("first {max} of {} rows", sources.len())));
        }

        // The messages the table's rows stand for, in its order.
        let mut expected = Vec::new();
        for s in shown {
            if let Happening::Relay(RelayEvent::Sent { outcome, .. }, _) = s.happening {
                expected.push("send");
                if !is_refused(outcome) {
                    expected.push("reply");
                }
                if let Some(Happening::Relay(RelayEvent::Delivered { .. }, _)) = s.then {
                    expected.push("mark");
                }
            }
        }
        let arrows: Vec<(&str, f64)> = svg
            .lines()
            .filter(|l| l.starts_with("<polyline"))
            .map(|l| {
                let y = attr(l, "points").unwrap().split([',', ' ']).nth(1).unwrap();
                (attr(l, "data-kind").unwrap(), y.parse().unwrap())
            })
            .collect();
        let drawn: Vec<&str> = arrows
            .iter()
            .map(|a| a.0)
            .filter(|k| *k != "write")
            .collect();
        assert_eq!(
            drawn, expected,
            "one arrow per message, in the table's order"
        );
        assert!(
            arrows.windows(2).all(|w| w[0].1 < w[1].1),
            "each arrow below the one before it: {arrows:?}"
        );

        // Duplicates and timeouts are drawn as such.
        let dups = shown
            .iter()
            .filter(|s| s.row.collector.contains("dup"))
            .count();
        let timeouts = shown
            .iter()
            .filter(|s| s.row.saw.starts_with("no answer"))
            .count();
        assert_eq!(
            svg.lines().filter(|l| l.ends_with(" dup</text>")).count(),
            dups
        );
        assert_eq!(
            svg.lines()
                .filter(|l| l.starts_with("<polyline") && l.contains("stroke-dasharray"))
                .count(),
            timeouts
        );

        // The shop's commits: every event the relay sent was drawn committed first,
        // each order once, in sequence.
        let highest_sent = shown
            .iter()
            .filter_map(|s| {
                s.row
                    .events
                    .rsplit('-')
                    .next()?
                    .trim()
                    .parse::<usize>()
                    .ok()
            })
            .max()
            .unwrap_or(0);
        let mut next = 1;
        let commits = svg
            .lines()
            .map(text_of)
            .filter(|t| t.starts_with("order") && t.ends_with(" committed"));
        for t in commits {
            let orders = t.trim_end_matches(" committed");
            let range = orders.rsplit(' ').next().unwrap();
            let (a, b) = range.split_once('-').unwrap_or((range, range));
            assert_eq!(a.parse::<usize>().unwrap(), next, "{orders}");
            next = b.parse::<usize>().unwrap() + 1;
        }
        assert!(
            next > highest_sent,
            "committed up to {next}, sent {highest_sent}"
        );

        // The time column holds the times the table prints, in its order.
        let times: Vec<(&str, f64)> = svg
            .lines()
            .filter(|l| l.starts_with(r#"<text x="98.0""#) && l.contains(">t+"))
            .map(|l| (text_of(l), attr(l, "y").unwrap().parse().unwrap()))
            .collect();
        assert!(times.windows(2).all(|w| w[0].1 < w[1].1), "{times:?}");
        let printed: Vec<String> = shown
            .iter()
            .map(|s| kit::clock::VirtualInstant::from(s.row.at).to_string())
            .collect();
        let rows: Vec<&str> = times
            .iter()
            .map(|t| t.0)
            .filter(|t| !t.contains('–'))
            .collect();
        assert_eq!(rows, printed);
        assert!(render_faults(&r).contains(&format!("| {} ", printed[0])));
    }

    // Labels come from the data and are escaped.
    let mut hostile = r.clone();
    for (_, h) in hostile.timeline.iter_mut() {
        if let Happening::Relay(RelayEvent::Sent { batch, .. }, _) = h {
            *batch = "1-10 <b>&\"".into();
            break;
        }
    }
    let svg = sequence_svg(&hostile, DEFAULT_ROWS);
    assert!(
        svg.contains("POST 1-10 &lt;b&gt;&amp;&quot; (10 events)"),
        "{svg}"
    );
    assert!(!svg.contains("<b>"));
}
