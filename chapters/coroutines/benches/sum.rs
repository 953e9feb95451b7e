//! criterion benchmarks: summing 1..=1 000 000 with every flavour — the hand-written
//! state machine, genawaiter's stack / rc / sync generators, the `async fn` with a
//! poll-loop executor, batched genawaiter, and collect-into-Vec. Reports; asserts
//! nothing (the tests check the sums).
//!
//! `cargo bench -p coroutines` (set `COROUTINES_BENCH_LIMIT` to change the limit).
//! A quick look:
//! `cargo bench -p coroutines --bench sum -- --warm-up-time 0.5 --measurement-time 1`.
//! The times are set in the criterion config, not on the groups, so these flags can
//! override them; `--bench sum` because the library's test harness would refuse
//! criterion's flags.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use coroutines::counter::{Flavour, OpaqueSum, Sum, with_counter};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let limit: u64 = std::env::var("COROUTINES_BENCH_LIMIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    // Per value: each value goes through black_box, so no flavour can be summed by
    // formula. This is the comparison the page's ratios use.
    let mut group = c.benchmark_group(format!("per-value-sum-1..={limit}"));
    group
        .sample_size(10)
        .throughput(Throughput::Elements(limit));
    for flavour in Flavour::ALL {
        group.bench_function(BenchmarkId::from_parameter(flavour.name()), |b| {
            b.iter(|| with_counter(flavour, black_box(limit), OpaqueSum).expect("limit fits"))
        });
    }
    group.finish();

    // Plain `sum`: LLVM sees through the hand-written iterator (and the Vec) and may
    // compute n(n+1)/2; the genawaiter flavours stay opaque to it.
    let mut group = c.benchmark_group(format!("plain-sum-1..={limit}"));
    group.sample_size(10);
    for flavour in Flavour::ALL {
        group.bench_function(BenchmarkId::from_parameter(flavour.name()), |b| {
            b.iter(|| with_counter(flavour, black_box(limit), Sum).expect("limit fits"))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Set here rather than on the groups: a group's setting would win over
    // `--warm-up-time` / `--measurement-time` on the command line.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
