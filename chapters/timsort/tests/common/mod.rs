//! Input generators shared by the integration tests.
//!
//! `SplitMix64` is used (rather than `kit`'s ChaCha) where the exact input must be
//! reproducible in a few lines of Python, so CPython can count comparisons on it.

#![allow(dead_code)]

/// SplitMix64: tiny, fully specified, trivial to re-implement in Python.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}

/// `0..n` shuffled by Fisher-Yates (j = next % (i + 1), i from n-1 down to 1).
pub fn shuffled(n: usize, seed: u64) -> Vec<u64> {
    let mut v: Vec<u64> = (0..n as u64).collect();
    let mut g = SplitMix64::new(seed);
    for i in (1..n).rev() {
        let j = g.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
    v
}

/// `n` values drawn from `0..k`.
pub fn few_distinct(n: usize, k: u64, seed: u64) -> Vec<u64> {
    let mut g = SplitMix64::new(seed);
    (0..n).map(|_| g.below(k)).collect()
}

/// Concatenated sorted runs (1..=300 long, half of them reversed), truncated to `n`.
pub fn runs_input(n: usize, seed: u64) -> Vec<u64> {
    let mut g = SplitMix64::new(seed);
    let mut v = Vec::with_capacity(n + 300);
    while v.len() < n {
        let len = 1 + g.below(300) as usize;
        let base = g.below(10_000);
        let mut run: Vec<u64> = (0..len).map(|_| base + g.below(50)).collect();
        run.sort();
        if g.below(2) == 1 {
            run.reverse();
        }
        v.extend(run);
    }
    v.truncate(n);
    v
}

/// True if `v` is sorted by `key`.
pub fn is_sorted_by_key<T, K: Ord>(v: &[T], key: impl Fn(&T) -> K) -> bool {
    v.windows(2).all(|w| key(&w[0]) <= key(&w[1]))
}
