//! "Embeddings" without a model file: hashed bag-of-words vectors. Each word and each
//! of its character trigrams is hashed (FNV-1a) into one of `dim` buckets with a ±1
//! sign from another hash bit; vectors are L2-normalised and compared by cosine. The
//! trigrams let `bearing` meet `bearings` and `Lager` meet `Kugellager`; there is no
//! meaning in them, which the evaluation shows.

use super::{sort_ranking, tokenize};

/// FNV-1a, 64 bit: stable across runs and platforms (unlike `std`'s `RandomState`).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Document vectors for cosine ranking.
#[derive(Clone, Debug)]
pub struct HashedVectors {
    dim: usize,
    vecs: Vec<Vec<f32>>,
}

fn features(text: &str) -> Vec<String> {
    let mut f = Vec::new();
    for w in tokenize(text) {
        let padded: Vec<char> = format!("<{w}>").chars().collect();
        for tri in padded.windows(3) {
            f.push(tri.iter().collect::<String>());
        }
        f.push(w);
    }
    f
}

impl HashedVectors {
    /// Embed `docs` into `dim` buckets.
    pub fn new(docs: &[&str], dim: usize) -> HashedVectors {
        let dim = dim.max(1);
        HashedVectors {
            dim,
            vecs: docs.iter().map(|d| embed(d, dim)).collect(),
        }
    }

    /// Every document with positive cosine similarity to `query`, best first.
    pub fn rank(&self, query: &str) -> Vec<(usize, f64)> {
        let q = embed(query, self.dim);
        let mut v: Vec<(usize, f64)> = self
            .vecs
            .iter()
            .enumerate()
            .map(|(i, d)| (i, d.iter().zip(&q).map(|(a, b)| f64::from(a * b)).sum()))
            .filter(|(_, s)| *s > 1e-9)
            .collect();
        sort_ranking(&mut v);
        v
    }
}

/// The normalised hashed vector of `text`.
pub fn embed(text: &str, dim: usize) -> Vec<f32> {
    let mut v = vec![0f32; dim];
    for feat in features(text) {
        let h = fnv1a(feat.as_bytes());
        let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
        // Whole words weigh more than trigrams.
        let w = if feat.starts_with('<') || feat.len() <= 3 {
            0.5
        } else {
            1.0
        };
        v[(h % dim as u64) as usize] += sign * w;
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}
