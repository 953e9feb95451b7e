//! The baseline: a plain top-down merge sort that ignores any existing order.
//!
//! It always splits at the middle and always merges element by element, so it makes
//! about `n log2 n - n` comparisons on *every* input, sorted or not. Tables put it
//! next to TimSort to show what run detection and galloping buy.

use std::cmp::Ordering;

/// Sorts `v` stably with a recursive top-down merge sort: split at `len / 2`, sort
/// both halves, merge them through a buffer of clones.
///
/// Safe code only, so a panicking or inconsistent comparator can at worst leave `v`
/// partly sorted (every merge writes back only after it has finished).
///
/// ```
/// let mut v = vec![3, 1, 2];
/// timsort::textbook::merge_sort_by(&mut v, |a, b| a.cmp(b));
/// assert_eq!(v, [1, 2, 3]);
/// ```
pub fn merge_sort_by<T, F>(v: &mut [T], mut compare: F)
where
    T: Clone,
    F: FnMut(&T, &T) -> Ordering,
{
    let mut buf = Vec::with_capacity(v.len());
    sort_rec(v, &mut buf, &mut compare);
}

fn sort_rec<T, F>(v: &mut [T], buf: &mut Vec<T>, compare: &mut F)
where
    T: Clone,
    F: FnMut(&T, &T) -> Ordering,
{
    let len = v.len();
    if len <= 1 {
        return;
    }
    let mid = len / 2;
    sort_rec(&mut v[..mid], buf, compare);
    sort_rec(&mut v[mid..], buf, compare);

    buf.clear();
    let (left, right) = v.split_at(mid);
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        // Take from the right only when strictly smaller: ties keep left-first order.
        if compare(&right[j], &left[i]) == Ordering::Less {
            buf.push(right[j].clone());
            j += 1;
        } else {
            buf.push(left[i].clone());
            i += 1;
        }
    }
    buf.extend_from_slice(&left[i..]);
    buf.extend_from_slice(&right[j..]);
    v.clone_from_slice(buf);
}
