//! Book-wide tests: the sources follow the template and agree with the crates, and every
//! page program runs the way mdbook-cmdrun runs it and prints exactly its snapshot.
//!
//! Refresh snapshots after an intended change with `cargo xtask bless`.

use std::path::Path;

use xtask::book::Book;
use xtask::{check, report};

fn book() -> Book {
    Book::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|p| panic!("{p}"))
}

/// The eleven seed entries, in day order: each is either a chapter or a draft.
const SEED_DAYS: [u32; 11] = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16];

#[test]
fn summary_lists_every_seed_day_in_order() {
    let days: Vec<u32> = book().summary.iter().filter_map(|e| e.day()).collect();
    let seed_in_book: Vec<u32> = days
        .iter()
        .copied()
        .filter(|d| SEED_DAYS.contains(d))
        .collect();
    assert_eq!(
        seed_in_book, SEED_DAYS,
        "SUMMARY.md must list days {SEED_DAYS:?} in order"
    );
}

#[test]
fn sources_follow_the_template_and_agree_with_the_crates() {
    let problems = check::check_sources(&book());
    assert!(problems.is_empty(), "\n{}", report(&problems));
}

#[test]
fn every_page_program_runs_and_matches_its_snapshot() {
    // Some page programs run pinned Python tools (cfn-lint, checkov, schemathesis).
    xtask::tools::ensure_python().unwrap_or_else(|e| panic!("installing the Python tools: {e}"));
    let book = book();
    let directives = book.directives().unwrap_or_else(|p| panic!("{p}"));
    assert!(!directives.is_empty(), "the book runs no program at all");
    let problems = check::check_outputs(&book, kit::snapshot::blessing());
    assert!(problems.is_empty(), "\n{}", report(&problems));
}

/// `(name, version)` of every package in a `Cargo.lock`.
fn locked(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            out.push((n, v.trim_matches('"').to_string()));
        }
    }
    out
}

#[test]
fn the_timsort_peer_locks_the_same_versions_as_the_book() {
    // The peer workspace shares `target/`; with the same versions (and the workspace-hack's
    // features) its build reuses the book's compiled dependencies instead of compiling them
    // again. Its one extra package is the published `timsort` it is measured against.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = locked(&root.join("Cargo.lock"));
    let peer = locked(&root.join("chapters/timsort/peer/Cargo.lock"));
    let differ: Vec<_> = peer
        .iter()
        .filter(|(n, v)| !(n == "timsort" && v != "0.1.0") && n != "timsort-peer")
        .filter(|p| !book.contains(p))
        .collect();
    assert!(
        differ.is_empty(),
        "chapters/timsort/peer/Cargo.lock differs from Cargo.lock in {differ:?}; refresh it with\n  cp Cargo.lock chapters/timsort/peer/Cargo.lock && cargo tree --manifest-path chapters/timsort/peer/Cargo.toml >/dev/null"
    );
}
