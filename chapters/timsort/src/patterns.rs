//! Input patterns for counting comparisons: the shapes real data has.
//!
//! Every pattern is generated from a seed with the kit's ChaCha8 generator, so the
//! comparison table on the page — and the CPython reference counts computed on the very
//! same inputs (`reference/cpython_counts.py`) — never change between builds.

use std::fmt;
use std::str::FromStr;

use kit::rng::{Rng, SliceRandom, seeded};

/// A shape of input data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// A random permutation of `0..n`.
    Random,
    /// `0..n`, already sorted.
    Ascending,
    /// `n-1` down to `0`: one strictly descending run.
    Descending,
    /// A random permutation cut into 16 equal blocks, each sorted: 16 ascending runs.
    AscendingRuns,
    /// Values drawn from only 4 distinct keys.
    FewDistinct,
    /// Every element equal.
    AllEqual,
    /// `0..n` with 3 random pairs swapped: "almost sorted".
    AscendingThreeSwaps,
}

impl Pattern {
    /// Every pattern, in the order the page's table lists them.
    pub const ALL: [Pattern; 7] = [
        Pattern::Random,
        Pattern::Ascending,
        Pattern::Descending,
        Pattern::AscendingRuns,
        Pattern::FewDistinct,
        Pattern::AllEqual,
        Pattern::AscendingThreeSwaps,
    ];

    /// The pattern's name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Random => "random",
            Pattern::Ascending => "ascending",
            Pattern::Descending => "descending",
            Pattern::AscendingRuns => "16-runs",
            Pattern::FewDistinct => "4-distinct",
            Pattern::AllEqual => "all-equal",
            Pattern::AscendingThreeSwaps => "3-swaps",
        }
    }

    /// `n` integers of this shape, from `seed`.
    pub fn generate(self, n: usize, seed: u64) -> Vec<i64> {
        let mut rng = seeded(seed);
        let ascending = || (0..n as i64).collect::<Vec<_>>();
        match self {
            Pattern::Random => {
                let mut v = ascending();
                v.shuffle(&mut rng);
                v
            }
            Pattern::Ascending => ascending(),
            Pattern::Descending => (0..n as i64).rev().collect(),
            Pattern::AscendingRuns => {
                let mut v = ascending();
                v.shuffle(&mut rng);
                let block = n.div_ceil(16).max(1);
                for chunk in v.chunks_mut(block) {
                    chunk.sort_unstable();
                }
                v
            }
            Pattern::FewDistinct => (0..n).map(|_| rng.random_range(0..4)).collect(),
            Pattern::AllEqual => vec![0; n],
            Pattern::AscendingThreeSwaps => {
                let mut v = ascending();
                if n > 1 {
                    for _ in 0..3 {
                        let (i, j) = (rng.random_range(0..n), rng.random_range(0..n));
                        v.swap(i, j);
                    }
                }
                v
            }
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pattern name that is not one of [`Pattern::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPattern(pub String);

impl fmt::Display for UnknownPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Pattern::ALL.iter().map(|p| p.name()).collect();
        write!(
            f,
            "unknown pattern {:?} (expected one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownPattern {}

impl FromStr for Pattern {
    type Err = UnknownPattern;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownPattern(s.to_string()))
    }
}

/// Inputs for timing, as `u64`: uniformly random `u64` values first (the benchmark's
/// headline case), then every [`Pattern`] in order, each named.
pub fn timing_inputs(n: usize, seed: u64) -> Vec<(&'static str, Vec<u64>)> {
    let mut rng = seeded(seed);
    let mut out = vec![("random-u64", (0..n).map(|_| rng.random::<u64>()).collect())];
    for p in Pattern::ALL {
        // Patterns are non-negative (0..n or 0..4), so the cast is exact.
        out.push((
            p.name(),
            p.generate(n, seed)
                .into_iter()
                .map(|x| x.unsigned_abs())
                .collect(),
        ));
    }
    out
}

/// FNV-1a (64-bit) of the integers written in decimal, separated by single spaces.
///
/// The CPython reference file records this for every input it sorted, so a test can
/// prove the reference counts were computed on exactly the inputs this crate generates.
pub fn checksum(xs: &[i64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            h = (h ^ u64::from(b' ')).wrapping_mul(0x0100_0000_01b3);
        }
        for b in x.to_string().bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_what_their_names_say() {
        let n = 1000;
        let sorted: Vec<i64> = (0..n as i64).collect();
        let mut r = Pattern::Random.generate(n, 1);
        assert_ne!(r, sorted);
        r.sort_unstable();
        assert_eq!(r, sorted, "random is a permutation");
        assert_eq!(
            Pattern::Descending.generate(n, 1).first(),
            Some(&(n as i64 - 1))
        );
        let runs = Pattern::AscendingRuns.generate(n, 1);
        let descents = runs.windows(2).filter(|w| w[1] < w[0]).count();
        assert!(
            (10..=15).contains(&descents),
            "{descents} descents for 16 runs"
        );
        let few = Pattern::FewDistinct.generate(n, 1);
        assert!(few.iter().all(|&x| (0..4).contains(&x)));
        let swaps = Pattern::AscendingThreeSwaps.generate(n, 1);
        assert!(swaps.iter().zip(&sorted).filter(|(a, b)| a != b).count() <= 6);
        assert_eq!(
            Pattern::Random.generate(n, 7),
            Pattern::Random.generate(n, 7)
        );
    }

    #[test]
    fn names_round_trip_and_bad_name_lists_choices() {
        for p in Pattern::ALL {
            assert_eq!(p.name().parse::<Pattern>(), Ok(p));
        }
        let e = "sorted".parse::<Pattern>().expect_err("unknown");
        assert!(e.to_string().contains("random, ascending"));
    }

    #[test]
    fn checksum_is_fnv1a_of_the_decimal_text() {
        assert_eq!(checksum(&[]), 0xcbf2_9ce4_8422_2325);
        // FNV-1a 64 of "1 -2": computed independently in the Python reference script.
        assert_ne!(checksum(&[1, -2]), checksum(&[-2, 1]));
        assert_ne!(checksum(&[12]), checksum(&[1, 2]));
    }
}
