//! Okapi BM25 with Lucene's idf, `ln(1 + (N − n + 0.5)/(n + 0.5))`, which never goes
//! negative (the original Robertson idf does for terms in more than half the documents).

use std::collections::HashMap;

use super::{sort_ranking, tokenize};

/// An inverted index scored with BM25.
#[derive(Clone, Debug)]
pub struct Bm25 {
    k1: f64,
    b: f64,
    doc_len: Vec<f64>,
    avgdl: f64,
    postings: HashMap<String, Vec<(usize, u32)>>,
}

impl Bm25 {
    /// Index `docs` with parameters `k1` (term-frequency saturation) and `b` (length
    /// normalisation). Lucene and tantivy default to 1.2 and 0.75.
    pub fn new(docs: &[&str], k1: f64, b: f64) -> Bm25 {
        let mut postings: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
        let mut doc_len = Vec::with_capacity(docs.len());
        for (d, text) in docs.iter().enumerate() {
            let toks = tokenize(text);
            doc_len.push(toks.len() as f64);
            let mut tf: HashMap<String, u32> = HashMap::new();
            for t in toks {
                *tf.entry(t).or_default() += 1;
            }
            for (t, n) in tf {
                postings.entry(t).or_default().push((d, n));
            }
        }
        let avgdl = if doc_len.is_empty() {
            0.0
        } else {
            doc_len.iter().sum::<f64>() / doc_len.len() as f64
        };
        Bm25 {
            k1,
            b,
            doc_len,
            avgdl,
            postings,
        }
    }

    /// Lucene's idf of a term found in `n` of the `N` documents.
    pub fn idf(&self, n: usize) -> f64 {
        let big_n = self.doc_len.len() as f64;
        let n = n as f64;
        (1.0 + (big_n - n + 0.5) / (n + 0.5)).ln()
    }

    /// Every document containing a query term, best first.
    pub fn rank(&self, query: &str) -> Vec<(usize, f64)> {
        let mut scores: HashMap<usize, f64> = HashMap::new();
        let mut terms = tokenize(query);
        terms.sort();
        terms.dedup();
        for t in terms {
            let Some(list) = self.postings.get(&t) else {
                continue;
            };
            let idf = self.idf(list.len());
            for &(d, tf) in list {
                let tf = f64::from(tf);
                let norm = 1.0 - self.b + self.b * self.doc_len[d] / self.avgdl.max(1e-9);
                *scores.entry(d).or_default() += idf * tf * (self.k1 + 1.0) / (tf + self.k1 * norm);
            }
        }
        let mut v: Vec<(usize, f64)> = scores.into_iter().collect();
        sort_ranking(&mut v);
        v
    }
}
