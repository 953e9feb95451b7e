//! The detectors on hand-made arrival sequences: Akka's φ numbers, HAProxy's counts,
//! the fixed timeout's edge, clocks going backwards, and deadlines that agree with
//! verdicts (property test).

use std::time::Duration;

use heartbeat::detector::phi;
use heartbeat::{
    ClockWentBackwards, DetectorSpec, FailureDetector, FixedTimeout, HaproxyCheck,
    PhiAccrualDetector, PhiConfig,
};
use proptest::prelude::*;

fn s(x: f64) -> Duration {
    Duration::from_secs_f64(x)
}

fn steady(d: &mut dyn FailureDetector, interval: f64, beats: u32) -> Duration {
    let mut last = Duration::ZERO;
    for k in 1..=beats {
        last = s(interval * f64::from(k));
        d.heartbeat(last).expect("in order");
    }
    last
}

#[test]
fn phi_crosses_8_about_4_52_s_after_the_last_of_steady_1_s_beats() {
    let mut d = PhiAccrualDetector::new(PhiConfig::default());
    let last = steady(&mut d, 1.0, 300);
    let after = d.silence_to_suspect().expect("beats seen").as_secs_f64();
    assert!((after - 4.52).abs() < 0.01, "φ = 8 after {after} s");
    // The verdict's deadline is the same instant.
    assert_eq!(
        d.next_change(),
        Some(last + d.silence_to_suspect().unwrap())
    );
    assert!(d.is_available(last + s(4.50)).unwrap());
    assert!(!d.is_available(last + s(4.54)).unwrap());
    assert_eq!(
        d.next_change(),
        None,
        "already dead: only a heartbeat changes it"
    );
}

#[test]
fn akka_logistic_formula_known_values() {
    // At the (shifted) mean φ = -log10(1/2).
    assert!((phi(4.0, 4.0, 0.1) - 0.5f64.log10().abs()).abs() < 1e-12);
    // Far below the mean: no suspicion; far above: unbounded.
    assert!(phi(0.0, 4.0, 0.1) < 1e-12);
    assert_eq!(phi(100.0, 4.0, 0.1), f64::INFINITY);
    // Monotone in the silence.
    let mut prev = 0.0;
    for i in 0..100 {
        let v = phi(3.5 + f64::from(i) * 0.02, 4.0, 0.1);
        assert!(v >= prev);
        prev = v;
    }
}

#[test]
fn phi_history_starts_at_the_estimate_plus_minus_a_quarter() {
    let mut d = PhiAccrualDetector::new(PhiConfig {
        first_heartbeat_estimate: s(3.0),
        ..PhiConfig::default()
    });
    assert_eq!(d.mean_interval(), None);
    assert_eq!(d.phi(s(100.0)), 0.0, "no suspicion before the first beat");
    d.heartbeat(s(10.0)).unwrap();
    assert_eq!(d.mean_interval(), Some(s(3.0)));
    // 2.25 and 3.75: sd 0.75 s, mean 3 s, + 3 s acceptable pause → φ(6 s) = 0.30.
    assert!((d.phi_after(s(6.0)) - std::f64::consts::LOG10_2).abs() < 1e-9);
}

#[test]
fn phi_leaves_out_the_interval_that_ends_a_suspected_silence() {
    let mut d = PhiAccrualDetector::new(PhiConfig::default());
    let last = steady(&mut d, 1.0, 100);
    d.heartbeat(last + s(30.0)).unwrap();
    let mean = d.mean_interval().unwrap().as_secs_f64();
    assert!(
        (mean - 1.0).abs() < 1e-9,
        "outage learned as normal: {mean}"
    );
}

#[test]
fn phi_window_is_bounded_by_max_sample_size() {
    let mut d = PhiAccrualDetector::new(PhiConfig {
        max_sample_size: 50,
        ..PhiConfig::default()
    });
    steady(&mut d, 2.0, 60);
    // The two seeded values (0.75 s, 1.25 s) and the slow start are gone.
    assert_eq!(d.mean_interval(), Some(s(2.0)));
}

#[test]
fn fixed_timeout_dies_exactly_at_the_timeout() {
    let mut d = FixedTimeout::new(s(10.0));
    assert!(d.is_available(s(100.0)).unwrap(), "nothing to time out yet");
    let mut d = FixedTimeout::new(s(10.0));
    d.heartbeat(s(19.0)).unwrap();
    assert!(d.is_available(s(28.999)).unwrap());
    assert!(!d.is_available(s(29.0)).unwrap());
    d.heartbeat(s(30.0)).unwrap();
    assert!(d.is_available(s(30.0)).unwrap());
    assert_eq!(d.next_change(), Some(s(40.0)));
}

#[test]
fn haproxy_falls_after_three_failed_checks_and_rises_after_two_passed() {
    let mut d = HaproxyCheck::haproxy_defaults();
    // Beats every second from t=1: checks at 3, 5, 7, … all pass.
    let last = steady(&mut d, 1.0, 20);
    assert_eq!(last, s(20.0));
    // The beat at 20 counts for the check at 21; 23, 25, 27 fail → down at 27.
    assert_eq!(d.next_change(), Some(s(27.0)));
    assert!(d.is_available(s(26.999)).unwrap());
    assert!(!d.is_available(s(27.0)).unwrap());
    // One beat: the check at 31 passes, but rise is 2.
    d.heartbeat(s(30.0)).unwrap();
    assert!(!d.is_available(s(31.0)).unwrap());
    d.heartbeat(s(32.0)).unwrap();
    assert!(!d.is_available(s(32.5)).unwrap());
    assert!(d.is_available(s(33.0)).unwrap(), "second passed check");
}

#[test]
fn haproxy_counts_a_long_gap_in_one_step() {
    let mut d = HaproxyCheck::new(s(2.0), 3, 2);
    d.heartbeat(s(0.0)).unwrap();
    assert!(!d.is_available(s(1_000_000.0)).unwrap());
    d.heartbeat(s(1_000_000.5)).unwrap();
    d.heartbeat(s(1_000_002.5)).unwrap();
    assert!(d.is_available(s(1_000_004.0)).unwrap());
}

#[test]
fn a_clock_going_backwards_is_refused_and_changes_nothing() {
    for spec in [
        DetectorSpec::Fixed(s(10.0)),
        DetectorSpec::HAPROXY,
        DetectorSpec::Phi(8.0),
    ] {
        let mut d = spec.build(s(1.0));
        steady(d.as_mut(), 1.0, 10);
        let before = d.next_change();
        assert_eq!(
            d.heartbeat(s(5.0)),
            Err(ClockWentBackwards {
                now: s(5.0),
                last: s(10.0)
            }),
            "{spec}"
        );
        assert!(d.is_available(s(9.0)).is_err(), "{spec}");
        assert_eq!(d.next_change(), before, "{spec}");
        assert!(d.is_available(s(10.5)).unwrap(), "{spec}");
    }
}

proptest! {
    /// Whatever the arrivals, each detector's announced deadline is exactly where its
    /// verdict flips: alive just before it, dead at it.
    #[test]
    fn deadlines_agree_with_verdicts(gaps in prop::collection::vec(1u64..4_000, 2..40), which in 0usize..3) {
        let spec = [DetectorSpec::Fixed(s(3.0)), DetectorSpec::HAPROXY, DetectorSpec::Phi(8.0)][which].clone();
        let mut d = spec.build(s(1.0));
        let mut t = Duration::ZERO;
        for g in gaps {
            t += Duration::from_millis(g);
            d.heartbeat(t).unwrap();
        }
        if d.is_available(t).unwrap() {
            let deadline = d.next_change().expect("an alive node has a deadline");
            prop_assert!(deadline > t);
            let before = deadline - Duration::from_micros(1);
            prop_assert!(d.is_available(before).unwrap(), "{spec}: dead before {deadline:?}");
            prop_assert!(!d.is_available(deadline + Duration::from_micros(1)).unwrap(), "{spec}: alive after {deadline:?}");
        }
    }
}
