//! Counting comparisons across sorts and input patterns: the chapter's table and chart.
//!
//! Every sort gets the same input and a comparator that counts its calls. Comparisons
//! are what TimSort was designed to save (in CPython a comparison is a method call on
//! arbitrary objects, far dearer than moving a pointer), so they are the fair, machine-
//! independent unit; wall-clock time is measured separately and labelled as measured.

use std::cmp::Ordering;

use crate::patterns::Pattern;
use crate::{MergePolicy, TimSort, textbook};

/// Comparisons each sort made on one pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The input's shape.
    pub pattern: Pattern,
    /// Input length.
    pub n: usize,
    /// This crate, classic merge_collapse policy.
    pub classic: u64,
    /// This crate, powersort policy (CPython ≥ 3.11).
    pub powersort: u64,
    /// A textbook top-down merge sort (ignores existing order).
    pub textbook_merge: u64,
    /// Rust's `slice::sort_by` (driftsort since Rust 1.81).
    pub std_stable: u64,
    /// Rust's `slice::sort_unstable_by` (ipnsort since Rust 1.81).
    pub std_unstable: u64,
}

/// Run `sort` on a copy of `input` with a counting comparator; return the count.
pub fn count_with(
    input: &[i64],
    sort: impl FnOnce(&mut [i64], &mut dyn FnMut(&i64, &i64) -> Ordering),
) -> u64 {
    let mut v = input.to_vec();
    let mut count = 0u64;
    let mut cmp = |a: &i64, b: &i64| {
        count += 1;
        a.cmp(b)
    };
    sort(&mut v, &mut cmp);
    debug_assert!(v.windows(2).all(|w| w[0] <= w[1]));
    count
}

/// The comparison counts of every sort on one input.
pub fn row(pattern: Pattern, input: &[i64]) -> Row {
    let policy = |p| {
        TimSort::with_policy(p)
            .sort_by_counted(&mut input.to_vec(), i64::cmp)
            .comparisons
    };
    Row {
        pattern,
        n: input.len(),
        classic: policy(MergePolicy::Classic),
        powersort: policy(MergePolicy::Powersort),
        textbook_merge: count_with(input, |v, c| textbook::merge_sort_by(v, c)),
        std_stable: count_with(input, |v, c| v.sort_by(c)),
        std_unstable: count_with(input, |v, c| v.sort_unstable_by(c)),
    }
}

/// One [`Row`] per pattern in [`Pattern::ALL`], at length `n`, inputs from `seed`.
pub fn comparison_table(n: usize, seed: u64) -> Vec<Row> {
    Pattern::ALL
        .iter()
        .map(|&p| row(p, &p.generate(n, seed)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presorted_inputs_cost_n_minus_one_and_random_costs_more() {
        let rows = comparison_table(4096, 42);
        let get = |p: Pattern| rows.iter().find(|r| r.pattern == p).expect("row");
        for p in [Pattern::Ascending, Pattern::Descending, Pattern::AllEqual] {
            assert_eq!(get(p).classic, 4095, "{p}");
            assert_eq!(get(p).powersort, 4095, "{p}");
        }
        let random = get(Pattern::Random);
        // log2(4096!) ≈ 43 250 is the information-theoretic minimum for a permutation.
        assert!(
            random.classic > 43_000 && random.classic < 50_000,
            "{random:?}"
        );
        assert!(random.textbook_merge > get(Pattern::Ascending).textbook_merge);
        assert!(get(Pattern::AscendingThreeSwaps).classic < random.classic / 5);
    }
}
