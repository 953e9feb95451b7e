//! # TimSort: the merge sort that looks before it leaps
//!
//! TimSort is the sorting algorithm Tim Peters wrote for CPython's `list.sort` in
//! 2002. It is a *stable*, *adaptive* merge sort: stable because equal elements keep
//! their original order, adaptive because it spends fewer comparisons the more order
//! the input already has. Real data is rarely random (logs arrive mostly in time
//! order, spreadsheets get re-sorted after small edits, lists are concatenations of
//! sorted lists) and TimSort was designed for exactly that. Java adopted it in 2009
//! for sorting objects (`Arrays.sort(Object[])`, `Collections.sort`), and so did
//! Android, V8 and Swift.
//!
//! This crate is a faithful port of CPython 3.11's `Objects/listobject.c`: on the same
//! input it asks the comparator **exactly the same questions, in the same order**, as
//! CPython does, so the comparison counts printed in this chapter can be checked
//! against Python with a key class whose `__lt__` increments a counter.
//!
//! ```
//! use timsort::{MergePolicy, TimSort};
//!
//! // Nine orders, dated by day of the month: a sorted run of three, then a jumble.
//! let days = [15, 16, 17, 10, 8, 9, 1, 2, 3];
//! let mut orders: Vec<(u32, usize)> = days.iter().copied().zip(0..).collect();
//!
//! let stats = TimSort::new().sort_by_counted(&mut orders, |a, b| a.0.cmp(&b.0));
//! assert!(orders.windows(2).all(|w| w[0].0 <= w[1].0));
//! assert_eq!(stats.comparisons, 20); // what CPython 3.11 counts, too
//! assert_eq!((stats.runs, stats.merges), (1, 0));
//!
//! // The free functions mirror `slice::sort_by` and friends.
//! let mut words = vec!["pear", "fig", "apple", "kiwi"];
//! timsort::sort_by_key(&mut words, |w| w.len());
//! assert_eq!(words, ["fig", "pear", "kiwi", "apple"]); // stable: pear before kiwi
//!
//! let powersort: MergePolicy = "powersort".parse().unwrap();
//! let mut big: Vec<u32> = (0..1000).rev().collect();
//! TimSort::with_policy(powersort).sort_by(&mut big, |a, b| a.cmp(b));
//! assert!(big.windows(2).all(|w| w[0] <= w[1]));
//! ```
//!
//! ## Runs
//!
//! A *run* is a stretch that is already in order. `count_run` walks from the current
//! position and takes the longest prefix that is either non-decreasing
//! (`a[0] <= a[1] <= ...`) or *strictly* decreasing (`a[0] > a[1] > ...`). A
//! descending run is reversed in place; strictness is what makes that safe, since a
//! strictly decreasing run has no equal elements whose order reversal could swap.
//! Sorted input is one run: `n - 1` comparisons and no merging at all. So is
//! reverse-sorted input.
//!
//! ## minrun and binary insertion
//!
//! On random data natural runs are tiny (expected length about 2), and merging
//! thousands of 2-element runs would waste time on bookkeeping. So every run shorter
//! than [`minrun(n)`](minrun) is extended to `minrun` elements (or to the end of the
//! array) with **binary insertion sort** (`binarysort` in CPython): each new element's
//! slot is found by binary search, then the tail slides over by one. That is few
//! comparisons and cheap contiguous moves for at most 64 elements. `minrun` is chosen
//! in `32..=64` so that `n / minrun` is a power of two or just under one, which keeps
//! the final merges balanced. Arrays under 64 elements are simply binary-insertion
//! sorted as a single run.
//!
//! ## The pending-run stack and its invariants
//!
//! Runs are pushed on a stack as they are found. Merging only adjacent runs keeps
//! the sort stable; merging them at the right moment keeps it fast. The
//! [`Classic`](MergePolicy::Classic) policy (`merge_collapse`) maintains, for run
//! lengths from the bottom of the stack to the top,
//!
//! 1. `len[i-2] > len[i-1] + len[i]`
//! 2. `len[i-1] > len[i]`
//!
//! so lengths grow at least as fast as Fibonacci numbers going down the stack. That
//! bounds the stack depth by about `log_φ(n)` (see [`run_stack_bound`]) and keeps
//! merges between runs of similar size.
//!
//! **The 2015 bug.** The 2002 code checked rule 1 only for the *top three* runs. De
//! Gouw, Rot, de Boer, Bubel and Hähnle, trying to formally verify Java's port with
//! KeY (CAV 2015), found that one merge at the top can break rule 1 one level further
//! down, where nobody looks again. With enough carefully sized runs, the stack grows
//! deeper than the bound the fixed-size stack was sized for, and Java's
//! `TimSort` threw `ArrayIndexOutOfBoundsException`. CPython fixed the *algorithm*: it
//! also checks `len[n-4] <= len[n-3] + len[n-2]` and merges when that fails, which
//! restores the invariants for the whole stack (this crate's code, and its test
//! suite replays the paper's kind of adversarial input). Java only *enlarged the
//! stack* to fit the worst case of the broken invariant.
//!
//! ## Merging and galloping
//!
//! `merge_at` first trims what is already in place: `gallop_right` finds how many
//! elements at the front of the left run A are `<=` the first element of the right
//! run B, and `gallop_left` how many at the back of B exceed the last element of A.
//! Only the middle is merged, with temporary space for the *shorter* remaining run
//! (`merge_lo` if that is A, filling left to right; `merge_hi` if B, filling right to
//! left).
//!
//! A merge starts one element at a time. When one run wins [`MIN_GALLOP`] times in a
//! row, it switches to **galloping**: search the other run at exponentially growing
//! offsets (1, 3, 7, 15, ...) then binary-search the bracket, and copy the whole
//! stretch at once. That is how TimSort merges "a few elements sprinkled into a
//! long sorted list" in far fewer than `n` comparisons. Galloping loses on random
//! data, so the threshold `min_gallop` adapts, shared across all merges of one sort:
//! each successful round in galloping mode lowers it, leaving galloping mode raises it.
//!
//! ## Powersort (CPython 3.11+)
//!
//! Munro and Wild (ESA 2018) replaced the hand-tuned stack rules with a principled
//! one: give the boundary between two adjacent runs a **power**, the depth at which a
//! perfectly balanced binary split of `[0, n)` would separate the runs' midpoints
//! ([`powerloop`]). Merge while the run under the top has a higher power than the
//! new boundary. The total merge cost is then provably close to optimal for the
//! given run lengths: at most `n·H + 2n` element moves, where `H` is the entropy of
//! the run-length distribution. The classic rules have no such guarantee, though on
//! random data both build the same balanced tree. CPython 3.11 switched to it
//! (`found_new_run`); select it here with [`MergePolicy::Powersort`].
//!
//! ## Rust's own sorts
//!
//! Rust's `slice::sort` was a TimSort-like stable merge sort (with a simplified run
//! policy) up to Rust 1.80; since 1.81 it is **driftsort** (Bergdoll & Peters), and
//! `sort_unstable` is **ipnsort**. Both new sorts may panic if `Ord` is inconsistent
//! (not a total order), but never cause undefined behaviour. This crate makes the same
//! promise: a comparator that lies can give a misordered result, but the slice always
//! stays a permutation of its input, including when the comparator panics.
//!
//! ## Reading the code
//!
//! - `engine`: `count_run`, `binary_insertion_sort`, `merge_collapse`,
//!   `found_new_run`, `merge_force_collapse` (safe code).
//! - `merge`: `merge_at`, `merge_lo`, `merge_hi`, `gallop_left`, `gallop_right`: the
//!   only module with `unsafe`, each block with its `SAFETY` argument.
//! - [`textbook`]: the plain top-down merge sort used as a baseline.
//! - [`patterns`], [`orders`], [`compare`], [`reference`], [`input`]: the chapter's data
//!   (input shapes, the seed's nine orders), the comparison-count table, CPython's
//!   reference counts on the same inputs, and parsing integers for the `count` program.

pub mod compare;
mod engine;
pub mod input;
mod merge;
pub mod orders;
pub mod patterns;
mod policy;
mod probe;
pub mod reference;
mod stats;
pub mod textbook;
pub mod timing;
pub mod tryit;

use std::cell::Cell;
use std::cmp::Ordering;

pub use policy::{MergePolicy, ParsePolicyError, minrun, powerloop, run_stack_bound};
pub use stats::{Event, MergeDirection, Stats};

use probe::{NoProbe, Recorder};

/// When one run supplies this many elements in a row, a merge switches to galloping.
/// It is also the floor of the "keep galloping" test: galloping continues while a
/// gallop moves at least this many elements at once.
pub const MIN_GALLOP: usize = 7;

/// Sorts `v` stably with TimSort and the [`Classic`](MergePolicy::Classic) policy.
///
/// ```
/// let mut v = [5, 2, 9, 1];
/// timsort::sort(&mut v);
/// assert_eq!(v, [1, 2, 5, 9]);
/// ```
pub fn sort<T: Ord>(v: &mut [T]) {
    engine::sort(v, MergePolicy::Classic, &mut T::lt, &mut NoProbe);
}

/// Sorts `v` stably with TimSort ([`Classic`](MergePolicy::Classic) policy), ordering
/// by `compare`.
///
/// Only `compare(a, b) == Ordering::Less` matters: TimSort only ever asks "is `a`
/// less than `b`?". If `compare` is not a total order the result is unspecified but
/// still a permutation of the input.
///
/// ```
/// let mut v = [1, 5, 3];
/// timsort::sort_by(&mut v, |a, b| b.cmp(a));
/// assert_eq!(v, [5, 3, 1]);
/// ```
pub fn sort_by<T, F>(v: &mut [T], compare: F)
where
    F: FnMut(&T, &T) -> Ordering,
{
    TimSort::new().sort_by(v, compare);
}

/// Sorts `v` stably with TimSort ([`Classic`](MergePolicy::Classic) policy) by the
/// key `key` extracts. The key is recomputed for every comparison, as in
/// `slice::sort_by_key`.
///
/// ```
/// let mut v = [-3i32, 1, -2];
/// timsort::sort_by_key(&mut v, |x| x.abs());
/// assert_eq!(v, [1, -2, -3]);
/// ```
pub fn sort_by_key<T, K, F>(v: &mut [T], mut key: F)
where
    K: Ord,
    F: FnMut(&T) -> K,
{
    engine::sort(
        v,
        MergePolicy::Classic,
        &mut |a: &T, b: &T| key(a) < key(b),
        &mut NoProbe,
    );
}

/// A configured TimSort: which [`MergePolicy`] to use, and the instrumented entry
/// points that report [`Stats`] and [`Event`]s.
///
/// ```
/// use timsort::{MergePolicy, TimSort};
///
/// let sorter = TimSort::with_policy(MergePolicy::Powersort);
/// let mut v: Vec<u32> = (0..100).rev().collect();
/// let stats = sorter.sort_by_counted(&mut v, |a, b| a.cmp(b));
/// assert_eq!(stats.comparisons, 99); // one descending run, reversed
/// assert_eq!(stats.natural_runs_descending, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimSort {
    policy: MergePolicy,
}

impl TimSort {
    /// A sorter with the [`Classic`](MergePolicy::Classic) policy.
    #[must_use]
    pub const fn new() -> Self {
        TimSort {
            policy: MergePolicy::Classic,
        }
    }

    /// A sorter with the given merge policy.
    #[must_use]
    pub const fn with_policy(policy: MergePolicy) -> Self {
        TimSort { policy }
    }

    /// The merge policy this sorter uses.
    pub const fn policy(&self) -> MergePolicy {
        self.policy
    }

    /// Sorts `v` stably by `compare`, uninstrumented (the fast path).
    pub fn sort_by<T, F>(&self, v: &mut [T], mut compare: F)
    where
        F: FnMut(&T, &T) -> Ordering,
    {
        let mut is_less = |a: &T, b: &T| compare(a, b) == Ordering::Less;
        engine::sort(v, self.policy, &mut is_less, &mut NoProbe);
    }

    /// Sorts `v` stably by `compare` and reports what it took: comparisons, runs,
    /// merges, galloping, stack depth.
    pub fn sort_by_counted<T, F>(&self, v: &mut [T], compare: F) -> Stats
    where
        F: FnMut(&T, &T) -> Ordering,
    {
        self.sort_recorded(v, compare, None)
    }

    /// Like [`sort_by_counted`](Self::sort_by_counted), and also calls `on_event` for
    /// every run found and every merge performed, in order.
    ///
    /// ```
    /// use timsort::{Event, TimSort};
    ///
    /// let mut v: Vec<u32> = (0..64).chain(0..64).collect(); // two runs of 64
    /// let mut events = Vec::new();
    /// TimSort::new().sort_by_traced(&mut v, |a, b| a.cmp(b), &mut |e| events.push(e.clone()));
    /// assert!(matches!(events[0], Event::Run { start: 0, len: 64, .. }));
    /// assert!(matches!(events[1], Event::Run { start: 64, len: 64, .. }));
    /// assert!(matches!(events[2], Event::Merge { len_a: 64, len_b: 64, pending_after: 1, .. }));
    /// ```
    pub fn sort_by_traced<T, F>(
        &self,
        v: &mut [T],
        compare: F,
        on_event: &mut dyn FnMut(&Event),
    ) -> Stats
    where
        F: FnMut(&T, &T) -> Ordering,
    {
        self.sort_recorded(v, compare, Some(on_event))
    }

    fn sort_recorded<T, F>(
        &self,
        v: &mut [T],
        mut compare: F,
        sink: Option<&mut dyn FnMut(&Event)>,
    ) -> Stats
    where
        F: FnMut(&T, &T) -> Ordering,
    {
        // The counter lives outside the comparator so the probe can read it between
        // steps and attribute comparisons to runs and merges.
        let count = Cell::new(0u64);
        let mut is_less = |a: &T, b: &T| {
            count.set(count.get() + 1);
            compare(a, b) == Ordering::Less
        };
        let mut recorder = Recorder::new(&count, sink);
        engine::sort(v, self.policy, &mut is_less, &mut recorder);
        recorder.finish()
    }
}
