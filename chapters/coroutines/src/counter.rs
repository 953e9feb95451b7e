//! One generator, several ways: `1, 2, …, limit`, lazily.
//!
//! The body is written **once**, as [`count_up`], an `async fn` generic over how it
//! pauses ([`Suspend`]). Four drivers run that same body:
//!
//! | [`Flavour`] | who resumes it | where the paused frame lives |
//! |---|---|---|
//! | `stack` | genawaiter [`stack::Gen`] | a `Shelf` on the caller's stack |
//! | `rc` | genawaiter [`rc::Gen`] | a `Box` on the heap; airlock in an `Rc<Cell>` |
//! | `sync` | genawaiter [`sync::Gen`] | a `Box` on the heap; airlock in an `Arc<Mutex>` |
//! | `async` | this crate's [`PollIter`] | pinned on the caller's stack |
//!
//! and two more are for comparison: [`CountToLimit`], the state machine written by
//! hand (what rustc generates for the body, with the variant names rustc uses), and
//! `vec`, which builds the whole `Vec` first — what the seed's "without a generator"
//! means.
//!
//! A stack-pinned generator cannot be returned from the function that made it (its
//! frame would die), so instead of returning iterators, [`with_counter`] takes a
//! [`Consume`]r and hands it the iterator.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::str::FromStr;

use genawaiter::{rc, stack, sync};

use crate::executor::{PollIter, Slot};

/// How a generator body pauses: "hand `value` to whoever resumes me, and wait".
///
/// Implemented for genawaiter's three `Co` types and for this crate's [`Slot`], so
/// one `async fn` body can run under every driver.
pub trait Suspend {
    /// Yield `value` and pause until resumed (await the result immediately).
    fn suspend(&self, value: u64) -> impl Future<Output = ()> + '_;
}

impl Suspend for stack::Co<'_, u64> {
    #[inline]
    fn suspend(&self, value: u64) -> impl Future<Output = ()> + '_ {
        self.yield_(value)
    }
}

impl Suspend for rc::Co<u64> {
    #[inline]
    fn suspend(&self, value: u64) -> impl Future<Output = ()> + '_ {
        self.yield_(value)
    }
}

impl Suspend for sync::Co<u64> {
    #[inline]
    fn suspend(&self, value: u64) -> impl Future<Output = ()> + '_ {
        self.yield_(value)
    }
}

impl Suspend for &Slot {
    #[inline]
    fn suspend(&self, value: u64) -> impl Future<Output = ()> + '_ {
        self.yield_(value)
    }
}

/// The generator body: yield `1..=limit`, one value per resumption.
///
/// Between two resumptions the only state kept is this future: `co`, `limit` and
/// the loop position — a few dozen bytes, whatever `limit` is.
pub async fn count_up<C: Suspend>(co: C, limit: u64) {
    for i in 1..=limit {
        co.suspend(i).await;
    }
}

/// Values per [`Batch`].
pub const BATCH: usize = 256;

/// Up to [`BATCH`] consecutive values, yielded at once by [`count_up_batched`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    values: [u64; BATCH],
    len: usize,
}

impl Batch {
    /// The values in this batch.
    pub fn as_slice(&self) -> &[u64] {
        &self.values[..self.len]
    }
}

impl IntoIterator for Batch {
    type Item = u64;
    type IntoIter = std::iter::Take<std::array::IntoIter<u64, BATCH>>;
    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        self.values.into_iter().take(self.len)
    }
}

/// [`count_up`], but paying for one pause per [`BATCH`] values: fill a buffer, yield
/// it whole. The buffer is alive across the `.await`, so it is part of the frame
/// (2 KiB) — here, on the caller's stack.
pub async fn count_up_batched(co: stack::Co<'_, Batch>, limit: u64) {
    let mut batch = Batch {
        values: [0; BATCH],
        len: 0,
    };
    let mut next = 1u64;
    while next <= limit {
        // At most BATCH, so the cast cannot truncate.
        let n = (limit - next).min(BATCH as u64 - 1) as usize + 1;
        for (k, slot) in batch.values[..n].iter_mut().enumerate() {
            *slot = next + k as u64;
        }
        batch.len = n;
        co.yield_(batch).await;
        match next.checked_add(n as u64) {
            Some(after) => next = after,
            None => break, // yielded u64::MAX: done
        }
    }
}

/// [`count_up`] written by hand as the state machine rustc generates for it.
///
/// rustc lowers a coroutine to an enum whose variants are `Unresumed` (created, body
/// not started), `Returned` (finished), `Panicked` (a resumption panicked; omitted
/// here, nothing in this body can panic) and one `SuspendN` per await point, holding
/// exactly the locals that are alive across it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountToLimit {
    /// Created, body not started: only the argument exists.
    Unresumed {
        /// The last value to yield.
        limit: u64,
    },
    /// Paused at the one `yield` (await point 0), having just yielded `i`.
    Suspend0 {
        /// The value last yielded.
        i: u64,
        /// The last value to yield.
        limit: u64,
    },
    /// The body ran to its end; every further `next()` is `None`.
    Returned,
}

impl CountToLimit {
    /// A generator of `1..=limit` that has not started yet.
    #[inline]
    pub fn new(limit: u64) -> Self {
        Self::Unresumed { limit }
    }
}

impl Iterator for CountToLimit {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        // Each arm runs the body from one pause to the next and records where it
        // stopped: the resume point *is* the variant.
        let (next, state) = match *self {
            Self::Unresumed { limit } if limit >= 1 => (Some(1), Self::Suspend0 { i: 1, limit }),
            Self::Suspend0 { i, limit } if i < limit => {
                (Some(i + 1), Self::Suspend0 { i: i + 1, limit })
            }
            Self::Unresumed { .. } | Self::Suspend0 { .. } | Self::Returned => {
                (None, Self::Returned)
            }
        };
        *self = state;
        next
    }
}

/// The ways of producing `1..=limit` that this chapter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// [`CountToLimit`]: the state machine written by hand.
    Hand,
    /// genawaiter's `stack` generator: frame in a `Shelf` on the caller's stack.
    Stack,
    /// genawaiter's `rc` generator: frame boxed, airlock in an `Rc`.
    Rc,
    /// genawaiter's `sync` generator: frame boxed, airlock in an `Arc<Mutex>`.
    Sync,
    /// The `async fn` body driven by this crate's [`PollIter`].
    Async,
    /// genawaiter's `stack` generator yielding [`Batch`]es of [`BATCH`] values: one
    /// resumption per batch instead of per value.
    Batch,
    /// Eager: collect every value into a `Vec` first, then iterate it.
    Vec,
}

impl Flavour {
    /// Every flavour, in the order tables list them.
    pub const ALL: [Flavour; 7] = [
        Flavour::Hand,
        Flavour::Stack,
        Flavour::Rc,
        Flavour::Sync,
        Flavour::Async,
        Flavour::Batch,
        Flavour::Vec,
    ];

    /// The lazy ones: everything but `vec`.
    pub const LAZY: [Flavour; 6] = [
        Flavour::Hand,
        Flavour::Stack,
        Flavour::Rc,
        Flavour::Sync,
        Flavour::Async,
        Flavour::Batch,
    ];

    /// The name used on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Hand => "hand",
            Flavour::Stack => "stack",
            Flavour::Rc => "rc",
            Flavour::Sync => "sync",
            Flavour::Async => "async",
            Flavour::Batch => "batch",
            Flavour::Vec => "vec",
        }
    }

    /// One line on how this flavour produces its values.
    pub fn describe(self) -> &'static str {
        match self {
            Flavour::Hand => "hand-written enum state machine",
            Flavour::Stack => "genawaiter::stack (frame on stack)",
            Flavour::Rc => "genawaiter::rc (frame in a Box)",
            Flavour::Sync => "genawaiter::sync (Box + Mutex)",
            Flavour::Async => "async fn + no-op-waker poll loop",
            Flavour::Batch => "genawaiter::stack, 256 values per yield",
            Flavour::Vec => "collect everything into a Vec",
        }
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A flavour name that is not one of [`Flavour::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown flavour `{0}` (expected one of: hand, stack, rc, sync, async, batch, vec)")]
pub struct UnknownFlavour(pub String);

impl FromStr for Flavour {
    type Err = UnknownFlavour;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Flavour::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFlavour(s.to_string()))
    }
}

/// The largest `limit` the eager `vec` flavour accepts: 2^27 values, 1 GiB of `u64`.
pub const MAX_VEC_LIMIT: u64 = 1 << 27;

/// Why a counter could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CounterError {
    /// The eager flavour would allocate more than [`MAX_VEC_LIMIT`] values.
    #[error(
        "--limit {limit} with flavour vec would allocate {bytes} bytes up front; the vec flavour accepts at most {max} (the lazy flavours take any u64)",
        bytes = u128::from(*limit) * 8,
        max = MAX_VEC_LIMIT
    )]
    VecTooLarge {
        /// The limit asked for.
        limit: u64,
    },
}

/// Something that consumes the values of a generator. (A trait rather than a closure
/// because the iterator's type differs per flavour and closures cannot be generic.)
pub trait Consume {
    /// What consuming produces.
    type Output;
    /// Consume `values`.
    fn consume<I: Iterator<Item = u64>>(self, values: I) -> Self::Output;
}

/// Build the `flavour` generator of `1..=limit` and hand it to `consumer`.
///
/// ```
/// use coroutines::counter::{Consume, Flavour, with_counter};
///
/// struct Sum;
/// impl Consume for Sum {
///     type Output = u64;
///     fn consume<I: Iterator<Item = u64>>(self, values: I) -> u64 {
///         values.sum()
///     }
/// }
/// for f in Flavour::ALL {
///     assert_eq!(with_counter(f, 100, Sum), Ok(5050), "{f}");
/// }
/// ```
pub fn with_counter<C: Consume>(
    flavour: Flavour,
    limit: u64,
    consumer: C,
) -> Result<C::Output, CounterError> {
    Ok(match flavour {
        Flavour::Hand => consumer.consume(CountToLimit::new(limit)),
        Flavour::Stack => {
            // (`gen` would not do as a name: it is a reserved keyword since edition 2024.)
            stack::let_gen_using!(counter, |co| count_up(co, limit));
            consumer.consume(counter.into_iter())
        }
        Flavour::Rc => consumer.consume(rc::Gen::new(|co| count_up(co, limit)).into_iter()),
        Flavour::Sync => consumer.consume(sync::Gen::new(|co| count_up(co, limit)).into_iter()),
        Flavour::Async => {
            let slot = Slot::new();
            let future = pin!(count_up(&slot, limit));
            consumer.consume(PollIter::new(future, &slot))
        }
        Flavour::Batch => {
            stack::let_gen_using!(batches, |co| count_up_batched(co, limit));
            consumer.consume(batches.into_iter().flatten())
        }
        Flavour::Vec => {
            if limit > MAX_VEC_LIMIT {
                return Err(CounterError::VecTooLarge { limit });
            }
            // `black_box`: without it the optimiser may see through collect-then-sum
            // and never build the Vec at all.
            let all: Vec<u64> = std::hint::black_box((1..=limit).collect());
            consumer.consume(all.into_iter())
        }
    })
}

/// A [`Consume`]r that sums everything (`wrapping`, so any limit is fine).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum;

impl Consume for Sum {
    type Output = u64;
    #[inline]
    fn consume<I: Iterator<Item = u64>>(self, values: I) -> u64 {
        values.fold(0, u64::wrapping_add)
    }
}

/// A [`Consume`]r that sums everything but shows each value to the optimiser as
/// opaque (`black_box`), so it cannot replace the loop with `n(n+1)/2` — which it does
/// for [`Sum`] over the hand-written iterator. This measures the cost per value.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpaqueSum;

impl Consume for OpaqueSum {
    type Output = u64;
    #[inline]
    fn consume<I: Iterator<Item = u64>>(self, values: I) -> u64 {
        values.fold(0, |acc, v| acc.wrapping_add(std::hint::black_box(v)))
    }
}

/// A [`Consume`]r that pulls at most `n` values and keeps them.
#[derive(Debug, Clone, Copy)]
pub struct Take(pub usize);

impl Consume for Take {
    type Output = Vec<u64>;
    fn consume<I: Iterator<Item = u64>>(self, values: I) -> Vec<u64> {
        values.take(self.0).collect()
    }
}

/// What pulling from one flavour gave: the first values, how many were pulled, their sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// The first few values (at most `show`).
    pub first: Vec<u64>,
    /// How many values were pulled.
    pub count: u64,
    /// Their wrapping sum.
    pub sum: u64,
    /// The last value pulled, if any.
    pub last: Option<u64>,
}

/// A [`Consume`]r that pulls up to `take` values, keeping the first `show`.
#[derive(Debug, Clone, Copy)]
pub struct Pull {
    /// How many values to pull at most.
    pub take: u64,
    /// How many of them to keep for display.
    pub show: usize,
}

impl Consume for Pull {
    type Output = Pulled;
    fn consume<I: Iterator<Item = u64>>(self, values: I) -> Pulled {
        let mut out = Pulled {
            first: Vec::new(),
            count: 0,
            sum: 0,
            last: None,
        };
        // `take(usize)` would truncate a u64 on 32-bit targets; count by hand.
        for v in values {
            if out.count == self.take {
                break;
            }
            if out.first.len() < self.show {
                out.first.push(v);
            }
            out.count += 1;
            out.sum = out.sum.wrapping_add(v);
            out.last = Some(v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_states_step_as_documented() {
        let mut g = CountToLimit::new(2);
        assert_eq!(g, CountToLimit::Unresumed { limit: 2 });
        assert_eq!(g.next(), Some(1));
        assert_eq!(g, CountToLimit::Suspend0 { i: 1, limit: 2 });
        assert_eq!(g.next(), Some(2));
        assert_eq!(g.next(), None);
        assert_eq!(g, CountToLimit::Returned);
        assert_eq!(g.next(), None);
        assert_eq!(CountToLimit::new(0).next(), None);
    }

    #[test]
    fn flavour_names_round_trip_and_unknown_is_an_error() {
        for f in Flavour::ALL {
            assert_eq!(f.name().parse::<Flavour>(), Ok(f));
        }
        assert_eq!(
            "fiber".parse::<Flavour>(),
            Err(UnknownFlavour("fiber".into()))
        );
    }

    #[test]
    fn vec_flavour_refuses_huge_limits_lazy_ones_do_not() {
        let err = with_counter(Flavour::Vec, u64::MAX, Sum).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
        let p = with_counter(Flavour::Rc, u64::MAX, Pull { take: 3, show: 3 }).unwrap();
        assert_eq!(p.first, [1, 2, 3]);
    }
}
