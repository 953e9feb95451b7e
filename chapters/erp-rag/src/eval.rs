//! Evaluation against a labelled question set: routing, retrieval (Recall@5, MRR per
//! retriever) and exact match of the computed answers.

use std::path::Path;

use serde::Deserialize;

use crate::config::Role;
#[cfg(not(target_arch = "wasm32"))]
use crate::engine::Engine;
use crate::error::{Error, Result};
#[cfg(not(target_arch = "wasm32"))]
use crate::record::Entity;
#[cfg(not(target_arch = "wasm32"))]
use crate::retrieve::Index;
use crate::retrieve::Retriever;

/// One labelled question.
#[derive(Clone, Debug, Deserialize)]
pub struct Item {
    /// Id (`q07`).
    pub id: String,
    /// The question.
    pub question: String,
    /// Role to ask as.
    pub role: String,
    /// `number`, `parts` or `open`.
    pub kind: String,
    /// Sources a correct answer needs.
    pub gold_sources: Vec<String>,
    /// Records a retriever should find (open questions).
    #[serde(default)]
    pub gold_records: Vec<String>,
    /// The answer: a plain number or a list of parts.
    #[serde(default)]
    pub answer: Option<serde_json::Value>,
    /// The unit of a numeric answer.
    #[serde(default)]
    pub unit: Option<String>,
}

#[derive(Deserialize)]
struct File {
    questions: Vec<Item>,
}

/// Read the labelled set.
pub fn load(path: &Path) -> Result<Vec<Item>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
    let f: File = serde_json::from_str(&text).map_err(|e| Error::Eval {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    for q in &f.questions {
        let ok = match q.kind.as_str() {
            "number" => q.answer.as_ref().is_some_and(|a| a.is_string()) && q.unit.is_some(),
            "parts" => q.answer.as_ref().is_some_and(|a| a.is_array()),
            "open" => !q.gold_records.is_empty(),
            _ => false,
        };
        if !ok || q.gold_sources.is_empty() {
            return Err(Error::Eval {
                path: path.to_path_buf(),
                message: format!(
                    "question {}: kind {:?} without its gold fields",
                    q.id, q.kind
                ),
            });
        }
        Role::parse(&q.role)?;
    }
    Ok(f.questions)
}

/// Ranks of the gold records for one open question under one retriever.
#[derive(Clone, Debug)]
pub struct RetrievalResult {
    /// Question id.
    pub id: String,
    /// Retriever.
    pub retriever: Retriever,
    /// 1-based rank of each gold record (None: not retrieved).
    pub ranks: Vec<Option<usize>>,
}

impl RetrievalResult {
    /// Share of gold records in the top `k`.
    pub fn recall_at(&self, k: usize) -> f64 {
        let hit = self
            .ranks
            .iter()
            .filter(|r| r.is_some_and(|r| r <= k))
            .count();
        hit as f64 / self.ranks.len().max(1) as f64
    }

    /// 1 / rank of the first gold record (0 if none).
    pub fn reciprocal_rank(&self) -> f64 {
        self.ranks
            .iter()
            .flatten()
            .min()
            .map(|r| 1.0 / *r as f64)
            .unwrap_or(0.0)
    }
}

/// One question's outcome.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Question id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Gold sources all routed to.
    pub routed: bool,
    /// Answer matched exactly (numbers and parts only).
    pub exact: Option<bool>,
    /// What the engine answered.
    pub got: String,
    /// What was expected.
    pub want: String,
}

/// The whole evaluation.
#[derive(Clone, Debug)]
pub struct Report {
    /// Per question.
    pub outcomes: Vec<Outcome>,
    /// Per open question and retriever.
    pub retrieval: Vec<RetrievalResult>,
}

/// Run every question through the engine (offline synthesiser, the engine's clock).
#[cfg(not(target_arch = "wasm32"))]
pub async fn run(engine: &Engine, items: &[Item]) -> Result<Report> {
    let mut outcomes = Vec::new();
    let mut retrieval = Vec::new();
    for q in items {
        let role = Role::parse(&q.role)?;
        let f = engine.gather(&q.question, role, Retriever::Hybrid).await;
        let routed = q.gold_sources.iter().all(|s| f.route.sources.contains(s));
        let (exact, got, want) = match q.kind.as_str() {
            "number" => {
                let want = q
                    .answer
                    .as_ref()
                    .and_then(|a| a.as_str())
                    .unwrap_or("")
                    .to_string();
                let unit = q.unit.clone().unwrap_or_default();
                let got = f.answer_value().unwrap_or_else(|| "-".into());
                let ok = got == want && f.unit == unit;
                (
                    Some(ok),
                    format!("{got} {}", f.unit),
                    format!("{want} {unit}"),
                )
            }
            "parts" => {
                let want: Vec<String> = q
                    .answer
                    .as_ref()
                    .and_then(|a| a.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let want = want.join(",");
                let got = f.answer_value().unwrap_or_default();
                (Some(got == want), got, want)
            }
            _ => {
                // Retrieval over every record the role may read, each retriever.
                let (_, records) = crate::fanout::fan_out(
                    &engine
                        .sources
                        .iter()
                        .map(|s| (s.clone(), true))
                        .collect::<Vec<_>>(),
                    &Entity::ALL,
                    role,
                    &engine.normaliser,
                )
                .await;
                let docs: Vec<(String, String)> = records
                    .iter()
                    .map(|r| (r.provenance.cite_key(), r.passage()))
                    .collect();
                let index = Index::build(&docs);
                for r in Retriever::ALL {
                    let ranking = index.rank(&q.question, r);
                    let ranks = q
                        .gold_records
                        .iter()
                        .map(|g| {
                            ranking
                                .iter()
                                .position(|(d, _)| &docs[*d].0 == g)
                                .map(|p| p + 1)
                        })
                        .collect();
                    retrieval.push(RetrievalResult {
                        id: q.id.clone(),
                        retriever: r,
                        ranks,
                    });
                }
                let top = f
                    .passages
                    .first()
                    .map(|p| p.citation.clone())
                    .unwrap_or_default();
                (None, top, q.gold_records.join(" "))
            }
        };
        outcomes.push(Outcome {
            id: q.id.clone(),
            kind: q.kind.clone(),
            routed,
            exact,
            got,
            want,
        });
    }
    Ok(Report {
        outcomes,
        retrieval,
    })
}

impl Report {
    /// Mean Recall@k and MRR of one retriever over the open questions.
    pub fn retrieval_scores(&self, r: Retriever, k: usize) -> (f64, f64, usize) {
        let rs: Vec<&RetrievalResult> =
            self.retrieval.iter().filter(|x| x.retriever == r).collect();
        let n = rs.len().max(1) as f64;
        (
            rs.iter().map(|x| x.recall_at(k)).sum::<f64>() / n,
            rs.iter().map(|x| x.reciprocal_rank()).sum::<f64>() / n,
            rs.len(),
        )
    }

    /// The report as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let n = self.outcomes.len();
        let numeric: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| o.kind == "number")
            .collect();
        let parts: Vec<&Outcome> = self.outcomes.iter().filter(|o| o.kind == "parts").collect();
        let exact = |v: &[&Outcome]| v.iter().filter(|o| o.exact == Some(true)).count();
        let routed = self.outcomes.iter().filter(|o| o.routed).count();
        out.push_str(&format!("{n} labelled questions\n\n"));
        let rows = vec![
            vec![
                "routing: gold sources queried".into(),
                format!("{routed}/{n}"),
            ],
            vec![
                "numeric answers, exact match".into(),
                format!("{}/{}", exact(&numeric), numeric.len()),
            ],
            vec![
                "top-N answers, exact match".into(),
                format!("{}/{}", exact(&parts), parts.len()),
            ],
        ];
        out.push_str(&kit::table::render(&["check", "score"], &rows));
        out.push_str("\n\n");
        let mut rows = Vec::new();
        for r in Retriever::ALL {
            let (recall, mrr, m) = self.retrieval_scores(r, 5);
            rows.push(vec![
                r.name().to_string(),
                m.to_string(),
                format!("{recall:.3}"),
                format!("{mrr:.3}"),
            ]);
        }
        out.push_str(&kit::table::render(
            &["retriever (open questions)", "questions", "Recall@5", "MRR"],
            &rows,
        ));
        out.push('\n');
        let misses: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| o.exact == Some(false) || !o.routed)
            .collect();
        if !misses.is_empty() {
            out.push_str("\nMisses:\n");
            for o in misses {
                out.push_str(&format!("  {}: got {}, want {}\n", o.id, o.got, o.want));
            }
        }
        let mut weak = Vec::new();
        for r in &self.retrieval {
            if r.recall_at(5) < 1.0 {
                let ranks: Vec<String> = r
                    .ranks
                    .iter()
                    .map(|x| x.map(|v| v.to_string()).unwrap_or_else(|| "-".into()))
                    .collect();
                weak.push(format!(
                    "  {} {}: gold at rank {}",
                    r.id,
                    r.retriever.name(),
                    ranks.join(", ")
                ));
            }
        }
        if !weak.is_empty() {
            out.push_str("\nOpen questions with a gold record outside the top 5:\n");
            for w in weak {
                out.push_str(&w);
                out.push('\n');
            }
        }
        out
    }
}
