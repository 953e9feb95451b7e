//! criterion benchmarks: the per-heartbeat update of each detector (heartbeat +
//! verdict), and a whole packet through the monitor (parse, checks, φ update).
//! Reports; asserts nothing (the tests check the verdicts).
//!
//! `cargo bench -p heartbeat`. A quick look:
//! `cargo bench -p heartbeat --bench detector -- --warm-up-time 0.5 --measurement-time 1`.
//! The times are set in the criterion config, not on the group, so these flags can
//! override them; `--bench detector` because the library's test harness would refuse
//! criterion's flags.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use heartbeat::{DetectorSpec, Monitor};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("per-heartbeat");
    group.sample_size(20).throughput(Throughput::Elements(1));
    let specs = [
        DetectorSpec::Fixed(Duration::from_secs(10)),
        DetectorSpec::HAPROXY,
        DetectorSpec::Phi(8.0),
    ];
    for spec in &specs {
        let mut d = spec.build(Duration::from_secs(1));
        // A full history first: φ's window is at its 1000-sample maximum.
        let mut t = Duration::ZERO;
        for _ in 0..2000 {
            t += Duration::from_millis(1000);
            let _ = d.heartbeat(t);
        }
        let name = spec.to_string();
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                t += Duration::from_millis(1000);
                let _ = d.heartbeat(black_box(t));
                black_box(d.is_available(t).unwrap_or(false))
            })
        });
    }
    // One packet through the monitor: written into a reused buffer (a few tens of
    // ns of formatting), parsed, checked, fed to φ, verdict re-evaluated.
    let nodes = 10_000u32;
    let mut monitor = Monitor::new(1..=nodes, &[DetectorSpec::Phi(8.0)], Duration::from_secs(1));
    let mut now = Duration::ZERO;
    let mut seq = 0u64;
    let mut i = 0u32;
    let mut bytes = Vec::with_capacity(64);
    group.bench_function("monitor packet (10k nodes, phi 8)", |b| {
        b.iter(|| {
            if i == 0 {
                seq += 1;
            }
            bytes.clear();
            let _ = write!(bytes, "HB {} 1 {seq} ok", i + 1);
            now += Duration::from_micros(100);
            let r = monitor.receive(black_box(&bytes), now);
            i = (i + 1) % nodes;
            black_box(r.is_ok())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Set here rather than on the group: a group's setting would win over
    // `--warm-up-time` / `--measurement-time` on the command line.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
