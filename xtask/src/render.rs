//! Render the book: the pinned mdBook with cmdrun, page programs through the [`freeze`]
//! cache, and a summary of what ran.
//!
//! [`freeze`]: crate::freeze

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::book::Book;
use crate::freeze::{self, LogLine, Setup};
use crate::tools;

/// How to render.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `xtask` executable the shim calls (`std::env::current_exe()` from xtask itself).
    pub xtask: PathBuf,
    /// `PATH` with the pinned tools first ([`tools::ensure_all`]).
    pub path: OsString,
    /// Ignore the freeze cache (still record into it).
    pub fresh: bool,
}

/// What one render did.
#[derive(Debug, Clone)]
pub struct Report {
    /// One line per page program, as the shim logged it.
    pub programs: Vec<LogLine>,
}

impl Report {
    /// How many programs ended with this outcome (`cached`, `ran`, `failed`, `uncacheable`).
    pub fn count(&self, outcome: &str) -> usize {
        self.programs
            .iter()
            .filter(|l| l.outcome == outcome)
            .count()
    }

    /// The closing summary: programs run vs served from the cache, the slowest few.
    pub fn summary(&self) -> String {
        freeze::summary(&self.programs)
    }
}

/// Set up the freeze shim for `book` (see [`freeze::setup`]).
pub fn setup(book: &Book, opts: &Options) -> anyhow::Result<Setup> {
    freeze::setup(&book.root, &opts.xtask, &opts.path, opts.fresh)
}

/// Compile, with cargo's own progress on the terminal, what the cache cannot answer, so
/// a cold build is not a silent wait inside mdBook.
pub fn build_programs(book: &Book, setup: &Setup) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for args in freeze::predicted_builds(book, setup)? {
        eprintln!("xtask: cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .current_dir(book.root.join("src"))
            .args(&args)
            .status()?;
        anyhow::ensure!(status.success(), "cargo {} failed", args.join(" "));
    }
    Ok(())
}

/// A `mdbook` command for `book` with the shim's environment.
pub fn mdbook(book: &Book, setup: &Setup) -> Command {
    let mut cmd = Command::new(tools::MDBOOK.binary());
    cmd.current_dir(&book.root)
        .env("PATH", &setup.path)
        .envs(setup.vars.iter().map(|(k, v)| (k, v)));
    cmd
}

/// `mdbook build` into `<root>/book/`, page programs through the freeze cache.
pub fn build(book: &Book, opts: &Options) -> anyhow::Result<Report> {
    let setup = setup(book, opts)?;
    build_programs(book, &setup)?;
    let status = mdbook(book, &setup).arg("build").status()?;
    let programs = freeze::read_log(&setup.log);
    let _ = std::fs::remove_file(&setup.log);
    anyhow::ensure!(status.success(), "mdbook build failed ({status})");
    Ok(Report { programs })
}

/// The built page for a chapter file such as `day-10-timsort.md`.
pub fn built_page(root: &Path, page: &str) -> PathBuf {
    root.join("book").join(page.replace(".md", ".html"))
}
