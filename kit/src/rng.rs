//! Seeded randomness that is the same on every machine and every build.
//!
//! `rand`'s `StdRng` may change algorithm between releases; ChaCha8 is specified,
//! so a seed printed on a page reproduces the page's numbers.

pub use rand::seq::SliceRandom;
pub use rand::{Rng, SeedableRng};
pub use rand_chacha::ChaCha8Rng;

/// The generator every rendered program uses, from a `u64` seed.
pub fn seeded(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let a: Vec<u32> = (0..8).map(|_| seeded(7).random()).collect();
        let mut r = seeded(7);
        let b: Vec<u32> = (0..8).map(|_| r.random()).collect();
        // a repeats the first value of seed 7; b walks the stream.
        assert!(a.iter().all(|&x| x == b[0]));
        assert_ne!(b[0], b[1]);
        assert_ne!(seeded(7).random::<u64>(), seeded(8).random::<u64>());
    }

    #[test]
    fn stream_is_pinned() {
        // ChaCha8 is a specified algorithm: this value must never change, or every
        // page's seeded output would silently drift.
        assert_eq!(seeded(0).random::<u64>(), seeded(0).random::<u64>());
        let first = seeded(0).random::<u64>();
        assert_eq!(first, PINNED_SEED0_FIRST_U64);
    }

    const PINNED_SEED0_FIRST_U64: u64 = 13_080_132_717_333_068_652;
}
