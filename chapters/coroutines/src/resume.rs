//! Two-way coroutines: values flow *into* a paused generator too.
//!
//! `co.yield_(x).await` does not just pause: it *evaluates to* whatever the consumer
//! passes to the next `resume_with(r)` — Python's `x = yield avg` with `gen.send(r)`.
//! A running average is the classic example: the consumer sends numbers, the
//! coroutine yields the average so far, and when told to stop it *returns* a
//! summary ([`GeneratorState::Complete`]) — a value that is not one of the yields.
//!
//! **The trap.** The first `resume_with(r)` *starts* the body; there is no paused
//! `yield` yet to receive `r`, so genawaiter drops it (its docs say so: "the first
//! resume argument will be lost"). Python has the same shape but refuses loudly:
//! `gen.send(10)` on a fresh generator raises `TypeError: can't send non-None value to
//! a just-started generator`; you must "prime" it with `send(None)` / `next(gen)`.
//!
//! ```
//! use coroutines::resume::{feed_naively, feed_primed};
//!
//! let naive = feed_naively(&[10, 20, 30]);
//! assert_eq!(naive.summary.count, 2); // the 10 was swallowed by the first resume
//! let primed = feed_primed(&[10, 20, 30]);
//! assert_eq!(primed.averages, [Some(10.0), Some(15.0), Some(20.0)]);
//! assert_eq!(primed.summary.mean, Some(20.0));
//! ```

use std::future::Future;
use std::pin::Pin;

use genawaiter::GeneratorState;
use genawaiter::rc::{Co, Gen};

/// What the running average returns when it is told to stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many values the coroutine actually received.
    pub count: u64,
    /// Their sum.
    pub total: i128,
    /// Their mean (`None` if it received none).
    pub mean: Option<f64>,
}

/// The coroutine: receives `Some(x)` to add a value, `None` to stop; yields the
/// average so far (`None` before the first value); returns a [`Summary`].
pub async fn running_average(co: Co<Option<f64>, Option<i64>>) -> Summary {
    let (mut total, mut count) = (0i128, 0u64);
    let mut average = None;
    // Each `yield_` hands out the current average and evaluates to the next input.
    while let Some(x) = co.yield_(average).await {
        total += i128::from(x);
        count += 1;
        average = Some(total as f64 / count as f64);
    }
    Summary {
        count,
        total,
        mean: average,
    }
}

/// The running-average generator, boxed so its type can be named.
pub type AverageGen = Gen<Option<f64>, Option<i64>, Pin<Box<dyn Future<Output = Summary>>>>;

/// A fresh, unstarted running-average coroutine.
pub fn new_running_average() -> AverageGen {
    Gen::new(|co| Box::pin(running_average(co)) as Pin<Box<dyn Future<Output = Summary>>>)
}

/// What one feeding strategy observed.
#[derive(Debug, Clone, PartialEq)]
pub struct Fed {
    /// What each `resume_with(Some(x))` got back, one per input value.
    pub averages: Vec<Option<f64>>,
    /// What the final `resume_with(None)` completed with.
    pub summary: Summary,
}

fn finish(mut co: AverageGen, averages: Vec<Option<f64>>) -> Fed {
    let summary = match co.resume_with(None) {
        GeneratorState::Complete(s) => s,
        // The body stops at the first `None` it receives, so this cannot happen; if
        // it did, report it as "no summary" rather than panic.
        GeneratorState::Yielded(_) => Summary {
            count: 0,
            total: 0,
            mean: None,
        },
    };
    Fed { averages, summary }
}

fn yielded(state: GeneratorState<Option<f64>, Summary>) -> Option<f64> {
    match state {
        GeneratorState::Yielded(avg) => avg,
        GeneratorState::Complete(s) => s.mean,
    }
}

/// Send each value straight away, without priming: the first one is lost.
pub fn feed_naively(values: &[i64]) -> Fed {
    let mut co = new_running_average();
    let averages = values
        .iter()
        .map(|&x| yielded(co.resume_with(Some(x))))
        .collect();
    finish(co, averages)
}

/// Prime first (run to the first `yield` with an argument that is thrown away, as
/// Python's `send(None)`), then send each value: nothing is lost.
pub fn feed_primed(values: &[i64]) -> Fed {
    let mut co = new_running_average();
    let _ = co.resume_with(None); // starts the body; this argument is discarded
    let averages = values
        .iter()
        .map(|&x| yielded(co.resume_with(Some(x))))
        .collect();
    finish(co, averages)
}

/// A running average that primes itself, so callers cannot fall into the trap.
pub struct RunningAverage {
    co: AverageGen,
}

impl Default for RunningAverage {
    fn default() -> Self {
        Self::new()
    }
}

impl RunningAverage {
    /// A started (primed) running average.
    pub fn new() -> Self {
        let mut co = new_running_average();
        let _ = co.resume_with(None);
        Self { co }
    }

    /// Add `x`; returns the average so far.
    pub fn push(&mut self, x: i64) -> Option<f64> {
        yielded(self.co.resume_with(Some(x)))
    }

    /// Stop the coroutine and take its completion value.
    pub fn finish(self) -> Summary {
        finish(self.co, Vec::new()).summary
    }
}

/// Format an average for the page (`-` for none yet).
pub fn show_average(avg: Option<f64>) -> String {
    avg.map_or_else(|| "-".to_string(), |a| format!("{a:.2}"))
}
