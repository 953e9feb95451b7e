//! The 2015 TimSort bug, replayed.
//!
//! De Gouw et al. showed that checking the stack invariant only on the top three runs
//! lets a merge break it further down. Their generator builds run lengths that do
//! exactly that. Here the same construction (re-derived for CPython's `minrun`) is
//! sorted with the classic policy, the pending stack is rebuilt from the traced
//! events, and the invariants are checked on the *whole* stack after every
//! `merge_collapse`. With CPython's fix in place they always hold; remove the fix
//! (the `i > 1` clause in `merge_collapse`) and this test fails.

use std::collections::VecDeque;

use timsort::{Event, MergePolicy, TimSort};

/// Appends (at the front) run lengths x_1..x_k summing to `total`, each >= `minrun`,
/// with x_1 + ... + x_{j-2} < x_j < x_1 + ... + x_{j-1}. Pushed in that order, the
/// old rule merges them one by one at the second-to-last position into a single run
/// X that is too long for the run below it.
fn push_front_merging_chain(runs: &mut VecDeque<u64>, minrun: u64, mut total: u64) {
    while total > 2 * minrun {
        // Usually halve; a few small totals need a hand-picked split that keeps every
        // piece >= minrun and the inequalities above intact.
        let keep = if (3 * minrun + 3..=4 * minrun + 1).contains(&total) {
            2 * minrun + 1
        } else if (5 * minrun + 5..=6 * minrun + 5).contains(&total) {
            3 * minrun + 3
        } else if (8 * minrun + 9..=10 * minrun + 9).contains(&total) {
            5 * minrun + 5
        } else if (13 * minrun + 15..=16 * minrun + 17).contains(&total) {
            8 * minrun + 9
        } else {
            total / 2 + 1
        };
        runs.push_front(total - keep);
        total = keep;
    }
    runs.push_front(total);
}

/// Run lengths for an `n`-element input that breaks the top-three-only check:
/// blocks `Y_i, x_{i,1}, ..., x_{i,k}` where each `Y_i` keeps the invariant with what
/// is below it, but the `x`s collapse into an `X_i` with `Y_i <= X_i + (next run)`.
fn adversarial_run_lengths(n: u64) -> Vec<u64> {
    let minrun = timsort::minrun(n as usize) as u64;
    let mut runs = VecDeque::new();
    let mut total = 0;
    let (mut x, mut y) = (minrun, minrun + 4);
    while total + x + y <= n {
        total += x + y;
        push_front_merging_chain(&mut runs, minrun, x);
        runs.push_front(y);
        x = y + runs[1] + 1;
        y += x + 1;
    }
    if total + x <= n {
        total += x;
        push_front_merging_chain(&mut runs, minrun, x);
    }
    runs.push_back(n - total);
    runs.into_iter().filter(|&len| len > 0).collect()
}

/// An input whose natural runs have exactly these lengths: each run is `0, ..., 0, 1`,
/// so the next run's leading 0 ends it.
fn input_with_runs(lengths: &[u64]) -> Vec<u8> {
    let n: u64 = lengths.iter().sum();
    let mut v = vec![0u8; n as usize];
    let mut end = 0;
    for &len in lengths {
        end += len;
        v[end as usize - 1] = 1;
    }
    *v.last_mut().unwrap() = 0;
    v
}

/// First place (if any) where the stack of run lengths, bottom to top, breaks
/// `len[i-2] > len[i-1] + len[i]` or `len[i-1] > len[i]`.
fn invariant_violation(stack: &[usize]) -> Option<String> {
    for i in 1..stack.len() {
        if stack[i - 1] <= stack[i] {
            return Some(format!(
                "len[{}] = {} <= len[{i}] = {}",
                i - 1,
                stack[i - 1],
                stack[i]
            ));
        }
        if i >= 2 && stack[i - 2] <= stack[i - 1] + stack[i] {
            return Some(format!(
                "len[{}] = {} <= len[{}] + len[{i}] = {} + {}",
                i - 2,
                stack[i - 2],
                i - 1,
                stack[i - 1],
                stack[i]
            ));
        }
    }
    None
}

/// Sorts `v` with the classic policy and checks the whole-stack invariants every time
/// a run is about to be pushed, i.e. right after the previous `merge_collapse`.
/// Returns the first violation and the sort's `max_pending`.
fn replay(v: &mut [u8]) -> (Option<String>, usize) {
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (start, len)
    let mut first_violation = None;
    let stats =
        TimSort::with_policy(MergePolicy::Classic).sort_by_traced(v, |a, b| a.cmp(b), &mut |e| {
            match *e {
                Event::Run { start, len, .. } => {
                    let lens: Vec<usize> = stack.iter().map(|r| r.1).collect();
                    if first_violation.is_none() {
                        first_violation = invariant_violation(&lens)
                            .map(|msg| format!("before run at {start}: {msg}; stack {lens:?}"));
                    }
                    stack.push((start, len));
                }
                Event::Merge {
                    start,
                    len_a,
                    len_b,
                    ..
                } => {
                    let i = stack
                        .iter()
                        .position(|r| r.0 == start)
                        .expect("merge of a pending run");
                    assert_eq!(
                        (stack[i].1, stack[i + 1].1),
                        (len_a, len_b),
                        "merge of adjacent runs"
                    );
                    stack[i].1 += len_b;
                    stack.remove(i + 1);
                }
            }
        });
    assert!(v.windows(2).all(|w| w[0] <= w[1]));
    (first_violation, stats.max_pending)
}

#[test]
fn generator_produces_the_intended_runs() {
    for n in [10_000u64, 65_536, 1_000_000] {
        let lengths = adversarial_run_lengths(n);
        assert_eq!(lengths.iter().sum::<u64>(), n);
        let minrun = timsort::minrun(n as usize) as u64;
        // Every run but the last is a full natural run, so nothing is extended.
        assert!(
            lengths[..lengths.len() - 1].iter().all(|&l| l >= minrun),
            "{lengths:?}"
        );
        let mut v = input_with_runs(&lengths);
        let mut found = Vec::new();
        TimSort::new().sort_by_traced(&mut v, |a, b| a.cmp(b), &mut |e| {
            if let Event::Run { natural_len, .. } = *e {
                found.push(natural_len as u64);
            }
        });
        assert_eq!(found[..found.len() - 1], lengths[..lengths.len() - 1]);
    }
}

#[test]
fn classic_policy_keeps_whole_stack_invariants_on_adversarial_input() {
    for n in [
        5_000u64, 30_000, 65_536, 100_000, 262_144, 1_000_000, 4_000_000,
    ] {
        let lengths = adversarial_run_lengths(n);
        let mut v = input_with_runs(&lengths);
        let (violation, max_pending) = replay(&mut v);
        assert_eq!(violation, None, "n = {n}");
        let bound = timsort::run_stack_bound(n as usize);
        assert!(
            max_pending <= bound,
            "n = {n}: max_pending {max_pending} > bound {bound}"
        );
    }
}

#[test]
fn whole_stack_invariants_hold_on_random_run_lengths_too() {
    let mut g = kit::rng::seeded(5);
    for _ in 0..50 {
        use kit::rng::Rng;
        let n: u64 = g.random_range(1_000..200_000);
        let minrun = timsort::minrun(n as usize) as u64;
        let mut lengths = Vec::new();
        let mut total = 0;
        while total < n {
            let len = g.random_range(minrun..minrun * 20).min(n - total);
            lengths.push(len);
            total += len;
        }
        let mut v = input_with_runs(&lengths);
        let (violation, max_pending) = replay(&mut v);
        assert_eq!(violation, None, "n = {n}");
        assert!(max_pending <= timsort::run_stack_bound(n as usize));
    }
}
