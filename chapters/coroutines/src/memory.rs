//! What "stackless" costs and saves, in bytes.
//!
//! A stackless generator keeps, between resumptions, only the locals that are alive
//! across its `yield` — its *frame*, a fixed-size value the compiler lays out like a
//! struct (an enum of suspend points). There is no separate stack to reserve. So:
//!
//! - a generator of a million numbers is a few dozen bytes, not 8 MB
//!   ([`state_sizes`]);
//! - but whatever *is* alive across an `.await` is stored inline: a 1 KiB buffer held
//!   over an await makes a future of more than 1 KiB ([`buffer_futures`]). `Box::pin`
//!   moves it to the heap and leaves a pointer. (clippy's `large_futures` lint warns
//!   when a future over 16 KiB is moved around by value.)
//! - streaming a large input through a generator needs memory for one item at a time;
//!   collecting it first needs all of it ([`stream_lines`] vs [`collect_lines`]).
//!
//! Heap figures come from [`alloc_meter`](crate::alloc_meter) and read zero unless
//! the program installed it as its global allocator.

use std::cell::Cell;
use std::mem::size_of_val;
use std::pin::pin;

use genawaiter::{rc, stack, sync};

use crate::alloc_meter::{live_bytes, measure};
use crate::counter::{CountToLimit, Flavour, count_up, count_up_batched};
use crate::executor::{PollIter, Slot, yield_now};

/// The size of one way of counting to `limit`, paused after its first value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeRow {
    /// Which flavour.
    pub flavour: Flavour,
    /// `size_of_val` of the value the caller holds (the generator handle).
    pub handle_bytes: usize,
    /// `size_of_val` of the paused frame (the future / state enum / the Vec's buffer).
    pub frame_bytes: usize,
    /// Heap bytes live while it exists (0 if the counting allocator is not installed).
    pub heap_bytes: usize,
    /// Where the frame lives.
    pub lives: &'static str,
}

/// Note the size of `value` (a generator's future, as it is built) and pass it on.
fn record<F>(cell: &Cell<usize>, value: F) -> F {
    cell.set(size_of_val(&value));
    value
}

/// The size of every [`Flavour`] of `1..=limit`, each paused after yielding `1`.
/// The `vec` row allocates `limit` values for real, so keep `limit` sensible.
pub fn state_sizes(limit: u64) -> Vec<SizeRow> {
    Flavour::ALL
        .into_iter()
        .map(|flavour| {
            let frame = Cell::new(0);
            let start = live_bytes();
            let heap = Cell::new(0);
            let handle = match flavour {
                Flavour::Hand => {
                    let mut g = CountToLimit::new(limit);
                    g.next();
                    frame.set(size_of_val(&g));
                    heap.set(live_bytes().saturating_sub(start));
                    size_of_val(&g)
                }
                Flavour::Stack => {
                    stack::let_gen_using!(g, |co| record(&frame, count_up(co, limit)));
                    g.resume();
                    heap.set(live_bytes().saturating_sub(start));
                    size_of_val(&*g)
                }
                Flavour::Rc => {
                    let mut g = rc::Gen::new(|co| record(&frame, count_up(co, limit)));
                    g.resume();
                    heap.set(live_bytes().saturating_sub(start));
                    size_of_val(&g)
                }
                Flavour::Sync => {
                    let mut g = sync::Gen::new(|co| record(&frame, count_up(co, limit)));
                    g.resume();
                    heap.set(live_bytes().saturating_sub(start));
                    size_of_val(&g)
                }
                Flavour::Async => {
                    let slot = Slot::new();
                    let future = pin!(count_up(&slot, limit));
                    frame.set(size_of_val(&*future));
                    let mut it = PollIter::new(future, &slot);
                    it.next();
                    heap.set(live_bytes().saturating_sub(start));
                    frame.get()
                }
                Flavour::Batch => {
                    stack::let_gen_using!(g, |co| record(&frame, count_up_batched(co, limit)));
                    g.resume();
                    heap.set(live_bytes().saturating_sub(start));
                    size_of_val(&*g)
                }
                Flavour::Vec => {
                    let all: Vec<u64> = (1..=limit).collect();
                    frame.set(size_of_val(all.as_slice()));
                    heap.set(live_bytes().saturating_sub(start));
                    size_of_val(&all)
                }
            };
            SizeRow {
                flavour,
                handle_bytes: handle,
                frame_bytes: frame.get(),
                heap_bytes: heap.get(),
                lives: match flavour {
                    Flavour::Hand => "inline: the value is the frame",
                    Flavour::Stack | Flavour::Batch => "caller's stack (a Shelf)",
                    Flavour::Rc | Flavour::Sync => "heap (Box), handle inline",
                    Flavour::Async => "pinned on the caller's stack",
                    Flavour::Vec => "heap: every value at once",
                },
            }
        })
        .collect()
}

/// An `async fn` that keeps a 1 KiB buffer alive across an `.await`.
pub async fn holds_buffer_across_await() -> u64 {
    let buf = [1u8; 1024];
    yield_now().await;
    buf.iter().map(|&b| u64::from(b)).sum()
}

/// The same work, but the buffer is gone before the `.await`.
pub async fn drops_buffer_before_await() -> u64 {
    let sum = {
        let buf = std::hint::black_box([1u8; 1024]);
        buf.iter().map(|&b| u64::from(b)).sum()
    };
    yield_now().await;
    sum
}

/// Sizes of futures around a 1 KiB buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferFutures {
    /// `size_of_val` of [`holds_buffer_across_await`]'s future.
    pub held: usize,
    /// `size_of_val` of [`drops_buffer_before_await`]'s future.
    pub dropped: usize,
    /// `size_of_val` of `Box::pin(holds_buffer_across_await())`: a pointer.
    pub boxed_handle: usize,
    /// Heap bytes that `Box::pin` allocated for it.
    pub boxed_heap: usize,
}

/// Measure [`BufferFutures`].
pub fn buffer_futures() -> BufferFutures {
    let held = size_of_val(&holds_buffer_across_await());
    let dropped = size_of_val(&drops_buffer_before_await());
    let boxed = measure(|| {
        // black_box: an unused box could be optimised away, allocation and all.
        let b = std::hint::black_box(Box::pin(holds_buffer_across_await()));
        size_of_val(&b)
    });
    BufferFutures {
        held,
        dropped,
        boxed_handle: boxed.value,
        boxed_heap: boxed.peak_bytes,
    }
}

/// `1234` → `1,234 B`; from 10 000 bytes on, in kB or MB (10^3, 10^6) with one decimal.
pub fn human_bytes(n: usize) -> String {
    let f = n as f64;
    if n < 10_000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{:.1} kB", f / 1e3)
    } else {
        format!("{:.1} MB", f / 1e6)
    }
}

/// Bytes per generated line, newline included.
pub const LINE_BYTES: usize = 64;

/// The largest input [`stream_lines`] / [`collect_lines`] accept, in MB.
pub const MAX_MB: u64 = 4096;

/// Input sizes outside what this demo accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputSizeError {
    /// More than [`MAX_MB`].
    #[error("--mb {0} is too large: collecting would need more than that in RAM; at most {MAX_MB}")]
    TooLarge(u64),
}

/// Line `i` of the generated input: exactly [`LINE_BYTES`] bytes.
pub fn line(i: u64) -> String {
    use std::fmt::Write as _;
    // Exactly LINE_BYTES of capacity, so collected lines cost what they contain.
    let mut s = String::with_capacity(LINE_BYTES);
    let _ = write!(s, "{i:012} the quick brown fox jumps over the lazy dog");
    s.truncate(LINE_BYTES - 1);
    while s.len() < LINE_BYTES - 1 {
        s.push('.');
    }
    s.push('\n');
    s
}

/// How many lines make `mb` megabytes (10^6 bytes).
pub fn lines_for(mb: u64) -> u64 {
    mb * 1_000_000 / LINE_BYTES as u64
}

/// The lines of `mb` megabytes of input, produced one at a time by a generator.
pub fn lines(mb: u64) -> Result<impl Iterator<Item = String>, InputSizeError> {
    if mb > MAX_MB {
        return Err(InputSizeError::TooLarge(mb));
    }
    let n = lines_for(mb);
    Ok(rc::Gen::new(move |co| async move {
        for i in 0..n {
            co.yield_(line(i)).await;
        }
    })
    .into_iter())
}

/// A summary of the input that proves every byte was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    /// Lines seen.
    pub lines: u64,
    /// Bytes seen.
    pub bytes: u64,
    /// FNV-1a hash over all bytes.
    pub fnv1a: u64,
}

impl Default for Digest {
    fn default() -> Self {
        Self {
            lines: 0,
            bytes: 0,
            fnv1a: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl Digest {
    fn add(mut self, line: &str) -> Self {
        self.lines += 1;
        self.bytes += line.len() as u64;
        for &b in line.as_bytes() {
            self.fnv1a = (self.fnv1a ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self
    }
}

/// Digest the input lazily: one line exists at a time.
pub fn stream_lines(mb: u64) -> Result<Digest, InputSizeError> {
    Ok(lines(mb)?.fold(Digest::default(), |d, l| d.add(&l)))
}

/// Collect the whole input into a `Vec<String>` first, then digest it.
pub fn collect_lines(mb: u64) -> Result<Digest, InputSizeError> {
    let all: Vec<String> = lines(mb)?.collect();
    Ok(all.iter().fold(Digest::default(), |d, l| d.add(l)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::block_on;

    #[test]
    fn lines_are_fixed_width_and_streaming_equals_collecting() {
        assert_eq!(line(0).len(), LINE_BYTES);
        assert_eq!(line(123_456_789_012).len(), LINE_BYTES);
        let s = stream_lines(1).unwrap();
        assert_eq!(s, collect_lines(1).unwrap());
        assert_eq!(s.lines, lines_for(1));
        assert_eq!(s.bytes, lines_for(1) * LINE_BYTES as u64);
        assert!(stream_lines(MAX_MB + 1).is_err());
    }

    #[test]
    fn a_buffer_held_across_await_is_inside_the_future() {
        let f = buffer_futures();
        assert!(f.held >= 1024, "{f:?}");
        assert!(f.dropped < 1024, "{f:?}");
        assert_eq!(f.boxed_handle, size_of::<usize>());
        assert_eq!(block_on(holds_buffer_across_await()), (1024, 2));
        assert_eq!(block_on(drops_buffer_before_await()), (1024, 2));
    }

    #[test]
    fn a_generator_frame_does_not_grow_with_its_limit() {
        let small = state_sizes(10);
        let large = state_sizes(100_000);
        for (s, l) in small.iter().zip(&large) {
            if s.flavour == Flavour::Vec {
                assert_eq!(l.frame_bytes, 800_000);
            } else if s.flavour == Flavour::Batch {
                assert_eq!(s.frame_bytes, l.frame_bytes);
                assert!(s.frame_bytes >= 8 * crate::counter::BATCH, "{s:?}");
            } else {
                assert_eq!(s.frame_bytes, l.frame_bytes, "{:?}", s.flavour);
                assert!(s.frame_bytes <= 128, "{s:?}");
            }
        }
    }
}
