//! Wall-clock timing of the flavours (for the page's measured block; the careful
//! numbers come from `cargo bench -p coroutines`), and the time a flavour takes to
//! hand over its first value ([`time_to_first`]).

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::counter::{Consume, CounterError, Flavour, OpaqueSum, Sum, with_counter};

/// The best of several timed runs of summing `1..=limit` with one flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Which flavour.
    pub flavour: Flavour,
    /// Fastest plain `sum` ([`Sum`]): the optimiser may see through the loop.
    pub plain: Duration,
    /// Fastest per-value sum ([`OpaqueSum`]): every value is really produced.
    pub opaque: Duration,
    /// The sum computed (all flavours and both ways must agree).
    pub sum: u64,
}

/// One timed run finished, for a progress display: `done` of `total` runs, the last
/// one with `flavour`, summing the way `per_value` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimingStep {
    /// The flavour just timed.
    pub flavour: Flavour,
    /// `false`: plain `sum()`; `true`: per value through `black_box`.
    pub per_value: bool,
    /// Runs finished so far.
    pub done: u32,
    /// All runs: flavours × 2 ways × reps.
    pub total: u32,
}

/// Counts the runs of [`time_sums_with_progress`] and reports each.
struct Runs<'a> {
    done: u32,
    total: u32,
    progress: &'a mut dyn FnMut(TimingStep),
}

fn best_of<C: Consume<Output = u64> + Copy>(
    flavour: Flavour,
    limit: u64,
    reps: u32,
    consumer: C,
    per_value: bool,
    runs: &mut Runs<'_>,
) -> Result<(Duration, u64), CounterError> {
    let mut best = Duration::MAX;
    let mut sum = 0;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        sum = black_box(with_counter(flavour, black_box(limit), consumer)?);
        best = best.min(t.elapsed());
        // Outside the timed stretch: a progress display costs nothing measured.
        runs.done += 1;
        (runs.progress)(TimingStep {
            flavour,
            per_value,
            done: runs.done,
            total: runs.total,
        });
    }
    Ok((best, sum))
}

/// Time summing `1..=limit` with every flavour, both ways, best of `reps` runs each.
pub fn time_sums(limit: u64, reps: u32) -> Result<Vec<Timing>, CounterError> {
    time_sums_with_progress(limit, reps, &mut |_| {})
}

/// [`time_sums`], calling `progress` after every timed run (outside the timing).
pub fn time_sums_with_progress(
    limit: u64,
    reps: u32,
    progress: &mut dyn FnMut(TimingStep),
) -> Result<Vec<Timing>, CounterError> {
    let total = (Flavour::ALL.len() as u32)
        .saturating_mul(2)
        .saturating_mul(reps.max(1));
    let mut runs = Runs {
        done: 0,
        total,
        progress,
    };
    Flavour::ALL
        .into_iter()
        .map(|flavour| {
            let (plain, a) = best_of(flavour, limit, reps, Sum, false, &mut runs)?;
            let (opaque, b) = best_of(flavour, limit, reps, OpaqueSum, true, &mut runs)?;
            Ok(Timing {
                flavour,
                plain,
                opaque,
                // Disagreement cannot happen (the tests check it); if it did, show 0.
                sum: if a == b { a } else { 0 },
            })
        })
        .collect()
}

/// A [`Consume`]r that hands the values on to `inner` and notes how long after
/// `started` the first one arrived.
#[derive(Debug, Clone, Copy)]
pub struct TimeToFirst<C> {
    /// The consumer that gets the values.
    pub inner: C,
    /// When the clock started: just before the generator was built.
    pub started: Instant,
}

impl<C: Consume> Consume for TimeToFirst<C> {
    type Output = (C::Output, Option<Duration>);
    fn consume<I: Iterator<Item = u64>>(self, values: I) -> Self::Output {
        let started = self.started;
        let mut first = None;
        let out = self.inner.consume(values.inspect(|_| {
            if first.is_none() {
                first = Some(started.elapsed());
            }
        }));
        (out, first)
    }
}

/// Run `consumer` on the `flavour` generator of `1..=limit`, like
/// [`with_counter`], and also return the wall-clock time from building the
/// generator to its first value (`None` if it yielded nothing). A lazy flavour
/// hands over `1` at once; `vec` first builds all `limit` values.
pub fn time_to_first<C: Consume>(
    flavour: Flavour,
    limit: u64,
    consumer: C,
) -> Result<(C::Output, Option<Duration>), CounterError> {
    let started = Instant::now();
    with_counter(
        flavour,
        limit,
        TimeToFirst {
            inner: consumer,
            started,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counter::Pull;

    #[test]
    fn time_to_first_passes_the_values_on_and_times_the_first() {
        let pull = Pull { take: 5, show: 3 };
        for flavour in Flavour::ALL {
            let (got, first) = time_to_first(flavour, 100, pull).unwrap();
            assert_eq!(got, with_counter(flavour, 100, pull).unwrap(), "{flavour}");
            assert!(first.is_some(), "{flavour}");
            let (_, none) = time_to_first(flavour, 0, pull).unwrap();
            assert_eq!(none, None, "{flavour}: nothing to yield");
        }
    }

    #[test]
    fn every_timed_run_is_reported_once() {
        let mut steps = Vec::new();
        let t = time_sums_with_progress(1_000, 2, &mut |s| steps.push(s)).unwrap();
        assert_eq!(t.len(), Flavour::ALL.len());
        let total = Flavour::ALL.len() as u32 * 2 * 2;
        assert_eq!(steps.len() as u32, total);
        for (i, s) in steps.iter().enumerate() {
            assert_eq!((s.done, s.total), (i as u32 + 1, total));
        }
        assert_eq!(steps[0].flavour, Flavour::ALL[0]);
        assert!(!steps[0].per_value && steps[2].per_value);
    }
}
