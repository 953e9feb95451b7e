//! `merge_at`, `merge_lo`, `merge_hi` and the two gallops: the only module in the
//! crate that moves values with raw pointers.
//!
//! A merge copies the shorter run out to temporary space, which leaves a *gap* of
//! logically-vacant slots in the slice. Each merge keeps its whole state in a small
//! struct (`LoMerge`, `HiMerge`) whose `Drop` copies the temporary elements that are
//! still unplaced back into the gap. That one destructor serves both the normal
//! ending and unwinding out of a panicking comparator, so the slice is always left a
//! permutation of its input and no value is dropped twice or leaked.
//!
//! The comparator is never trusted for memory safety. The gallops can only return
//! positions inside the slice they search, whatever the answers, and every move
//! between regions asserts its count against the number of live elements, so an
//! inconsistent order can at worst produce a misordered (but complete) result.

#![allow(unsafe_code)]

use std::hint::select_unpredictable;
use std::ptr;
use std::slice;

use crate::MIN_GALLOP;
use crate::stats::MergeDirection;

/// Merge state that lives across all the merges of one sort, like CPython's
/// `MergeState`: the adaptive galloping threshold and the reusable temp buffer.
pub(crate) struct MergeState<T> {
    /// The current threshold for entering galloping mode. Starts at [`MIN_GALLOP`];
    /// merges raise it when galloping does not pay and lower it when it does.
    pub(crate) min_gallop: usize,
    /// Raw storage for the run being merged; its length is always 0, so the `Vec`
    /// never owns (or drops) the values that pass through it.
    buf: Vec<T>,
}

impl<T> MergeState<T> {
    pub(crate) fn new() -> Self {
        MergeState {
            min_gallop: MIN_GALLOP,
            buf: Vec::new(),
        }
    }
}

/// Room for `need` elements in the (always empty) buffer. A fresh allocation rather
/// than `reserve`, because the old contents are garbage and `realloc` would copy them.
fn scratch<T>(buf: &mut Vec<T>, need: usize) -> *mut T {
    if buf.capacity() < need {
        *buf = Vec::with_capacity(need);
    }
    buf.as_mut_ptr()
}

/// What one `merge_at` did, for the probes.
pub(crate) struct MergeReport {
    pub(crate) trimmed_front: usize,
    pub(crate) trimmed_back: usize,
    pub(crate) direction: MergeDirection,
    pub(crate) gallop_entries: usize,
}

/// Merges the sorted runs `v[..len_a]` and `v[len_a..]` in place, stably
/// (CPython's `merge_at`, minus the stack bookkeeping, which the engine does).
///
/// First `gallop_right` finds how much of A's front is already `<=` B's first
/// element, and `gallop_left` how much of B's back is already `>` A's last element;
/// those parts are in their final places. What remains is merged with temp space for
/// the shorter side only.
pub(crate) fn merge_at<T, F>(
    v: &mut [T],
    len_a: usize,
    state: &mut MergeState<T>,
    is_less: &mut F,
) -> MergeReport
where
    F: FnMut(&T, &T) -> bool,
{
    assert!(
        0 < len_a && len_a < v.len(),
        "merge_at needs two non-empty runs"
    );
    let len_b = v.len() - len_a;
    let (a, b) = v.split_at(len_a);

    let trimmed_front = gallop_right(&b[0], a, 0, is_less);
    let na = len_a - trimmed_front;
    let skipped = |trimmed_back| MergeReport {
        trimmed_front,
        trimmed_back,
        direction: MergeDirection::Skipped,
        gallop_entries: 0,
    };
    if na == 0 {
        return skipped(0);
    }
    let nb = gallop_left(&a[len_a - 1], b, len_b - 1, is_less);
    let trimmed_back = len_b - nb;
    if nb == 0 {
        return skipped(trimmed_back);
    }

    let rest = &mut v[trimmed_front..len_a + nb];
    let (direction, gallop_entries) = if na <= nb {
        (MergeDirection::Lo, merge_lo(rest, na, state, is_less))
    } else {
        (MergeDirection::Hi, merge_hi(rest, na, state, is_less))
    };
    MergeReport {
        trimmed_front,
        trimmed_back,
        direction,
        gallop_entries,
    }
}

/// Where `key` belongs in the sorted `a`: the index `k` with `a[k-1] < key <= a[k]`,
/// i.e. to the *left* of any equal elements.
///
/// The search starts at `hint` and gallops (steps of 1, 3, 7, 15, ... away from it)
/// until it brackets the answer, then binary-searches the bracket. Near the hint
/// that costs O(log distance) comparisons instead of O(log n); the merges pass hints
/// at the end where the answer is expected.
pub(crate) fn gallop_left<T, F>(key: &T, a: &[T], hint: usize, is_less: &mut F) -> usize
where
    F: FnMut(&T, &T) -> bool,
{
    let n = a.len();
    assert!(hint < n, "gallop hint out of range");
    let mut last_ofs = 0;
    let mut ofs = 1;
    // The bracket [lo, hi] that must contain the answer once galloping stops.
    let (mut lo, mut hi);
    if is_less(&a[hint], key) {
        // Gallop right until a[hint + last_ofs] < key <= a[hint + ofs].
        let max_ofs = n - hint;
        while ofs < max_ofs {
            if is_less(&a[hint + ofs], key) {
                last_ofs = ofs;
                // Cannot overflow: ofs < n <= isize::MAX.
                ofs = (ofs << 1) + 1;
            } else {
                break;
            }
        }
        ofs = ofs.min(max_ofs);
        lo = hint + last_ofs + 1;
        hi = hint + ofs;
    } else {
        // Gallop left until a[hint - ofs] < key <= a[hint - last_ofs].
        let max_ofs = hint + 1;
        while ofs < max_ofs {
            if is_less(&a[hint - ofs], key) {
                break;
            }
            last_ofs = ofs;
            ofs = (ofs << 1) + 1;
        }
        ofs = ofs.min(max_ofs);
        lo = hint + 1 - ofs;
        hi = hint - last_ofs;
    }
    // Binary search with a[lo-1] < key <= a[hi]; lo <= hi <= n by construction,
    // whatever the comparator said.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if is_less(&a[mid], key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Like [`gallop_left`], but returns the position to the *right* of any elements
/// equal to `key`: the `k` with `a[k-1] <= key < a[k]`. Stability depends on using
/// the right one of the pair: elements of A go before equal elements of B.
pub(crate) fn gallop_right<T, F>(key: &T, a: &[T], hint: usize, is_less: &mut F) -> usize
where
    F: FnMut(&T, &T) -> bool,
{
    let n = a.len();
    assert!(hint < n, "gallop hint out of range");
    let mut last_ofs = 0;
    let mut ofs = 1;
    let (mut lo, mut hi);
    if is_less(key, &a[hint]) {
        // Gallop left until a[hint - ofs] <= key < a[hint - last_ofs].
        let max_ofs = hint + 1;
        while ofs < max_ofs {
            if is_less(key, &a[hint - ofs]) {
                last_ofs = ofs;
                ofs = (ofs << 1) + 1;
            } else {
                break;
            }
        }
        ofs = ofs.min(max_ofs);
        lo = hint + 1 - ofs;
        hi = hint - last_ofs;
    } else {
        // Gallop right until a[hint + last_ofs] <= key < a[hint + ofs].
        let max_ofs = n - hint;
        while ofs < max_ofs {
            if is_less(key, &a[hint + ofs]) {
                break;
            }
            last_ofs = ofs;
            ofs = (ofs << 1) + 1;
        }
        ofs = ofs.min(max_ofs);
        lo = hint + last_ofs + 1;
        hi = hint + ofs;
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if is_less(key, &a[mid]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

/// State of a `merge_lo`: A (the shorter, left run) sits in temp space and the
/// output grows from the left end of the slice.
///
/// Layout of the slice: `[ merged | gap of na slots | nb unmerged B ]`, with the
/// unmerged A elements at `tmp[a..a + na]`. Invariant: `dest + na == b`, so the gap
/// is always exactly the size of what is left of A.
struct LoMerge<T> {
    tmp: *mut T,
    a: usize,
    na: usize,
    dest: *mut T,
    b: *mut T,
    nb: usize,
}

impl<T> LoMerge<T> {
    fn a_head(&self) -> &T {
        assert!(self.na > 0);
        // SAFETY: tmp[a] is the first of na > 0 live A elements in the buffer.
        unsafe { &*self.tmp.add(self.a) }
    }

    fn b_head(&self) -> &T {
        assert!(self.nb > 0);
        // SAFETY: b points at the first of nb > 0 live B elements in the slice.
        unsafe { &*self.b }
    }

    fn a_rest(&self) -> &[T] {
        // SAFETY: tmp[a..a + na] are live, initialised A elements, and nothing
        // writes to them while this borrow of `self` lasts.
        unsafe { slice::from_raw_parts(self.tmp.add(self.a), self.na) }
    }

    fn b_rest(&self) -> &[T] {
        // SAFETY: b[..nb] are live B elements at the end of the slice.
        unsafe { slice::from_raw_parts(self.b, self.nb) }
    }

    /// Moves the next `k` elements of A to the output.
    fn take_a(&mut self, k: usize) {
        assert!(k <= self.na, "merge_lo: A overdrawn");
        // SAFETY: k <= na live elements in the buffer; the gap at dest has na >= k
        // slots, and buffer and slice never overlap.
        unsafe {
            ptr::copy_nonoverlapping(self.tmp.add(self.a), self.dest, k);
            self.dest = self.dest.add(k);
        }
        self.a += k;
        self.na -= k;
    }

    /// Moves the next `k` elements of B to the output.
    fn take_b(&mut self, k: usize) {
        assert!(k <= self.nb, "merge_lo: B overdrawn");
        // SAFETY: b[..k] are live; dest <= b inside the same slice, so `copy`
        // (memmove) handles the overlap when k > na. Afterwards dest + na == b again.
        unsafe {
            ptr::copy(self.b, self.dest, k);
            self.dest = self.dest.add(k);
            self.b = self.b.add(k);
        }
        self.nb -= k;
    }
}

impl<T> LoMerge<T> {
    /// The plain merge loop: one comparison, one element moved, until a run has won
    /// `min_gallop` times in a row (returns `true`: time to gallop) or the merge is
    /// over (returns `false`: B is exhausted or A is down to its last element).
    ///
    /// Written without data-dependent branches: on random data the winner is a coin
    /// flip, and a mispredicted branch per element would cost more than the move.
    fn one_at_a_time<F>(&mut self, min_gallop: usize, is_less: &mut F) -> bool
    where
        F: FnMut(&T, &T) -> bool,
    {
        assert!(self.na > 1 && self.nb > 0);
        let mut streak = 0;
        let mut last_b_won = false;
        loop {
            // SAFETY: na > 1 and nb > 0 on entry (asserted) and on every later pass
            // (we return as soon as na == 1 or nb == 0, and each pass lowers exactly
            // one of them by one), so both heads are live. The winner is copied to
            // dest, which is below b by na >= 2 slots, so the copy cannot overlap.
            let b_won = unsafe {
                let a_head = self.tmp.add(self.a);
                let b_won = is_less(&*self.b, &*a_head);
                let src = select_unpredictable(b_won, self.b, a_head);
                ptr::copy_nonoverlapping(src, self.dest, 1);
                self.dest = self.dest.add(1);
                self.b = self.b.add(usize::from(b_won));
                b_won
            };
            self.nb -= usize::from(b_won);
            self.a += usize::from(!b_won);
            self.na -= usize::from(!b_won);
            // CPython's acount/bcount: the winner's count goes up, the loser's resets.
            streak = usize::from(b_won == last_b_won) * streak + 1;
            last_b_won = b_won;
            if self.nb == 0 || self.na == 1 {
                return false;
            }
            if streak >= min_gallop {
                return true;
            }
        }
    }
}

impl<T> Drop for LoMerge<T> {
    fn drop(&mut self) {
        // SAFETY: the gap [dest, dest + na) is exactly as long as the na unplaced A
        // elements, which are live in the buffer. Filling it makes the slice whole,
        // on success and during unwinding alike.
        unsafe { ptr::copy_nonoverlapping(self.tmp.add(self.a), self.dest, self.na) };
    }
}

/// Merges `v[..na]` (A) and `v[na..]` (B) when A is the shorter run, front to back.
/// Requires (from `merge_at`'s trims) that B's first element goes first and A's last
/// element goes last; returns how many times galloping mode was entered.
fn merge_lo<T, F>(v: &mut [T], na: usize, state: &mut MergeState<T>, is_less: &mut F) -> usize
where
    F: FnMut(&T, &T) -> bool,
{
    let len = v.len();
    assert!(0 < na && na < len);
    let MergeState { min_gallop, buf } = state;
    let tmp = scratch(buf, na);
    let base = v.as_mut_ptr();
    // SAFETY: the buffer has room for na elements and is a separate allocation.
    // From here on A's slots in `v` are a gap that `m`'s destructor refills.
    unsafe { ptr::copy_nonoverlapping(base, tmp, na) };
    let mut m = LoMerge {
        tmp,
        a: 0,
        na,
        dest: base,
        // SAFETY: na < len, so this stays inside the slice.
        b: unsafe { base.add(na) },
        nb: len - na,
    };
    let mut gallops = 0;

    'done: {
        m.take_b(1);
        if m.nb == 0 || m.na == 1 {
            break 'done;
        }
        let mut mg = *min_gallop;
        loop {
            // One element at a time until one run starts winning consistently.
            if !m.one_at_a_time(mg, is_less) {
                break 'done;
            }

            // Galloping mode: stay while either side keeps producing long stretches.
            gallops += 1;
            mg += 1;
            loop {
                // Every round in galloping mode makes re-entering it easier later.
                mg -= usize::from(mg > 1);
                *min_gallop = mg;

                let k = gallop_right(m.b_head(), m.a_rest(), 0, is_less);
                let a_wins = k;
                if k > 0 {
                    m.take_a(k);
                    // na == 0 cannot happen with a consistent comparator (A's last
                    // element outranks all of B), but the comparator is not trusted.
                    if m.na <= 1 {
                        break 'done;
                    }
                }
                m.take_b(1);
                if m.nb == 0 {
                    break 'done;
                }

                let k = gallop_left(m.a_head(), m.b_rest(), 0, is_less);
                let b_wins = k;
                if k > 0 {
                    m.take_b(k);
                    if m.nb == 0 {
                        break 'done;
                    }
                }
                m.take_a(1);
                if m.na == 1 {
                    break 'done;
                }
                if a_wins < MIN_GALLOP && b_wins < MIN_GALLOP {
                    break;
                }
            }
            // Leaving galloping mode is evidence it did not pay: make re-entry harder.
            mg += 1;
            *min_gallop = mg;
        }
    }
    // Every ending funnels through here. If A is down to its last element (CPython's
    // "CopyB"), the rest of B slides left and that element follows it; if B ran out,
    // this moves nothing and the destructor places the rest of A; if A ran out, B is
    // already in place and the move is onto itself.
    m.take_b(m.nb);
    gallops
}

/// State of a `merge_hi`: B (the shorter, right run) sits in temp space and the
/// output grows from the right end of the slice.
///
/// Layout of the slice: `[ na unmerged A | gap of nb slots | merged ]`, with the
/// unmerged B elements at `tmp[..nb]`.
struct HiMerge<T> {
    base: *mut T,
    na: usize,
    tmp: *mut T,
    nb: usize,
}

impl<T> HiMerge<T> {
    fn a_last(&self) -> &T {
        assert!(self.na > 0);
        // SAFETY: base[..na] are live A elements and na > 0.
        unsafe { &*self.base.add(self.na - 1) }
    }

    fn b_last(&self) -> &T {
        assert!(self.nb > 0);
        // SAFETY: tmp[..nb] are live B elements and nb > 0.
        unsafe { &*self.tmp.add(self.nb - 1) }
    }

    fn a_rest(&self) -> &[T] {
        // SAFETY: base[..na] are live A elements; nothing writes them during the borrow.
        unsafe { slice::from_raw_parts(self.base, self.na) }
    }

    fn b_rest(&self) -> &[T] {
        // SAFETY: tmp[..nb] are live B elements in the buffer.
        unsafe { slice::from_raw_parts(self.tmp, self.nb) }
    }

    /// Moves the last `k` elements of A to the right end of the output.
    fn take_a(&mut self, k: usize) {
        assert!(k <= self.na, "merge_hi: A overdrawn");
        // SAFETY: A's last k elements (live) move right by nb, into the gap's tail and
        // possibly over their own old slots, hence `copy` (memmove). The gap then
        // starts k slots earlier and is still nb long.
        unsafe {
            let from = self.base.add(self.na - k);
            ptr::copy(from, from.add(self.nb), k);
        }
        self.na -= k;
    }

    /// Moves the last `k` elements of B to the right end of the output.
    fn take_b(&mut self, k: usize) {
        assert!(k <= self.nb, "merge_hi: B overdrawn");
        // SAFETY: tmp[nb-k..nb] are live; they land in the last k slots of the gap
        // [na, na + nb), inside the slice and disjoint from the buffer.
        unsafe {
            ptr::copy_nonoverlapping(
                self.tmp.add(self.nb - k),
                self.base.add(self.na + self.nb - k),
                k,
            );
        }
        self.nb -= k;
    }
}

impl<T> HiMerge<T> {
    /// `merge_hi`'s plain loop, mirror image of [`LoMerge::one_at_a_time`]: returns
    /// `true` to start galloping, `false` when A is exhausted or B is down to one.
    fn one_at_a_time<F>(&mut self, min_gallop: usize, is_less: &mut F) -> bool
    where
        F: FnMut(&T, &T) -> bool,
    {
        assert!(self.na > 0 && self.nb > 1);
        let mut streak = 0;
        let mut last_a_won = false;
        loop {
            // SAFETY: na > 0 and nb > 1 on entry (asserted) and on every later pass
            // (we return when na == 0 or nb == 1), so A's and B's last elements are
            // live. The winner goes to the last slot of the gap, base[na + nb - 1],
            // which lies above A's last element (nb >= 2) and outside the buffer.
            let a_won = unsafe {
                let a_last = self.base.add(self.na - 1);
                let b_last = self.tmp.add(self.nb - 1);
                let a_won = is_less(&*b_last, &*a_last);
                let src = select_unpredictable(a_won, a_last, b_last);
                ptr::copy_nonoverlapping(src, self.base.add(self.na + self.nb - 1), 1);
                a_won
            };
            self.na -= usize::from(a_won);
            self.nb -= usize::from(!a_won);
            streak = usize::from(a_won == last_a_won) * streak + 1;
            last_a_won = a_won;
            if self.na == 0 || self.nb == 1 {
                return false;
            }
            if streak >= min_gallop {
                return true;
            }
        }
    }
}

impl<T> Drop for HiMerge<T> {
    fn drop(&mut self) {
        // SAFETY: the gap [na, na + nb) is exactly as long as the nb unplaced B
        // elements, which are live in the buffer.
        unsafe { ptr::copy_nonoverlapping(self.tmp, self.base.add(self.na), self.nb) };
    }
}

/// Merges `v[..na]` (A) and `v[na..]` (B) when B is the shorter run, back to front.
/// Same preconditions as [`merge_lo`]; returns how many times galloping was entered.
fn merge_hi<T, F>(v: &mut [T], na: usize, state: &mut MergeState<T>, is_less: &mut F) -> usize
where
    F: FnMut(&T, &T) -> bool,
{
    let len = v.len();
    assert!(0 < na && na < len);
    let nb = len - na;
    let MergeState { min_gallop, buf } = state;
    let tmp = scratch(buf, nb);
    let base = v.as_mut_ptr();
    // SAFETY: the buffer has room for nb elements; v[na..] holds them. From here on
    // those slots are a gap that `m`'s destructor refills.
    unsafe { ptr::copy_nonoverlapping(base.add(na), tmp, nb) };
    let mut m = HiMerge { base, na, tmp, nb };
    let mut gallops = 0;

    'done: {
        m.take_a(1);
        if m.na == 0 || m.nb == 1 {
            break 'done;
        }
        let mut mg = *min_gallop;
        loop {
            if !m.one_at_a_time(mg, is_less) {
                break 'done;
            }

            gallops += 1;
            mg += 1;
            loop {
                mg -= usize::from(mg > 1);
                *min_gallop = mg;

                let k = m.na - gallop_right(m.b_last(), m.a_rest(), m.na - 1, is_less);
                let a_wins = k;
                if k > 0 {
                    m.take_a(k);
                    if m.na == 0 {
                        break 'done;
                    }
                }
                m.take_b(1);
                if m.nb == 1 {
                    break 'done;
                }

                let k = m.nb - gallop_left(m.a_last(), m.b_rest(), m.nb - 1, is_less);
                let b_wins = k;
                if k > 0 {
                    m.take_b(k);
                    // nb == 0 is impossible with a consistent comparator (B's first
                    // element precedes all of A), but the comparator is not trusted.
                    if m.nb <= 1 {
                        break 'done;
                    }
                }
                m.take_a(1);
                if m.na == 0 {
                    break 'done;
                }
                if a_wins < MIN_GALLOP && b_wins < MIN_GALLOP {
                    break;
                }
            }
            mg += 1;
            *min_gallop = mg;
        }
    }
    // Mirror image of merge_lo's ending: with one B element left ("CopyA") the rest
    // of A slides right and the destructor drops that element in front; otherwise
    // this moves A onto itself or moves nothing.
    m.take_a(m.na);
    gallops
}
