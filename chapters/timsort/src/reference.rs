//! CPython's comparison counts on this crate's own inputs, as reference figures.
//!
//! `reference/cpython_counts.py` asks this crate's `patterns` program for each input
//! (`--emit`), sorts it in CPython with a key whose `__lt__` counts its calls, and
//! writes `reference/cpython-counts.json` with a checksum of every input. The page
//! quotes CPython only through this file, and the tests check that the checksums match
//! what [`crate::patterns`] generates today — so the reference is always about the
//! same inputs, and a reader can reproduce it with one command.

use serde::Deserialize;

use crate::patterns::{Pattern, checksum};

/// The committed reference file.
pub const JSON: &str = include_str!("../reference/cpython-counts.json");

/// One sorted input and CPython's count for it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Counted {
    /// Pattern name (see [`Pattern::name`]) or `orders`.
    pub name: String,
    /// FNV-1a 64 of the input's decimal text, as 16 hex digits.
    pub checksum: String,
    /// `__lt__` calls CPython's `sorted()` made.
    pub comparisons: u64,
}

/// The whole reference file.
#[derive(Debug, Clone, Deserialize)]
pub struct CpythonCounts {
    /// CPython version that produced it, e.g. `3.11.7`.
    pub python: String,
    /// Length of the pattern inputs.
    pub n: usize,
    /// Seed of the pattern inputs.
    pub seed: u64,
    /// The seed's nine order dates.
    pub orders: Counted,
    /// One entry per pattern.
    pub patterns: Vec<Counted>,
}

/// Why the reference cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The JSON does not parse.
    #[error("reference/cpython-counts.json: {0}")]
    Json(#[from] serde_json::Error),
}

impl CpythonCounts {
    /// Parse the committed reference.
    pub fn load() -> Result<Self, ReferenceError> {
        Ok(serde_json::from_str(JSON)?)
    }

    /// CPython's count for `pattern` at (`n`, `seed`), only if the reference was computed
    /// on exactly that input (checksum match).
    pub fn for_pattern(&self, pattern: Pattern, n: usize, seed: u64) -> Option<u64> {
        if (n, seed) != (self.n, self.seed) {
            return None;
        }
        let entry = self.patterns.iter().find(|c| c.name == pattern.name())?;
        (entry.checksum == hex(checksum(&pattern.generate(n, seed)))).then_some(entry.comparisons)
    }

    /// CPython's count for the nine order dates, if the checksum matches `keys`.
    pub fn for_orders(&self, keys: &[i64]) -> Option<u64> {
        (self.orders.checksum == hex(checksum(keys))).then_some(self.orders.comparisons)
    }
}

/// 16 lower-case hex digits.
pub fn hex(x: u64) -> String {
    format!("{x:016x}")
}
