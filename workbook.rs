//! # The Concepts Workbook
//!
//! One crate per daily entry, re-exported here so `cargo doc --open` shows all of the
//! book's code in one place. Each module is a chapter; its crate-level docs are the
//! lesson, and its `examples/` are the programs the page runs.
//!
//! | day | chapter | crate |
//! |---|---|---|
//! | 10 | TimSort | [`timsort`] |

// chapters (kept in day order; `cargo xtask new-entry` inserts here)
pub use timsort; // day 10
