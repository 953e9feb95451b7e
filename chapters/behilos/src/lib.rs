//! # BEHILOS: superlative questions, and how to score them honestly
//!
//! BEHILOS ("BEst, HIghest, LOwest, String") is the benchmark the workbook's seed
//! describes: show a model a short list of entities with numbers attached and ask which
//! one is the highest, lowest, best, most, fewest or second-highest. People find it
//! easy; models trip over ties, numbers printed in different notations (`22 million`
//! next to `22M`), units (`950 g` against `1.2 kg`), negative values, near-equal
//! values, attributes that are there only to distract, and long lists. No public
//! benchmark of that name exists; its closest real relatives are BIG-Bench Hard's
//! `penguins_in_a_table` and NumericBench.
//!
//! This crate builds the whole pipeline a real harness has:
//!
//! 1. **Items** ([`item`], [`generate`]): a seeded generator writes JSONL items whose
//!    gold answer is a **set** of option letters, with every difficulty knob measured
//!    and recorded. Item 0 is the seed's own example, whose gold set is {D, E}.
//! 2. **Models** ([`baseline`], [`client`], [`mock`]): four in-process baselines, a
//!    client for any OpenAI-compatible endpoint (temperature 0, fixed seed, retries with
//!    backoff), and a local mock endpoint that fails like real models do.
//! 3. **Extraction** ([`extract`]): free text → option letters, in four layers, with
//!    the layer recorded and failures counted apart from wrong answers.
//! 4. **Scoring** ([`score`], [`report`]): an explicit tie policy, accuracy per question
//!    type and per knob with Wilson intervals, the most-missed items, a chart.
//!
//! ```
//! use behilos::baseline::Baseline;
//! use behilos::generate::{generate, GenConfig};
//! use behilos::score::{score, TiePolicy};
//!
//! let items = generate(12, 50, &GenConfig::default()).unwrap();
//! assert_eq!(items[0].question, "Which of these cities has the LOWEST population?");
//! assert_eq!(items[0].gold, vec!['D', 'E']);
//!
//! // Run two baselines and score them under the strict tie policy.
//! let answers: Vec<_> = [Baseline::Lexicographic, Baseline::Solver]
//!     .iter()
//!     .flat_map(|b| b.run(&items))
//!     .enumerate()
//!     .map(|(i, a)| (i + 1, a))
//!     .collect();
//! let report = score(&items, &answers, TiePolicy::All);
//! let solver = &report.models[1];
//! assert_eq!(solver.overall.correct, 50); // the solver is the ceiling
//! assert!(report.models[0].overall.correct < 50); // "9" > "10" costs points
//! ```
//!
//! ## Ties
//!
//! A gold answer is a set. When two options share the winning value the set has two
//! letters, and the scorer must decide what a one-letter answer is worth. The policy is
//! a parameter ([`score::TiePolicy`]) and the report always names it and shows the
//! score under the other one, too: under `any`, naming one tied option (and nothing
//! else) is correct; under `all`, only the full set is.
//!
//! ## What the numbers are
//!
//! Every value is an integer in a base unit ([`quantity`]); printed text is exact, so a
//! tie on the page is a tie in the data. Second-highest and second-lowest use dense
//! ranks, and the generator never ties first place in such an item.

// The items, baselines, extraction and scoring compile everywhere, wasm32 included
// (the page's Try it block); the HTTP client, the mock endpoint and the runner that
// drives them are native.
pub mod baseline;
pub mod catalog;
#[cfg(not(target_arch = "wasm32"))]
pub mod client;
pub mod error;
pub mod extract;
pub mod generate;
pub mod item;
#[cfg(not(target_arch = "wasm32"))]
pub mod mock;
pub mod quantity;
pub mod report;
#[cfg(not(target_arch = "wasm32"))]
pub mod runner;
pub mod score;
pub mod tryit;

pub use error::Error;
