//! Memory figures, measured with the crate's counting allocator installed in this
//! test binary. One test function only: the allocator counts the whole process, and
//! tests in one binary run in parallel.

use coroutines::alloc_meter::{self, CountingAlloc};
use coroutines::counter::Flavour;
use coroutines::memory::{buffer_futures, collect_lines, state_sizes, stream_lines};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn stackless_frames_are_small_and_streaming_is_flat() {
    // 1. Frames do not depend on the limit; the Vec does, at 8 bytes per value.
    let limit = 1_000_000u64;
    for row in state_sizes(limit) {
        match row.flavour {
            Flavour::Vec => {
                assert_eq!(row.frame_bytes, 8 * limit as usize);
                assert!(row.heap_bytes >= 8 * limit as usize, "{row:?}");
            }
            Flavour::Batch => assert!((2048..4096).contains(&row.frame_bytes), "{row:?}"),
            Flavour::Rc | Flavour::Sync => {
                assert!(row.frame_bytes <= 128, "{row:?}");
                // The frame is boxed: the heap holds at least the frame.
                assert!(row.heap_bytes >= row.frame_bytes, "{row:?}");
                assert!(row.heap_bytes < 512, "{row:?}");
            }
            Flavour::Hand | Flavour::Stack | Flavour::Async => {
                assert!(row.frame_bytes <= 128, "{row:?}");
                assert_eq!(row.heap_bytes, 0, "{row:?}");
            }
        }
    }

    // 2. A buffer held across .await is inside the future; Box::pin moves it out.
    let b = buffer_futures();
    assert!(b.held >= 1024 && b.dropped < 64, "{b:?}");
    assert_eq!(b.boxed_handle, size_of::<usize>());
    assert!(b.boxed_heap >= b.held, "{b:?}");

    // 3. Streaming 8 MB needs one line at a time; collecting needs all of it.
    let streamed = alloc_meter::measure(|| stream_lines(8));
    let collected = alloc_meter::measure(|| collect_lines(8));
    assert!(alloc_meter::is_installed());
    assert_eq!(streamed.value, collected.value);
    assert!(streamed.peak_bytes < 4096, "{}", streamed.peak_bytes);
    assert!(collected.peak_bytes > 8_000_000, "{}", collected.peak_bytes);
}
