//! A generator without a library: an `async fn` driven by a hand-written poll loop.
//!
//! An `async fn` is already a stackless coroutine — rustc compiles it to an enum with
//! one variant per `.await` — but Rust only lets *executors* resume it, by calling
//! [`Future::poll`]. So a generator needs two small pieces:
//!
//! - a [`Slot`] the body writes its value into, and a [`YieldOnce`] future that
//!   returns `Pending` exactly once — that `Pending` is the "pause";
//! - an executor, [`PollIter`], that polls the future with a waker that does nothing
//!   ([`Waker::noop`]) and, each time the future pauses, takes the value out of the
//!   slot. That is all genawaiter does too (its "airlock" is our slot).
//!
//! ```
//! use std::pin::pin;
//! use coroutines::executor::{PollIter, Slot};
//!
//! async fn evens(slot: &Slot) {
//!     for i in 0..3 {
//!         slot.yield_(2 * i).await;
//!     }
//! }
//! let slot = Slot::new();
//! let future = pin!(evens(&slot)); // pinned on this stack frame, no allocation
//! let got: Vec<u64> = PollIter::new(future, &slot).collect();
//! assert_eq!(got, [0, 2, 4]);
//! ```

use std::cell::Cell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// Where a paused `async fn` leaves the value it yields, for [`PollIter`] to pick up.
#[derive(Debug, Default)]
pub struct Slot {
    value: Cell<Option<u64>>,
}

impl Slot {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Put `value` in the slot and pause once: `slot.yield_(v).await` is the
    /// `async fn`'s spelling of Python's `yield v`.
    #[inline]
    pub fn yield_(&self, value: u64) -> YieldOnce<'_> {
        YieldOnce {
            slot: self,
            value: Some(value),
        }
    }
}

/// The future returned by [`Slot::yield_`]: first poll stores the value and returns
/// `Pending` (the pause); the next poll returns `Ready` (the resumption).
#[derive(Debug)]
#[must_use = "a yield does nothing unless awaited"]
pub struct YieldOnce<'a> {
    slot: &'a Slot,
    value: Option<u64>,
}

impl Future for YieldOnce<'_> {
    type Output = ();

    #[inline]
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        // `YieldOnce` holds no self-references, so it is `Unpin` and `get_mut` is fine.
        let this = self.get_mut();
        match this.value.take() {
            Some(v) => {
                this.slot.value.set(Some(v));
                // No waker is registered: the only "event" we wait for is the
                // consumer asking for the next value, and it polls us directly.
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

/// An executor that turns a pinned `async fn` writing into a [`Slot`] into an
/// [`Iterator`]: each `next()` polls the future until it pauses with a value or ends.
pub struct PollIter<'a, F> {
    future: Pin<&'a mut F>,
    slot: &'a Slot,
    done: bool,
}

impl<'a, F: Future<Output = ()>> PollIter<'a, F> {
    /// Drive `future`, which yields through `slot`.
    #[inline]
    pub fn new(future: Pin<&'a mut F>, slot: &'a Slot) -> Self {
        Self {
            future,
            slot,
            done: false,
        }
    }
}

impl<F: Future<Output = ()>> Iterator for PollIter<'_, F> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        if self.done {
            return None;
        }
        let mut cx = Context::from_waker(Waker::noop());
        // The poll loop. A body that awaits only our `YieldOnce` leaves a value every
        // time it returns `Pending`; if it awaited something else (a timer, a socket)
        // we would spin here, because this executor has no reactor to sleep on.
        loop {
            match self.future.as_mut().poll(&mut cx) {
                Poll::Ready(()) => {
                    self.done = true;
                    return None;
                }
                Poll::Pending => {
                    if let Some(v) = self.slot.value.take() {
                        return Some(v);
                    }
                }
            }
        }
    }
}

/// A future that returns `Pending` once, then `Ready`: the smallest possible await
/// point (like `tokio::task::yield_now`).
pub fn yield_now() -> impl Future<Output = ()> {
    let mut paused = false;
    std::future::poll_fn(move |_cx| {
        if paused {
            Poll::Ready(())
        } else {
            paused = true;
            Poll::Pending
        }
    })
}

/// Run a future to completion on this thread with a no-op waker and a poll loop;
/// returns its output and how many times it was polled.
pub fn block_on<F: Future>(future: F) -> (F::Output, usize) {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return (out, polls);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_counts_the_pauses() {
        let (out, polls) = block_on(async {
            yield_now().await;
            yield_now().await;
            7
        });
        assert_eq!((out, polls), (7, 3));
    }
}
