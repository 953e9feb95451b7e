//! Property tests: for both policies and many input shapes, the result is sorted,
//! is a permutation of the input, is stable, and equals std's stable sort.

mod common;

use proptest::prelude::*;
use timsort::{MergePolicy, TimSort};

/// Inputs with the shapes TimSort cares about: random values, few distinct values,
/// and concatenations of ascending / descending runs of mixed lengths.
fn input() -> impl Strategy<Value = Vec<u32>> {
    let random = prop::collection::vec(any::<u32>(), 0..3000);
    let few_distinct = prop::collection::vec(0u32..4, 0..3000);
    let runs = prop::collection::vec(
        (
            prop::collection::vec(0u32..1000, 1..400),
            0u8..3, // 0 = ascending, 1 = descending, 2 = leave as is
        ),
        0..40,
    )
    .prop_map(|runs| {
        runs.into_iter()
            .flat_map(|(mut run, shape)| {
                match shape {
                    0 => run.sort(),
                    1 => run.sort_by(|a, b| b.cmp(a)),
                    _ => {}
                }
                run
            })
            .collect::<Vec<_>>()
    });
    prop_oneof![random, few_distinct, runs]
}

fn policy() -> impl Strategy<Value = MergePolicy> {
    prop_oneof![Just(MergePolicy::Classic), Just(MergePolicy::Powersort)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sorted_permutation_equal_to_std(v in input(), policy in policy()) {
        let mut ours = v.clone();
        TimSort::with_policy(policy).sort_by(&mut ours, |a, b| a.cmp(b));
        let mut std_sorted = v.clone();
        std_sorted.sort();
        prop_assert!(ours.windows(2).all(|w| w[0] <= w[1]));
        prop_assert_eq!(&ours, &std_sorted);
    }

    #[test]
    fn stable_on_key_index_pairs(v in input(), policy in policy()) {
        // Sort by a coarse key so there are many ties; the original index must then
        // increase within every group of equal keys.
        let mut pairs: Vec<(u32, usize)> = v.iter().map(|x| x % 16).zip(0..).collect();
        let stats = TimSort::with_policy(policy).sort_by_counted(&mut pairs, |a, b| a.0.cmp(&b.0));
        prop_assert!(pairs.windows(2).all(|w| w[0] < w[1]), "not stable: {:?}", pairs);
        prop_assert_eq!(stats.n, v.len());
        if !v.is_empty() {
            prop_assert_eq!(stats.merges, stats.runs - 1);
        }

        let mut std_pairs: Vec<(u32, usize)> = v.iter().map(|x| x % 16).zip(0..).collect();
        std_pairs.sort_by_key(|a| a.0);
        prop_assert_eq!(pairs, std_pairs);
    }

    #[test]
    fn free_functions_match_std(v in input()) {
        let mut a = v.clone();
        timsort::sort(&mut a);
        let mut b = v.clone();
        timsort::sort_by(&mut b, |x, y| y.cmp(x));
        let mut c: Vec<(u32, usize)> = v.iter().copied().zip(0..).collect();
        timsort::sort_by_key(&mut c, |p| p.0 / 8);

        let mut want_a = v.clone();
        want_a.sort();
        let mut want_b = v.clone();
        want_b.sort_by(|x, y| y.cmp(x));
        let mut want_c: Vec<(u32, usize)> = v.iter().copied().zip(0..).collect();
        want_c.sort_by_key(|p| p.0 / 8);
        prop_assert_eq!(a, want_a);
        prop_assert_eq!(b, want_b);
        prop_assert_eq!(c, want_c);
    }

    #[test]
    fn traced_events_tile_the_slice(v in input(), policy in policy()) {
        // Runs are reported left to right and cover the slice exactly; every merge
        // joins two adjacent pending runs.
        let mut w = v.clone();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut next = 0;
        let mut ok = true;
        TimSort::with_policy(policy).sort_by_traced(&mut w, |a, b| a.cmp(b), &mut |e| match *e {
            timsort::Event::Run { start, len, natural_len, .. } => {
                ok &= start == next && natural_len <= len;
                next += len;
                runs.push((start, len));
            }
            timsort::Event::Merge { start, len_a, len_b, trimmed_front, trimmed_back, .. } => {
                let i = runs.iter().position(|r| r.0 == start);
                match i {
                    Some(i) if i + 1 < runs.len() && runs[i].1 == len_a && runs[i + 1].1 == len_b => {
                        runs[i].1 += len_b;
                        runs.remove(i + 1);
                    }
                    _ => ok = false,
                }
                ok &= trimmed_front <= len_a && trimmed_back <= len_b;
            }
        });
        prop_assert!(ok);
        prop_assert_eq!(next, v.len());
        prop_assert!(runs.len() <= 1);
    }
}

#[test]
fn lengths_around_minrun_boundaries() {
    // Deterministic sweep of every length up to 300 and around powers of two.
    let mut lens: Vec<usize> = (0..300).collect();
    for p in 6..13 {
        lens.extend([(1 << p) - 1, 1 << p, (1 << p) + 1]);
    }
    for len in lens {
        for seed in 0..3 {
            let v = common::few_distinct(len, 1 + seed * 40, seed);
            for policy in MergePolicy::ALL {
                let mut ours: Vec<(u64, usize)> = v.iter().copied().zip(0..).collect();
                TimSort::with_policy(policy).sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
                let mut want: Vec<(u64, usize)> = v.iter().copied().zip(0..).collect();
                want.sort_by_key(|p| p.0);
                assert_eq!(ours, want, "len {len} seed {seed} {policy}");
            }
        }
    }
}

#[test]
fn zero_sized_and_large_elements() {
    let mut units = vec![(); 1000];
    timsort::sort(&mut units);
    let mut big: Vec<[u64; 8]> = common::shuffled(3000, 5)
        .into_iter()
        .map(|x| [x; 8])
        .collect();
    TimSort::with_policy(MergePolicy::Powersort).sort_by(&mut big, |a, b| a.cmp(b));
    assert!(big.windows(2).all(|w| w[0] <= w[1]));
    let mut strings: Vec<String> = common::shuffled(2000, 6)
        .iter()
        .map(|x| format!("s{x}"))
        .collect();
    let mut want = strings.clone();
    want.sort();
    timsort::sort(&mut strings);
    assert_eq!(strings, want);
}
