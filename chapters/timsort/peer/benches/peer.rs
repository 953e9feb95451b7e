//! criterion: this TimSort vs std's sorts vs the published `timsort` crate.
//!
//! `cargo bench --manifest-path chapters/timsort/peer/Cargo.toml` (n = 1 000 000 by default,
//! `TIMSORT_BENCH_N` to change). The published crate is quadratic on random and
//! few-distinct input; at n = 10⁶ each of its samples there takes many seconds, so those
//! two cases run it at n / 10 and say so in the group name.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use timsort::patterns::timing_inputs;
use timsort_peer::{PEER, SORTS};

fn bench(c: &mut Criterion) {
    let n = std::env::var("TIMSORT_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    for (pattern, input) in timing_inputs(n, 42) {
        let quadratic = matches!(pattern, "random-u64" | "random" | "4-distinct");
        let mut group = c.benchmark_group(format!("{pattern}/{n}"));
        group.sample_size(10);
        for (i, (name, sort)) in SORTS.into_iter().enumerate() {
            if i == PEER && quadratic {
                continue;
            }
            group.bench_function(BenchmarkId::from_parameter(name), |b| {
                b.iter_batched_ref(
                    || input.clone(),
                    |v| sort(black_box(v)),
                    BatchSize::LargeInput,
                )
            });
        }
        group.finish();
        if quadratic {
            let small: Vec<u64> = input[..n / 10].to_vec();
            let mut group = c.benchmark_group(format!("{pattern}/{}-peer-at-n-over-10", n / 10));
            group.sample_size(10);
            for i in [0, 1, PEER] {
                let (name, sort) = SORTS[i];
                group.bench_function(BenchmarkId::from_parameter(name), |b| {
                    b.iter_batched_ref(
                        || small.clone(),
                        |v| sort(black_box(v)),
                        BatchSize::LargeInput,
                    )
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
