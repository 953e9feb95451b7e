//! criterion: this TimSort against the published `timsort` crate (std's sorts are in the
//! chapter's own bench, `cargo bench -p timsort`).
//!
//! `cargo bench --manifest-path chapters/timsort/peer/Cargo.toml` (n = 1 000 000 by default,
//! `TIMSORT_BENCH_N` to change). The published crate is quadratic on random and
//! few-distinct input — at n = 10⁶ one sort takes tens of seconds — so on those patterns
//! both sorts run at n / 10, and the group name says so.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use timsort::patterns::timing_inputs;
use timsort_peer::{PEER, SORTS};

/// This crate's classic policy, and the published crate.
const COMPARED: [usize; 2] = [1, PEER];

fn bench(c: &mut Criterion) {
    let n = timsort::timing::bench_n();
    for (pattern, mut input) in timing_inputs(n, 42) {
        if matches!(pattern, "random-u64" | "random" | "4-distinct") {
            input.truncate(n / 10);
        }
        let mut group = c.benchmark_group(format!("{pattern}/{}", input.len()));
        group.sample_size(10);
        for (name, sort) in COMPARED.map(|i| SORTS[i]) {
            group.bench_function(BenchmarkId::from_parameter(name), |b| {
                b.iter_batched_ref(
                    || input.clone(),
                    |v| sort(black_box(v)),
                    BatchSize::LargeInput,
                )
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
