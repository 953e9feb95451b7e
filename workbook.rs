//! # The Concepts Workbook
//!
//! One crate per daily entry, re-exported here so `cargo doc --open` shows all of the
//! book's code in one place. Each module is a chapter; its crate-level docs are the
//! lesson, and its `examples/` are the programs the page runs.
//!
//! | day | chapter | crate |
//! |---|---|---|
//! | 2 | Cloud Systems Drift | [`drift`] |
//! | 3 | The Heartbeat | [`heartbeat`] |
//! | 4 | Stackless Continuations | [`coroutines`] |
//! | 5 | Container Storage Interface | [`csi`] |
//! | 6 | Multi-ERP RAG | [`erp_rag`] |
//! | 9 | Semantic Contracts | [`contracts`] |
//! | 10 | TimSort | [`timsort`] |
//! | 11 | Mean Time to Resolution | [`mttr`] |
//! | 12 | The BEHILOS Benchmark | [`behilos`] |
//! | 13 | Server-to-Server Tracking | [`s2s`] |
//! | 16 | Developer-Centric Cloud Architecture Framework | [`dcaf`] |

// chapter crates (alphabetical, as rustfmt keeps them; `cargo xtask new-entry` inserts here)
pub use behilos;
pub use contracts;
pub use coroutines;
pub use csi;
pub use dcaf;
pub use drift;
pub use erp_rag;
pub use heartbeat;
pub use mttr;
pub use s2s;
pub use timsort;
