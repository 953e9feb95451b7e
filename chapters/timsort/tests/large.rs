//! A million random `u64`s: same result as std, for both policies.

use kit::rng::{Rng, seeded};
use timsort::{MergePolicy, TimSort};

#[test]
fn million_random_u64_match_std() {
    let mut rng = seeded(1);
    let input: Vec<u64> = (0..1_000_000).map(|_| rng.random()).collect();
    let mut want = input.clone();
    want.sort();

    let mut ours = input.clone();
    timsort::sort(&mut ours);
    assert!(ours == want, "classic via sort()");

    let mut ours = input.clone();
    let stats =
        TimSort::with_policy(MergePolicy::Powersort).sort_by_counted(&mut ours, |a, b| a.cmp(b));
    assert!(ours == want, "powersort");
    assert_eq!(stats.minrun, 62);
    // Random data: close to the information-theoretic n log2 n - 1.44 n ~ 18.5M.
    assert!(
        (18_000_000..20_500_000).contains(&stats.comparisons),
        "{}",
        stats.comparisons
    );
}

#[test]
fn million_random_u64_with_many_duplicates_match_std() {
    let mut rng = seeded(2);
    let input: Vec<(u16, u32)> = (0..1_000_000).map(|i| (rng.random(), i)).collect();
    let mut want = input.clone();
    want.sort_by_key(|p| p.0);
    let mut ours = input;
    timsort::sort_by_key(&mut ours, |p| p.0);
    assert!(ours == want, "stable sort of 1M pairs by a 16-bit key");
}
