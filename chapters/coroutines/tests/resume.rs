//! Resume arguments: genawaiter drops the first one; priming fixes it; the
//! completion value is the summary.

use coroutines::resume::{RunningAverage, feed_naively, feed_primed, new_running_average};
use genawaiter::GeneratorState;
use proptest::prelude::*;

#[test]
fn the_first_resume_argument_is_lost() {
    let mut co = new_running_average();
    // Starts the body, which runs to its first yield: nothing received the 10.
    assert_eq!(co.resume_with(Some(10)), GeneratorState::Yielded(None));
    assert_eq!(
        co.resume_with(Some(20)),
        GeneratorState::Yielded(Some(20.0))
    );
    match co.resume_with(None) {
        GeneratorState::Complete(s) => assert_eq!((s.count, s.total), (1, 20)),
        other => panic!("expected completion, got {other:?}"),
    }
}

#[test]
fn naive_and_primed_on_the_page_values() {
    let naive = feed_naively(&[10, 20, 30, 40]);
    assert_eq!(naive.averages, [None, Some(20.0), Some(25.0), Some(30.0)]);
    assert_eq!((naive.summary.count, naive.summary.mean), (3, Some(30.0)));
    let primed = feed_primed(&[10, 20, 30, 40]);
    assert_eq!(
        primed.averages,
        [Some(10.0), Some(15.0), Some(20.0), Some(25.0)]
    );
    assert_eq!((primed.summary.count, primed.summary.mean), (4, Some(25.0)));
}

#[test]
fn completion_with_no_values_has_no_mean() {
    let s = RunningAverage::new().finish();
    assert_eq!((s.count, s.total, s.mean), (0, 0, None));
    assert_eq!(feed_naively(&[]).summary.count, 0);
}

proptest! {
    #[test]
    fn primed_is_the_true_running_mean_and_naive_loses_exactly_the_first(
        values in proptest::collection::vec(-1_000_000i64..1_000_000, 0..50)
    ) {
        let primed = feed_primed(&values);
        let mut avg = RunningAverage::new();
        let mut total = 0i128;
        for (i, &x) in values.iter().enumerate() {
            total += i128::from(x);
            let mean = total as f64 / (i + 1) as f64;
            prop_assert!((primed.averages[i].unwrap() - mean).abs() < 1e-6);
            prop_assert_eq!(avg.push(x), primed.averages[i]);
        }
        prop_assert_eq!(primed.summary.count, values.len() as u64);
        prop_assert_eq!(primed.summary.total, total);
        let naive = feed_naively(&values);
        let expected_naive = if values.is_empty() { 0 } else { values.len() as u64 - 1 };
        prop_assert_eq!(naive.summary.count, expected_naive);
        if values.len() > 1 {
            prop_assert_eq!(naive.summary.total, total - i128::from(values[0]));
        }
    }
}
