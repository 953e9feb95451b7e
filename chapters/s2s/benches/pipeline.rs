//! Per-event costs on the shop's and the collector's side: normalising and hashing a
//! customer, and validating one event against the Conversions API's rules.
//!
//! `cargo bench -p s2s`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use s2s::collector::validate_event;
use s2s::event::ServerEvent;
use s2s::scenario::BASE_UNIX;
use s2s::shop::random_customer;

fn bench(c: &mut Criterion) {
    let customer = random_customer(&mut kit::rng::seeded(1), 1);
    c.bench_function("normalise + SHA-256 one customer", |b| {
        b.iter(|| customer.to_user_data().expect("valid"))
    });
    let event = ServerEvent {
        event_name: "Purchase".into(),
        event_time: BASE_UNIX,
        event_id: "order-1".into(),
        action_source: "website".into(),
        event_source_url: None,
        user_data: customer.to_user_data().expect("valid"),
        custom_data: None,
    };
    let json = serde_json::to_string(&event).expect("json");
    c.bench_function("collector: validate one event", |b| {
        b.iter(|| validate_event(&json, BASE_UNIX).expect("valid"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = bench
}
criterion_main!(benches);
