//! A counting global allocator: how many heap bytes are live, and the peak.
//!
//! Install it in a binary (`#[global_allocator] static A: CountingAlloc =
//! CountingAlloc;` — the `memory` example and `tests/memory.rs` do) and wrap work in
//! [`measure`]. Without it installed, every figure reads zero and [`is_installed`]
//! says so. It forwards every call to the system allocator and only keeps counts.

// Implementing `GlobalAlloc` is `unsafe` by definition; the workspace denies unsafe
// code, so it is allowed here, in this module only.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The system allocator, counting live bytes and their peak.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAlloc;

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
    INSTALLED.store(true, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    CURRENT.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds
// the `GlobalAlloc` contract; the only addition is updating atomic counters, which
// neither allocates nor touches the memory handed out.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller guarantees `layout` has non-zero size, as `System` needs.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `ptr` came from this allocator (hence from
        // `System`) with this `layout`.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `ptr`/`layout` describe a live block from this
        // allocator and that `new_size` is valid for `layout.align()`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

/// Whether [`CountingAlloc`] is this program's global allocator (it has seen an
/// allocation).
pub fn is_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Heap bytes live right now.
pub fn live_bytes() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

/// Heap figures of one piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapUse<T> {
    /// What the work returned.
    pub value: T,
    /// The highest live heap during the work, above what was live when it started.
    pub peak_bytes: usize,
}

/// Run `work` and report its peak heap use above the starting point. (Counts the
/// whole process: run measurements one at a time.)
pub fn measure<T>(work: impl FnOnce() -> T) -> HeapUse<T> {
    let start = live_bytes();
    PEAK.store(start, Ordering::Relaxed);
    let value = work();
    HeapUse {
        value,
        peak_bytes: PEAK.load(Ordering::Relaxed).saturating_sub(start),
    }
}
