//! # Day 6 — Multi-ERP RAG
//!
//! GlobalTech kept five systems after five acquisitions: SAP S/4HANA in the US, a
//! legacy SAP R/3 in Germany, Oracle NetSuite in China, Dynamics 365 in Mexico, and a
//! consolidated-reporting SQL database. "What's our inventory value across all
//! divisions?" needs all four ERPs, and they disagree on field names (`LABST`,
//! `Frei verwendbar`, `quantityOnHand`, `OnHandQuantity`), number formats
//! (`1.178.000,00`), dates (`/Date(1730332800000)/`, `30.10.2024`), units (`ST`,
//! `EA`, `Each`, `LB`), currencies (USD, EUR, CNY, MXN) and material numbers.
//!
//! This crate is the orchestration layer of the seed's diagram, working end to end:
//!
//! 1. [`router`] decides what the question asks and which sources can answer it.
//! 2. [`fanout`] queries them concurrently (tokio), each under its own timeout.
//! 3. [`sources`] adapters map native records to one [`record::Record`] shape with
//!    provenance `[system:table:key]` and as-of date; [`normalise`] reconciles units
//!    (UN/CEFACT `C62`, `KGM`), currencies (dated FX, and it records the rate it used)
//!    and material numbers (a cross-reference to group parts).
//! 4. [`engine`] computes the figures (structured questions) or retrieves passages
//!    ([`retrieve`]: BM25 k1 = 1.2, b = 0.75 with Lucene's idf; hashed bag-of-words
//!    vectors; Reciprocal Rank Fusion, k = 60) — the numbers come from code, not a model.
//! 5. [`answer`] writes the text with an [`answer::Llm`]: an offline deterministic
//!    synthesiser by default, or any OpenAI-compatible endpoint, whose answer is
//!    rejected if it cites or states anything not in the evidence.
//!
//! A division that doesn't answer is named, and no company total is given without it.
//! Personnel records are only retrieved for the `hr` role. [`eval`] scores the whole
//! thing against a labelled question set.
//!
//! The router, adapters, normaliser, engine, retrieval and offline answer are plain
//! code; tokio, SQLite, PostgreSQL and HTTP sit around them and stay native. So the page's
//! Try it block ([`tryit`]) runs the same engine in the browser (wasm32) over the
//! fixtures compiled into the library ([`bundled`], [`engine::Engine::bundled`]), with
//! the fan-out on a virtual clock ([`fanout::fan_out_virtual`]).
//!
//! ```
//! use erp_rag::{config::Role, engine::{Database, Engine}, retrieve::Retriever};
//! let rt = erp_rag::runtime(true); // paused clock: simulated latencies take no time
//! let db = erp_rag::scratch_sqlite("doctest").unwrap();
//! let engine = rt
//!     .block_on(Engine::open(&erp_rag::config::default_data_dir(),
//!                            Database::Sqlite(db.clone()), &|_| None))
//!     .unwrap();
//! let q = "What's our inventory value across all divisions?";
//! let f = rt.block_on(engine.gather(q, Role::Analyst, Retriever::Hybrid));
//! assert_eq!(f.answer_value().as_deref(), Some("20447213.40"));
//! assert_eq!(f.unit, "USD");
//! assert_eq!(f.rows.len(), 4); // one line per division, each with its citations
//! assert!(f.rows[1].citations.contains(&"[r3-de:MB52:4711/DE01]".to_string()));
//! let _ = std::fs::remove_file(db);
//! ```

pub mod answer;
pub mod bundled;
pub mod config;
pub mod dec;
pub mod engine;
pub mod error;
pub mod eval;
pub mod fanout;
pub mod normalise;
pub mod picture;
pub mod record;
pub mod render;
pub mod retrieve;
pub mod router;
pub mod sources;
pub mod tryit;

pub use error::{Error, Result};

/// A current-thread tokio runtime; `paused` starts it on tokio's virtual clock, which
/// jumps to the next timer whenever every task is waiting — so simulated latencies
/// take no wall time and print the same every run.
#[cfg(not(target_arch = "wasm32"))]
pub fn runtime(paused: bool) -> tokio::runtime::Runtime {
    let mut b = tokio::runtime::Builder::new_current_thread();
    b.enable_all();
    if paused {
        b.start_paused(true);
    }
    b.build().expect("a current-thread runtime builds")
}

/// A fresh path for an SQLite file in the system temp dir (`erp-rag-<name>-<pid>.db`).
#[cfg(not(target_arch = "wasm32"))]
pub fn scratch_sqlite(name: &str) -> Result<std::path::PathBuf> {
    let p = std::env::temp_dir().join(format!("erp-rag-{name}-{}.db", std::process::id()));
    if p.exists() {
        std::fs::remove_file(&p).map_err(|e| Error::io(&p, &e))?;
    }
    Ok(p)
}
