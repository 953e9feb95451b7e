//! Retrieval for open questions: BM25, hashed bag-of-words vectors, and Reciprocal
//! Rank Fusion of the two.

pub mod bm25;
pub mod rrf;
pub mod vector;

pub use bm25::Bm25;
pub use vector::HashedVectors;

/// Lower-case word tokens, stop words removed, a trailing plural `s` stripped.
///
/// ```
/// assert_eq!(erp_rag::retrieve::tokenize("Which supplier had bearings?"),
///            vec!["supplier", "bearing"]);
/// ```
pub fn tokenize(text: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "a", "an", "and", "are", "at", "by", "did", "do", "does", "for", "from", "had", "has",
        "have", "how", "in", "is", "it", "of", "on", "or", "our", "s", "the", "to", "was", "we",
        "were", "what", "when", "where", "which", "who", "why", "with", "about", "know", "there",
        "that", "this", "be", "as",
    ];
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                w[..w.len() - 1].to_string()
            } else {
                w
            }
        })
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

/// Which ranking answers open questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retriever {
    /// BM25 only.
    Bm25,
    /// Hashed vectors only.
    Vector,
    /// Both, fused with RRF (k = 60).
    Hybrid,
}

impl Retriever {
    /// All three, in the order the evaluation prints them.
    pub const ALL: [Retriever; 3] = [Retriever::Bm25, Retriever::Vector, Retriever::Hybrid];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Retriever::Bm25 => "BM25",
            Retriever::Vector => "hashed vectors",
            Retriever::Hybrid => "RRF(BM25, vectors)",
        }
    }
}

/// A document index with both rankers.
#[derive(Clone, Debug)]
pub struct Index {
    /// Document ids (citation keys), in index order.
    pub ids: Vec<String>,
    /// BM25 ranker.
    pub bm25: Bm25,
    /// Vector ranker.
    pub vectors: HashedVectors,
}

impl Index {
    /// Index `(id, text)` documents.
    pub fn build(docs: &[(String, String)]) -> Index {
        let texts: Vec<&str> = docs.iter().map(|(_, t)| t.as_str()).collect();
        Index {
            ids: docs.iter().map(|(i, _)| i.clone()).collect(),
            bm25: Bm25::new(&texts, 1.2, 0.75),
            vectors: HashedVectors::new(&texts, 1024),
        }
    }

    /// The full ranking of `query` by `retriever`: (document index, score), best first;
    /// documents with no match are left out.
    pub fn rank(&self, query: &str, retriever: Retriever) -> Vec<(usize, f64)> {
        match retriever {
            Retriever::Bm25 => self.bm25.rank(query),
            Retriever::Vector => self.vectors.rank(query),
            Retriever::Hybrid => {
                rrf::fuse(&[self.bm25.rank(query), self.vectors.rank(query)], 60.0)
            }
        }
    }
}

/// Sort (doc, score) best first, ties by document order, so rankings are deterministic.
pub(crate) fn sort_ranking(v: &mut [(usize, f64)]) {
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
}
