//! A comparator that panics or lies must never break memory safety: afterwards the
//! slice is a permutation of its input, and every value is dropped exactly once.

mod common;

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Once;

use kit::rng::{Rng, seeded};
use timsort::{MergePolicy, TimSort};

const PLANNED: &str = "planned comparator panic";

/// Keep the test output readable: swallow the panics these tests cause on purpose.
fn quiet_planned_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let text = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
            if text != Some(PLANNED) {
                default(info);
            }
        }));
    });
}

/// A value that records its own drop, so leaks and double drops are both visible.
struct Tracked {
    key: u64,
    id: usize,
    drops: Rc<RefCell<Vec<u32>>>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.borrow_mut()[self.id] += 1;
    }
}

fn tracked(keys: &[u64]) -> (Vec<Tracked>, Rc<RefCell<Vec<u32>>>) {
    let drops = Rc::new(RefCell::new(vec![0; keys.len()]));
    let v = keys
        .iter()
        .enumerate()
        .map(|(id, &key)| Tracked {
            key,
            id,
            drops: Rc::clone(&drops),
        })
        .collect();
    (v, drops)
}

/// Checks that `v` holds each id exactly once, then drops it and checks that every
/// value was dropped exactly once.
fn assert_permutation_then_dropped_once(
    v: Vec<Tracked>,
    drops: &Rc<RefCell<Vec<u32>>>,
    what: &str,
) {
    let n = drops.borrow().len();
    let mut ids: Vec<usize> = v.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..n).collect::<Vec<_>>(), "{what}: not a permutation");
    assert!(
        drops.borrow().iter().all(|&d| d == 0),
        "{what}: dropped during sort"
    );
    drop(v);
    assert!(
        drops.borrow().iter().all(|&d| d == 1),
        "{what}: drop counts {:?}",
        drops.borrow()
    );
}

fn total_comparisons(keys: &[u64], policy: MergePolicy) -> u64 {
    let mut v = keys.to_vec();
    TimSort::with_policy(policy)
        .sort_by_counted(&mut v, |a, b| a.cmp(b))
        .comparisons
}

#[test]
fn comparator_panicking_mid_sort_leaves_a_permutation() {
    quiet_planned_panics();
    // Random data (one-at-a-time merges, both merge_lo and merge_hi) and run-structured
    // data (lots of galloping and trimming).
    let inputs = [
        ("shuffled", common::shuffled(2_000, 21)),
        ("runs", common::runs_input(3_000, 22)),
        ("few distinct", common::few_distinct(2_500, 6, 23)),
    ];
    for (name, keys) in &inputs {
        for policy in MergePolicy::ALL {
            let total = total_comparisons(keys, policy);
            // ~150 panic points spread over the whole sort, most of them inside merges.
            let step = (total / 150).max(1);
            for k in (0..total).step_by(step as usize).chain([total - 1]) {
                let (mut v, drops) = tracked(keys);
                let calls = Cell::new(0u64);
                let result = panic::catch_unwind(AssertUnwindSafe(|| {
                    TimSort::with_policy(policy).sort_by(&mut v, |a, b| {
                        if calls.get() == k {
                            panic!("{}", PLANNED);
                        }
                        calls.set(calls.get() + 1);
                        a.key.cmp(&b.key)
                    });
                }));
                assert!(
                    result.is_err(),
                    "{name} {policy}: no panic at {k} of {total}"
                );
                assert_permutation_then_dropped_once(v, &drops, &format!("{name} {policy} k={k}"));
            }
        }
    }
}

#[test]
fn panic_payload_reaches_the_caller() {
    quiet_planned_panics();
    let mut v = common::shuffled(500, 1);
    let err = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut n = 0;
        timsort::sort_by(&mut v, |a, b| {
            n += 1;
            if n == 1000 {
                std::panic::panic_any(PLANNED);
            }
            a.cmp(b)
        })
    }))
    .unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&PLANNED));
    let mut sorted = v.clone();
    sorted.sort();
    assert_eq!(sorted, (0..500).collect::<Vec<_>>());
}

/// Sorts with a comparator that is not a total order; asserts nothing escapes and the
/// result is a permutation with every value dropped once.
fn check_liar(
    keys: &[u64],
    policy: MergePolicy,
    mut liar: impl FnMut(&Tracked, &Tracked) -> Ordering,
    what: &str,
) {
    let (mut v, drops) = tracked(keys);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        TimSort::with_policy(policy).sort_by(&mut v, &mut liar);
    }));
    // This implementation never panics on its own for a bad order; it just gives up on
    // sortedness. Either way the slice must be intact.
    assert!(result.is_ok(), "{what}: unexpected panic");
    assert_permutation_then_dropped_once(v, &drops, what);
}

#[test]
fn inconsistent_comparators_never_lose_or_duplicate_values() {
    let mut rng = seeded(2024);
    let mut inputs: Vec<Vec<u64>> = Vec::new();
    for len in [0, 1, 2, 3, 31, 64, 65, 200, 1_000, 2_500] {
        inputs.push(common::shuffled(len, len as u64));
        inputs.push(common::runs_input(len, len as u64 + 1));
        inputs.push(common::few_distinct(len, 3, len as u64 + 2));
    }
    for _ in 0..30 {
        let len = rng.random_range(0..3_000);
        inputs.push(common::shuffled(len, rng.random()));
        inputs.push(common::runs_input(len, rng.random()));
    }
    for (i, keys) in inputs.iter().enumerate() {
        for policy in MergePolicy::ALL {
            let what = |kind: &str| format!("input {i} (len {}) {policy} {kind}", keys.len());
            let mut coin = seeded(i as u64);
            check_liar(
                keys,
                policy,
                |_, _| match coin.random_range(0..3) {
                    0 => Ordering::Less,
                    1 => Ordering::Equal,
                    _ => Ordering::Greater,
                },
                &what("random"),
            );
            check_liar(keys, policy, |_, _| Ordering::Less, &what("always Less"));
            check_liar(
                keys,
                policy,
                |_, _| Ordering::Greater,
                &what("always Greater"),
            );
            // Mostly right, occasionally wrong: keeps merges in galloping mode with
            // lies, which is where a trusted bound would overrun.
            let mut coin = seeded(i as u64 + 1000);
            check_liar(
                keys,
                policy,
                |a, b| {
                    if coin.random_ratio(1, 50) {
                        b.key.cmp(&a.key)
                    } else {
                        a.key.cmp(&b.key)
                    }
                },
                &what("occasional lie"),
            );
            // Non-transitive but deterministic: compares by key modulo a moving window.
            check_liar(
                keys,
                policy,
                |a, b| (a.key.wrapping_mul(b.key) % 7).cmp(&3),
                &what("non-transitive"),
            );
        }
    }
}

#[test]
fn inconsistent_comparator_then_panic_is_still_safe() {
    quiet_planned_panics();
    let keys = common::runs_input(2_000, 77);
    for policy in MergePolicy::ALL {
        for k in (100..20_000).step_by(997) {
            let (mut v, drops) = tracked(&keys);
            let mut coin = seeded(k);
            let mut calls = 0u64;
            let _ = panic::catch_unwind(AssertUnwindSafe(|| {
                TimSort::with_policy(policy).sort_by(&mut v, |a, b| {
                    calls += 1;
                    if calls == k {
                        panic!("{}", PLANNED);
                    }
                    if coin.random_ratio(1, 10) {
                        Ordering::Less
                    } else {
                        a.key.cmp(&b.key)
                    }
                });
            }));
            assert_permutation_then_dropped_once(v, &drops, &format!("{policy} k={k}"));
        }
    }
}
