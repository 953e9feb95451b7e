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

/// TimSort's run structure on one input. Both policies find the same runs (minrun
/// and run detection do not depend on the policy); they merge them in a different
/// order, so their galloping differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunShape {
    /// The input's shape.
    pub pattern: Pattern,
    /// [`minrun(n)`](crate::minrun): the length short runs are extended to.
    pub minrun: usize,
    /// Runs pushed on the stack, after binary-insertion extension.
    pub runs: usize,
    /// Merges (always `runs - 1` for a non-empty input).
    pub merges: usize,
    /// Times a merge switched into galloping, classic policy.
    pub gallops_classic: usize,
    /// Times a merge switched into galloping, powersort policy.
    pub gallops_powersort: usize,
}

/// One [`RunShape`] per pattern in [`Pattern::ALL`], at length `n`, inputs from
/// `seed` (the same inputs as [`comparison_table`]).
pub fn run_shapes(n: usize, seed: u64) -> Vec<RunShape> {
    Pattern::ALL
        .iter()
        .map(|&pattern| {
            let input = pattern.generate(n, seed);
            let stats = |p| TimSort::with_policy(p).sort_by_counted(&mut input.clone(), i64::cmp);
            let (classic, powersort) = (stats(MergePolicy::Classic), stats(MergePolicy::Powersort));
            RunShape {
                pattern,
                minrun: classic.minrun,
                runs: classic.runs,
                merges: classic.merges,
                gallops_classic: classic.gallop_entries,
                gallops_powersort: powersort.gallop_entries,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_64_items_there_is_one_run_and_from_64_on_minrun_splits_it() {
        let below = run_shapes(63, 42);
        let at = run_shapes(64, 42);
        for shape in &below {
            assert_eq!(
                (shape.minrun, shape.runs, shape.merges),
                (63, 1, 0),
                "{shape:?}"
            );
        }
        let random = at
            .iter()
            .find(|s| s.pattern == Pattern::Random)
            .expect("random is a pattern");
        assert_eq!((random.minrun, random.runs, random.merges), (32, 2, 1));
        for shape in &at {
            assert_eq!(shape.merges + 1, shape.runs, "{shape:?}");
        }
    }

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
