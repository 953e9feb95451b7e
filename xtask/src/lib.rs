//! # xtask: the workbook's one door for chores
//!
//! `cargo xtask <command>` (an alias in `.cargo/config.toml`) runs this crate:
//!
//! | command | what it does |
//! |---|---|
//! | `serve` | installs the pinned mdBook tools if needed, builds every chapter, serves the book with live reload |
//! | `build` | the same, into `book/`, then fails on any `cmdrun error`, missing page or broken internal link; unchanged programs come from the [`freeze`] cache (`--fresh` ignores it) |
//! | `check` | template and consistency checks on the sources (no build) |
//! | `bless` | re-runs every page's programs and rewrites their snapshots |
//! | `smoke` | loads every built chapter page in headless Chromium and checks its output block is there |
//! | `new-entry` | scaffolds a new daily entry: crate, page, SUMMARY line, re-export, snapshot |
//! | `prepare` | before class: installs the tools, compiles every program, test and bench, builds the book |
//! | `commands` | runs every "Run it yourself" command as printed and checks it does what its page says ([`commands`]) |
//! | `wasm` | compiles each chapter's Try it engine to wasm32, finding or unpacking the toolchain ([`wasm`]) |
//!
//! The library half is what the book-wide tests (`tests/` at the repository root) call,
//! so `cargo test --workspace` runs exactly the checks CI and contributors run.
//!
//! ## Conventions the checks enforce
//! - A chapter page is `src/day-<N>-<slug>.md`; its crate is `chapters/<slug>/`, package
//!   `<slug>`, re-exported from the root `workbook.rs` as `pub use <slug_with_underscores>;`.
//! - Every page has the sections of [`check::TEMPLATE_SECTIONS`], in order.
//! - Every `<!-- cmdrun … -->` directive uses `-0`, and sits alone inside a fenced code
//!   block — unless its output is one deliberate `<svg>` element or a Try it block
//!   (`<div class="tryit">`, written by `kit::tryit::html`).
//! - A directive preceded by `<!-- measured -->` prints wall-clock figures: its
//!   snapshot keeps the output's shape (numbers masked), not its values.

pub mod book;
pub mod check;
pub mod commands;
pub mod freeze;
pub mod quiz;
pub mod render;
pub mod scaffold;
pub mod site;
pub mod smoke;
pub mod tools;
pub mod wasm;

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with the book, located as precisely as the check can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file at fault, relative to the book's root where possible.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong and, where it helps, how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem in `file` at `line`.
    pub fn new(file: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file.display(), l, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Format a list of problems one per line, for a test failure or the CLI.
pub fn report(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  - {p}\n")).collect()
}
