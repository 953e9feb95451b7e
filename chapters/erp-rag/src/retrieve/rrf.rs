//! Reciprocal Rank Fusion (Cormack, Clarke, Büttcher 2009): a document's fused score is
//! Σ 1/(k + rank) over the rankings it appears in, rank starting at 1, k = 60.
//! Only ranks matter, so BM25 scores and cosines need no common scale.

use std::collections::HashMap;

use super::sort_ranking;

/// Fuse rankings (each best first).
///
/// ```
/// use erp_rag::retrieve::rrf::fuse;
/// let a = vec![(7, 9.0), (3, 5.0)];
/// let b = vec![(3, 0.9), (8, 0.1)];
/// let f = fuse(&[a, b], 60.0);
/// assert_eq!(f[0].0, 3); // second in one list, first in the other
/// assert!((f[0].1 - (1.0 / 62.0 + 1.0 / 61.0)).abs() < 1e-12);
/// ```
pub fn fuse(rankings: &[Vec<(usize, f64)>], k: f64) -> Vec<(usize, f64)> {
    let mut scores: HashMap<usize, f64> = HashMap::new();
    for r in rankings {
        for (rank, (doc, _)) in r.iter().enumerate() {
            *scores.entry(*doc).or_default() += 1.0 / (k + rank as f64 + 1.0);
        }
    }
    let mut v: Vec<(usize, f64)> = scores.into_iter().collect();
    sort_ranking(&mut v);
    v
}
