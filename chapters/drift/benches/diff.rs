//! Diff 10 000 generated resources (seeded): the scale target is well under a second.
//!
//! `cargo bench -p drift --bench diff -- --warm-up-time 0.5 --measurement-time 1 --sample-size 20` (quick)

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let (intended, actual) = drift::synthetic::estate(2, 10_000, Default::default());
    let report = drift::diff(&intended, &actual, &[]);
    assert!(report.changed() > 0 && report.unmanaged() > 0 && report.missing() > 0);
    let policy = drift::Policy::builtin();
    c.bench_function("diff 10k resources", |b| {
        b.iter(|| drift::diff(&intended, &actual, &[]))
    });
    c.bench_function("diff + assess 10k resources", |b| {
        b.iter(|| {
            let r = drift::diff(&intended, &actual, &[]);
            drift::assess(&r, &policy)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
