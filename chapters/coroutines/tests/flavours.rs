//! One generator, several ways: every flavour yields the same sequence.

use coroutines::counter::{BATCH, CountToLimit, Flavour, Pull, Sum, Take, with_counter};
use proptest::prelude::*;

#[test]
fn every_flavour_sums_one_to_a_million() {
    for f in Flavour::ALL {
        assert_eq!(with_counter(f, 1_000_000, Sum), Ok(500_000_500_000), "{f}");
    }
}

#[test]
fn batches_cross_their_boundaries_correctly() {
    let n = BATCH as u64;
    for limit in [n - 1, n, n + 1, 3 * n + 7] {
        let got = with_counter(Flavour::Batch, limit, Take(usize::MAX)).unwrap();
        assert_eq!(got, (1..=limit).collect::<Vec<_>>(), "limit {limit}");
    }
}

#[test]
fn lazy_flavours_reach_the_end_of_u64_without_overflow() {
    // Pull the last few values of 1..=u64::MAX straight from a fresh state.
    let mut g = CountToLimit::Suspend0 {
        i: u64::MAX - 2,
        limit: u64::MAX,
    };
    assert_eq!(g.by_ref().collect::<Vec<_>>(), [u64::MAX - 1, u64::MAX]);
    assert_eq!(g, CountToLimit::Returned);
    for f in Flavour::LAZY {
        let p = with_counter(f, u64::MAX, Pull { take: 3, show: 3 }).unwrap();
        assert_eq!((p.first, p.count), (vec![1, 2, 3], 3), "{f}");
    }
}

proptest! {
    #[test]
    fn all_flavours_yield_the_same_sequence(limit in 0u64..1200, take in 0usize..1300) {
        let expected: Vec<u64> = (1..=limit).take(take).collect();
        for f in Flavour::ALL {
            let got = with_counter(f, limit, Take(take)).unwrap();
            prop_assert_eq!(&got, &expected, "flavour {}", f);
        }
    }

    #[test]
    fn all_flavours_agree_on_pulls_and_sums(limit in 0u64..5000, take in 0u64..6000) {
        let pull = Pull { take, show: 4 };
        let reference = with_counter(Flavour::Hand, limit, pull).unwrap();
        prop_assert_eq!(reference.count, take.min(limit));
        for f in Flavour::ALL {
            prop_assert_eq!(&with_counter(f, limit, pull).unwrap(), &reference, "flavour {}", f);
        }
    }
}
