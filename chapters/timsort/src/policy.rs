//! Merge policies and the small pieces of arithmetic that drive them: `minrun`,
//! `powerloop`, and the proven bound on the pending-run stack.

use std::error::Error;
use std::fmt;
use std::str::FromStr;

/// How TimSort decides which pending runs to merge, and when.
///
/// Both policies find the same runs and use the same galloping merge; they differ only
/// in the *shape of the merge tree*, and so in how many comparisons the merges cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MergePolicy {
    /// Tim Peters' original `merge_collapse` rule, with the 2015 fix by de Gouw et al.:
    /// keep `len[i-2] > len[i-1] + len[i]` and `len[i-1] > len[i]` for the whole stack.
    /// This is what CPython used from 2002 to 3.10 and what Java and Android still use.
    #[default]
    Classic,
    /// Munro & Wild's powersort rule (2018), CPython's default since 3.11: give each
    /// boundary between two runs a "power" (its depth in a perfectly balanced merge
    /// tree over the array's positions) and merge while the run below the top has a
    /// higher power than the boundary just found.
    Powersort,
}

impl MergePolicy {
    /// Every policy, in a fixed order (handy for tables that compare them).
    pub const ALL: [MergePolicy; 2] = [MergePolicy::Classic, MergePolicy::Powersort];

    /// The lower-case name used by [`Display`](fmt::Display) and [`FromStr`].
    pub const fn name(self) -> &'static str {
        match self {
            MergePolicy::Classic => "classic",
            MergePolicy::Powersort => "powersort",
        }
    }
}

impl fmt::Display for MergePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MergePolicy {
    type Err = ParsePolicyError;

    /// Accepts `classic` or `powersort`, ignoring ASCII case and surrounding spaces,
    /// because these names mostly arrive from command lines.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        MergePolicy::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| ParsePolicyError {
                value: s.to_owned(),
            })
    }
}

/// The error from parsing a [`MergePolicy`] out of a string that names neither policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsePolicyError {
    value: String,
}

impl ParsePolicyError {
    /// The string that failed to parse, exactly as it was given.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for ParsePolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown merge policy {:?}: expected one of \"classic\", \"powersort\"",
            self.value
        )
    }
}

impl Error for ParsePolicyError {}

/// The minimum run length TimSort uses for an array of `n` elements
/// (CPython's `merge_compute_minrun`).
///
/// Below 64 elements the whole array is one binary-insertion-sorted run, so the
/// answer is `n`. Otherwise it is the top six bits of `n`, plus one if any of the
/// bits shifted away were set. That lands in `32..=64` and makes `n / minrun` either
/// exactly a power of two or slightly *below* one, so the runs split into a
/// power-of-two number of near-equal pieces and the final merges stay balanced
/// (slightly above a power of two would leave one tiny run for a lopsided last merge).
///
/// ```
/// assert_eq!(timsort::minrun(63), 63);
/// assert_eq!(timsort::minrun(64), 32);
/// assert_eq!(timsort::minrun(65), 33);
/// ```
pub const fn minrun(n: usize) -> usize {
    let mut n = n;
    let mut any_shifted_off = 0;
    while n >= 64 {
        any_shifted_off |= n & 1;
        n >>= 1;
    }
    n + any_shifted_off
}

/// The powersort "power" of the boundary between two adjacent runs (CPython 3.11's
/// `powerloop`).
///
/// The first run starts at `s1` and has `n1` elements; the second follows it with
/// `n2`; the whole array has `n`. Take the runs' midpoints as fractions of `n` and
/// write both in binary: the power is the position of the first bit where they
/// differ. That is the depth at which a perfectly balanced binary split of `[0, n)`
/// would first separate the two midpoints, so boundaries with small powers belong
/// near the root of the merge tree and are merged last.
///
/// Working with doubled midpoints keeps everything in integers, and the quotient
/// bits are produced one at a time by long division, so no wide multiplication or
/// floating point is needed.
///
/// ```
/// // Two halves of an 8-element array split at the root.
/// assert_eq!(timsort::powerloop(0, 4, 4, 8), 1);
/// // Two quarters on the left meet one level down.
/// assert_eq!(timsort::powerloop(0, 2, 2, 8), 2);
/// ```
///
/// # Panics
///
/// In debug builds, if the runs are empty or do not fit in `n`.
pub fn powerloop(s1: usize, n1: usize, n2: usize, n: usize) -> u32 {
    debug_assert!(n1 > 0 && n2 > 0, "powerloop needs two non-empty runs");
    debug_assert!(s1 + n1 + n2 <= n, "powerloop runs must fit in the array");
    // Doubled midpoints: a = 2*(s1 + n1/2), b = 2*(s1 + n1 + n2/2). Both are < 2n,
    // and each step keeps them below 2n again, so `<< 1` cannot overflow for any
    // slice Rust can allocate (n <= isize::MAX).
    let mut a = 2 * s1 + n1;
    let mut b = a + n1 + n2;
    let mut power = 0;
    loop {
        power += 1;
        if a >= n {
            // Both quotient bits are 1: drop them and look at the next bit.
            a -= n;
            b -= n;
        } else if b >= n {
            // a's bit is 0 and b's is 1: this is the first difference.
            break;
        }
        a <<= 1;
        b <<= 1;
    }
    power
}

/// An upper bound on how many runs can be pending at once when sorting `n` elements
/// with [`MergePolicy::Classic`] (the value [`Stats::max_pending`](crate::Stats::max_pending)
/// is tested against).
///
/// # Derivation
///
/// After every `merge_collapse` (with the 2015 fix) the whole stack, bottom to top,
/// satisfies `len[i-2] > len[i-1] + len[i]` and `len[i-1] > len[i]`. Every run on it
/// came from runs of at least `minrun(n)` elements (only the very last run of the
/// array can be shorter, and nothing is pushed after it). So reading the stack from
/// the top down, the lengths are at least
///
/// ```text
/// m,  m + 1,  (m + 1) + m + 1,  ...   each one > the sum of the two above it
/// ```
///
/// with `m = minrun(n)`: a Fibonacci-like sequence, so `k` runs need at least about
/// `m * F(k + 2)` elements and `k <= log_φ(n / m) + 2` with `φ ≈ 1.618`. The deepest
/// moment is just after a push and before the collapse: a stack obeying the
/// invariants plus the newly found run (at least one element). This function walks
/// that recurrence exactly: it counts how many of the smallest admissible lengths fit
/// into `n - 1` elements, then adds one for the new run.
///
/// For `n = usize::MAX` on a 64-bit target this is 84: just under the 85 slots of
/// CPython's fixed-size stack, which were sized by the same argument
/// (`32 * φ^85 ≈ 2^64`). Java sized its stack the same way, but the stack only
/// obeys the invariants if `merge_collapse` really restores them everywhere, which
/// before the 2015 fix it did not.
///
/// ```
/// assert_eq!(timsort::run_stack_bound(0), 0);
/// assert_eq!(timsort::run_stack_bound(63), 1); // one run, sorted by binary insertion
/// assert!(timsort::run_stack_bound(1_000_000) <= 20);
/// ```
pub fn run_stack_bound(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let m = minrun(n);
    let budget = n - 1;
    // Smallest lengths from the top of the stack down: x1 = m, x2 = m + 1,
    // x(k) = x(k-1) + x(k-2) + 1.
    let (mut prev, mut cur) = (0usize, m);
    let mut used = 0usize;
    let mut depth = 0;
    loop {
        match used.checked_add(cur) {
            Some(total) if total <= budget => used = total,
            _ => break,
        }
        depth += 1;
        let next = if depth == 1 {
            m + 1
        } else {
            cur.saturating_add(prev).saturating_add(1)
        };
        prev = cur;
        cur = next;
    }
    depth + 1
}
