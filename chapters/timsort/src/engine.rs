//! The driver: one left-to-right pass finding runs (`count_run`), extending short
//! ones (`binary_insertion_sort`), and deciding which pending runs to merge
//! (`merge_collapse` or `found_new_run`), then `merge_force_collapse` at the end.
//! All safe code; the merges themselves live in [`crate::merge`].

use std::hint::select_unpredictable;

use crate::merge::{self, MergeState};
use crate::policy::{MergePolicy, minrun, powerloop};
use crate::probe::Probe;

/// A run waiting on the stack to be merged.
#[derive(Debug, Clone, Copy)]
struct PendingRun {
    start: usize,
    len: usize,
    /// Powersort only: the power of the boundary between this run and the next.
    power: u32,
}

/// The whole sort. `is_less(a, b)` answers "does `a` sort strictly before `b`?",
/// which is the only question TimSort ever asks.
pub(crate) fn sort<T, F, P>(v: &mut [T], policy: MergePolicy, is_less: &mut F, probe: &mut P)
where
    F: FnMut(&T, &T) -> bool,
    P: Probe,
{
    let n = v.len();
    let minrun = minrun(n);
    probe.start(n, minrun);
    if n < 2 {
        return;
    }

    let mut state = Sorter {
        pending: Vec::with_capacity(16),
        merge: MergeState::new(),
    };
    let mut lo = 0;
    while lo < n {
        let before = probe.comparisons();
        let rest = &mut v[lo..];
        let (natural_len, descending) = count_run(rest, is_less);
        if descending {
            // Strictly descending, so no two elements are equal and reversing
            // cannot reorder equal keys: stability survives.
            rest[..natural_len].reverse();
        }
        let mut len = natural_len;
        if len < minrun {
            let force = minrun.min(rest.len());
            binary_insertion_sort(&mut rest[..force], natural_len, is_less);
            len = force;
        }
        let spent = probe.comparisons() - before;
        probe.run(lo, natural_len, descending, len, spent);

        let run = PendingRun {
            start: lo,
            len,
            power: 0,
        };
        match policy {
            MergePolicy::Classic => {
                state.pending.push(run);
                probe.pending(state.pending.len());
                state.merge_collapse(v, is_less, probe);
            }
            MergePolicy::Powersort => {
                state.found_new_run(v, len, is_less, probe);
                state.pending.push(run);
                probe.pending(state.pending.len());
            }
        }
        lo += len;
    }
    state.merge_force_collapse(v, is_less, probe);
    debug_assert!(state.pending.len() == 1 && state.pending[0].len == n);
}

/// Length of the run at the start of `v` (non-empty), and whether it is strictly
/// descending (CPython's `count_run`, 3.11 edition).
///
/// Ascending means non-decreasing (`!(v[i] < v[i-1])`), descending means strictly
/// decreasing (`v[i] < v[i-1]`): the asymmetry is what lets a descending run be
/// reversed without breaking stability. Costs exactly `len - 1` comparisons, plus one
/// for the element that ends the run, if any.
pub(crate) fn count_run<T, F>(v: &[T], is_less: &mut F) -> (usize, bool)
where
    F: FnMut(&T, &T) -> bool,
{
    let n = v.len();
    if n <= 1 {
        return (n, false);
    }
    // `windows(2)` keeps the scan free of bounds checks; the comparison sequence is
    // still CPython's: v[1] < v[0], then v[i] < v[i-1] for i = 2, 3, ... until the run ends.
    let rest = v[1..].windows(2);
    if is_less(&v[1], &v[0]) {
        let end = rest.take_while(|w| is_less(&w[1], &w[0])).count();
        (end + 2, true)
    } else {
        let end = rest.take_while(|w| !is_less(&w[1], &w[0])).count();
        (end + 2, false)
    }
}

/// Sorts `v` given that `v[..sorted]` already is (CPython's `binarysort`).
///
/// Each new element's place is found by binary search, always ending *after* equal
/// elements, which keeps the sort stable. Comparisons are O(n log n) but moves are
/// O(n^2), which is why it is only used on runs of at most `minrun` (<= 64) elements,
/// where the moves are cheap, contiguous `memmove`s.
pub(crate) fn binary_insertion_sort<T, F>(v: &mut [T], sorted: usize, is_less: &mut F)
where
    F: FnMut(&T, &T) -> bool,
{
    for start in sorted.max(1)..v.len() {
        let (mut l, mut r) = (0, start);
        // pivot >= everything in v[..l]; pivot < everything in v[r..start].
        loop {
            let p = l + (r - l) / 2;
            // The outcome is a coin flip on random data: select, don't branch.
            let less = is_less(&v[start], &v[p]);
            r = select_unpredictable(less, p, r);
            l = select_unpredictable(less, l, p + 1);
            if l >= r {
                break;
            }
        }
        v[l..=start].rotate_right(1);
    }
}

/// The pending-run stack plus the state shared by all merges of one sort.
struct Sorter<T> {
    pending: Vec<PendingRun>,
    merge: MergeState<T>,
}

impl<T> Sorter<T> {
    /// Merges pending runs `i` and `i + 1` (CPython's `merge_at`, bookkeeping half).
    fn merge_at<F, P>(&mut self, v: &mut [T], i: usize, is_less: &mut F, probe: &mut P)
    where
        F: FnMut(&T, &T) -> bool,
        P: Probe,
    {
        let a = self.pending[i];
        let b = self.pending[i + 1];
        debug_assert_eq!(a.start + a.len, b.start);
        // The merged run keeps run i's slot (and, for powersort, its power); if i is
        // third from the top, the top run slides down one place.
        self.pending[i].len = a.len + b.len;
        self.pending.remove(i + 1);

        let before = probe.comparisons();
        let report = merge::merge_at(
            &mut v[a.start..b.start + b.len],
            a.len,
            &mut self.merge,
            is_less,
        );
        let spent = probe.comparisons() - before;
        probe.merge(a.start, a.len, b.len, &report, spent, self.pending.len());
    }

    /// Classic policy: restore the stack invariants
    ///
    /// 1. `len[i-2] > len[i-1] + len[i]`
    /// 2. `len[i-1] > len[i]`
    ///
    /// for the *whole* stack. Tim Peters' 2002 version checked condition 1 only for
    /// the top three runs; de Gouw et al. (2015) showed a merge can then break it
    /// further down. The fix also checks the run below: `len[n-4] <= len[n-3] + len[n-2]`
    /// (in this code, the `i > 1` clause).
    fn merge_collapse<F, P>(&mut self, v: &mut [T], is_less: &mut F, probe: &mut P)
    where
        F: FnMut(&T, &T) -> bool,
        P: Probe,
    {
        while self.pending.len() > 1 {
            let mut i = self.pending.len() - 2;
            let len = |k: usize| self.pending[k].len;
            if (i > 0 && len(i - 1) <= len(i) + len(i + 1))
                || (i > 1 && len(i - 2) <= len(i - 1) + len(i))
            {
                // Merge the middle run with whichever neighbour is smaller, so the
                // merge stays balanced.
                if len(i - 1) < len(i + 1) {
                    i -= 1;
                }
                self.merge_at(v, i, is_less, probe);
            } else if len(i) <= len(i + 1) {
                self.merge_at(v, i, is_less, probe);
            } else {
                break;
            }
        }
    }

    /// Powersort policy (CPython 3.11's `found_new_run`): a run of length `n2` was
    /// just found right after the top of the stack. Compute the power of the
    /// boundary between them, merge away every run below the top whose boundary power
    /// is higher (those merges are deeper in the ideal merge tree, so they come
    /// first), then record the power on the top run. The caller pushes the new run.
    fn found_new_run<F, P>(&mut self, v: &mut [T], n2: usize, is_less: &mut F, probe: &mut P)
    where
        F: FnMut(&T, &T) -> bool,
        P: Probe,
    {
        let Some(top) = self.pending.last() else {
            return;
        };
        let power = powerloop(top.start, top.len, n2, v.len());
        while self.pending.len() > 1 && self.pending[self.pending.len() - 2].power > power {
            self.merge_at(v, self.pending.len() - 2, is_less, probe);
        }
        let last = self.pending.len() - 1;
        self.pending[last].power = power;
    }

    /// Merges everything left, regardless of invariants, always merging the middle
    /// run with its smaller neighbour.
    fn merge_force_collapse<F, P>(&mut self, v: &mut [T], is_less: &mut F, probe: &mut P)
    where
        F: FnMut(&T, &T) -> bool,
        P: Probe,
    {
        while self.pending.len() > 1 {
            let mut i = self.pending.len() - 2;
            if i > 0 && self.pending[i - 1].len < self.pending[i + 1].len {
                i -= 1;
            }
            self.merge_at(v, i, is_less, probe);
        }
    }
}
