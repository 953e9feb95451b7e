//! What the timing programs and benchmarks compare, defined once.
//!
//! The chapter's criterion bench (`cargo bench -p timsort`) times [`SORTS`]; the peer
//! workspace (`chapters/timsort/peer`) times the same list plus the published `timsort`
//! crate. Inputs come from [`crate::patterns::timing_inputs`].

use crate::{MergePolicy, TimSort};

/// A sort over `u64` slices.
pub type SortFn = fn(&mut [u64]);

/// The sorts compared, with the names tables and benchmark ids use. std's stable sort
/// is first: ratios are taken relative to it.
pub const SORTS: [(&str, SortFn); 4] = [
    ("std sort", |v| v.sort()),
    ("TimSort", |v| {
        TimSort::with_policy(MergePolicy::Classic).sort_by(v, u64::cmp)
    }),
    ("powersort", |v| {
        TimSort::with_policy(MergePolicy::Powersort).sort_by(v, u64::cmp)
    }),
    ("std unstable", |v| v.sort_unstable()),
];

/// Input length for benchmarks: `$TIMSORT_BENCH_N`, else 1 000 000.
pub fn bench_n() -> usize {
    std::env::var("TIMSORT_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_sort_sorts() {
        let input = crate::patterns::timing_inputs(2_000, 3);
        for (name, sort) in SORTS {
            for (pattern, data) in &input {
                let mut v = data.clone();
                sort(&mut v);
                assert!(v.windows(2).all(|w| w[0] <= w[1]), "{name} on {pattern}");
            }
        }
    }
}
