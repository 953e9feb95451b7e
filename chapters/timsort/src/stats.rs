//! What the instrumented sorts report: a summary ([`Stats`]) and, for the traced sort,
//! a stream of [`Event`]s.

/// A summary of one instrumented sort
/// ([`TimSort::sort_by_counted`](crate::TimSort::sort_by_counted) or
/// [`TimSort::sort_by_traced`](crate::TimSort::sort_by_traced)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Number of elements sorted.
    pub n: usize,
    /// The minimum run length used, [`minrun(n)`](crate::minrun).
    pub minrun: usize,
    /// Comparator calls. Every call is one "is less than?" question, the same unit
    /// CPython counts when a key's `__lt__` increments a counter.
    pub comparisons: u64,
    /// Runs pushed on the pending stack (natural runs after binary-insertion extension).
    pub runs: usize,
    /// How many of those runs were found strictly descending and reversed in place.
    pub natural_runs_descending: usize,
    /// Calls to `merge_at`, including ones whose trims left nothing to merge.
    /// Always `runs - 1` for a non-empty input.
    pub merges: usize,
    /// Times a `merge_lo` / `merge_hi` switched from one-at-a-time into galloping mode.
    pub gallop_entries: usize,
    /// The deepest the pending-run stack got (measured right after each push).
    pub max_pending: usize,
}

/// Which merge routine a `merge_at` ended up running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeDirection {
    /// `merge_lo`: the (trimmed) left run was no longer than the right one, so it was
    /// copied to temporary space and the merge filled the slice front to back.
    Lo,
    /// `merge_hi`: the right run was shorter, so it went to temporary space and the
    /// merge filled the slice back to front.
    Hi,
    /// The two galloping trims showed the runs were already in order; nothing moved.
    Skipped,
}

/// One step of a traced sort, reported by
/// [`TimSort::sort_by_traced`](crate::TimSort::sort_by_traced) as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A run was found (and, if short, extended) and is about to join the stack.
    Run {
        /// Index of the run's first element.
        start: usize,
        /// Length of the natural run `count_run` found.
        natural_len: usize,
        /// Whether that natural run was strictly descending (and so was reversed).
        descending: bool,
        /// Length after binary-insertion extension to `min(minrun, remaining)`.
        len: usize,
        /// Comparisons spent finding and extending this run.
        comparisons: u64,
    },
    /// Two adjacent pending runs were merged by `merge_at`.
    Merge {
        /// Index of the left run's first element (before trimming).
        start: usize,
        /// Length of the left run, A.
        len_a: usize,
        /// Length of the right run, B.
        len_b: usize,
        /// Elements at the front of A already in place (found by `gallop_right`).
        trimmed_front: usize,
        /// Elements at the back of B already in place (found by `gallop_left`).
        trimmed_back: usize,
        /// Which merge routine ran.
        direction: MergeDirection,
        /// Times this merge entered galloping mode.
        gallop_entries: usize,
        /// Comparisons this merge spent, trims included.
        comparisons: u64,
        /// Runs left on the stack after the merge.
        pending_after: usize,
    },
}
