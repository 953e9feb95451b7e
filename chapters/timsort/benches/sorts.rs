//! criterion benchmarks: this TimSort (both policies) against Rust's std sorts on the
//! chapter's input patterns. Reports; asserts nothing.
//!
//! `cargo bench -p timsort` (n = 1 000 000; set `TIMSORT_BENCH_N` to change it). A quick
//! look, at n = 100 000 with short measurements:
//! `TIMSORT_BENCH_N=100000 cargo bench -p timsort --bench sorts -- --warm-up-time 0.5 --measurement-time 1`
//! (`--bench sorts` because the library's test harness would refuse criterion's flags).
//! The comparison with the published `timsort` crate lives in the separate workspace
//! `chapters/timsort/peer/` (`benches/peer.rs` there).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use timsort::patterns::timing_inputs;
use timsort::timing::{SORTS, bench_n};

fn bench(c: &mut Criterion) {
    let n = bench_n();
    for (pattern, input) in timing_inputs(n, 42) {
        let mut group = c.benchmark_group(format!("{pattern}/{n}"));
        group.sample_size(10);
        for (name, sort) in SORTS {
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
