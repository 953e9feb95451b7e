//! Wall-clock timing of the flavours (for the page's measured block; the careful
//! numbers come from `cargo bench -p coroutines`).

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

fn best_of<C: Consume<Output = u64> + Copy>(
    flavour: Flavour,
    limit: u64,
    reps: u32,
    consumer: C,
) -> Result<(Duration, u64), CounterError> {
    let mut best = Duration::MAX;
    let mut sum = 0;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        sum = black_box(with_counter(flavour, black_box(limit), consumer)?);
        best = best.min(t.elapsed());
    }
    Ok((best, sum))
}

/// Time summing `1..=limit` with every flavour, both ways, best of `reps` runs each.
pub fn time_sums(limit: u64, reps: u32) -> Result<Vec<Timing>, CounterError> {
    Flavour::ALL
        .into_iter()
        .map(|flavour| {
            let (plain, a) = best_of(flavour, limit, reps, Sum)?;
            let (opaque, b) = best_of(flavour, limit, reps, OpaqueSum)?;
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
