//! # timsort-peer: this chapter's TimSort next to std's sorts and the published `timsort` crate
//!
//! A separate workspace, because the published crate is also named `timsort`: inside the
//! book's workspace it would make `cargo run -p timsort` ambiguous. The measured block on
//! the Day 10 page runs this crate's `measure` example; `cargo bench` here runs criterion.
//!
//! The published crate (0.1.3) grows roughly quadratically on random input — RustPython
//! replaced it for that reason (RustPython issue #6093) — so the timing program runs it at
//! 10⁶ only on the patterns where it finishes quickly and measures its growth elsewhere.

use std::time::{Duration, Instant};

pub use timsort::timing::SortFn;

/// The chapter's compared sorts ([`timsort::timing::SORTS`], std's stable sort first:
/// ratios are relative to it), then the published crate.
pub const SORTS: [(&str, SortFn); 5] = {
    let ours = timsort::timing::SORTS;
    [
        ours[0],
        ours[1],
        ours[2],
        ours[3],
        ("timsort crate", |v| peer_timsort::sort(v)),
    ]
};

/// Index of the published crate in [`SORTS`].
pub const PEER: usize = 4;

/// Median wall-clock time of `reps` runs of `sort` on copies of `input`.
///
/// # Panics
/// If a sort returns unsorted output (that would make its time meaningless).
pub fn median_time(input: &[u64], sort: SortFn, reps: usize) -> Duration {
    let mut times: Vec<Duration> = (0..reps.max(1))
        .map(|_| {
            let mut v = input.to_vec();
            let start = Instant::now();
            sort(std::hint::black_box(&mut v));
            let elapsed = start.elapsed();
            assert!(
                v.windows(2).all(|w| w[0] <= w[1]),
                "a sort returned unsorted output"
            );
            elapsed
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Growth of a sort's time when `n` doubles: ≈ 2.1 for n log n, ≈ 4 for quadratic.
pub fn doubling_ratio(small: Duration, large: Duration) -> f64 {
    large.as_secs_f64() / small.as_secs_f64().max(1e-9)
}
