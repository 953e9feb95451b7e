//! `cargo xtask new-entry`: scaffold a daily entry that builds, renders and passes at once.
//!
//! Everything is validated before anything is written, so a bad argument changes nothing.

use std::fs;
use std::path::{Path, PathBuf};

use crate::book::{Book, parse_page_name};
use crate::check::crate_ident;

/// What a new entry needs.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The day number (1–9999).
    pub day: u32,
    /// The concept's title, e.g. `Circuit Breaker`.
    pub title: String,
    /// Crate and page slug; derived from the title when `None`.
    pub slug: Option<String>,
}

/// Why a new entry cannot be created. Nothing has been written when this is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScaffoldError {
    /// Day outside 1–9999.
    #[error("day must be between 1 and 9999, got {0}")]
    DayRange(u32),
    /// Title empty, too long, or with characters that would break markdown or HTML.
    #[error("title {0:?} is not usable: {1}")]
    BadTitle(String, &'static str),
    /// Slug not a valid, free crate name.
    #[error("slug {0:?} is not usable: {1}")]
    BadSlug(String, String),
    /// That day already has a chapter.
    #[error("day {day} already has a chapter: src/{page} (SUMMARY.md line {line})")]
    DuplicateDay {
        /// The day.
        day: u32,
        /// Its page.
        page: String,
        /// Line in SUMMARY.md.
        line: usize,
    },
    /// A file the entry would create already exists.
    #[error("{0} already exists; choose another --slug")]
    Exists(PathBuf),
    /// The book could not be read.
    #[error("cannot read the book: {0}")]
    Book(String),
}

const RESERVED: [&str; 10] = [
    "std",
    "core",
    "alloc",
    "proc-macro",
    "test",
    "kit",
    "xtask",
    "workbook",
    "self",
    "crate",
];
const KEYWORDS: [&str; 38] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "gen",
];

/// A slug from a title: lowercase ASCII letters and digits, words joined by `-`.
pub fn slugify(title: &str) -> String {
    let mut s = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

fn validate_title(title: &str) -> Result<(), ScaffoldError> {
    let bad = |why| Err(ScaffoldError::BadTitle(title.to_string(), why));
    let t = title.trim();
    if t.is_empty() {
        return bad("it is empty");
    }
    if t.chars().count() > 80 {
        return bad("it is longer than 80 characters");
    }
    if t.chars()
        .any(|c| c.is_control() || "[]()<>`|\\*_#".contains(c))
    {
        return bad("it contains control or markdown/HTML characters ([ ] ( ) < > ` | \\ * _ #)");
    }
    if t.to_ascii_lowercase().starts_with("day ") {
        return bad("give the concept only; `Day N — ` is added for you");
    }
    Ok(())
}

fn validate_slug(slug: &str) -> Result<(), ScaffoldError> {
    let bad = |why: &str| Err(ScaffoldError::BadSlug(slug.to_string(), why.to_string()));
    if slug.is_empty() || slug.len() > 40 {
        return bad("it must be 1–40 characters");
    }
    if !slug.starts_with(|c: char| c.is_ascii_lowercase()) {
        return bad("it must start with a lowercase letter");
    }
    if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || slug.contains("--")
    {
        return bad("only lowercase letters, digits and single `-` are allowed");
    }
    if slug.ends_with('-') {
        return bad("it must not end with `-`");
    }
    if RESERVED.contains(&slug) || KEYWORDS.contains(&crate_ident(slug).as_str()) {
        return bad("it is a reserved crate name or a Rust keyword");
    }
    Ok(())
}

/// The files a new entry writes and the edits it makes, computed without touching disk.
#[derive(Debug)]
pub struct Plan {
    /// The slug.
    pub slug: String,
    /// New files, relative to the root, with contents.
    pub create: Vec<(PathBuf, String)>,
    /// Existing files, relative to the root, with their new contents.
    pub rewrite: Vec<(PathBuf, String)>,
}

/// Validate `entry` against the book at `root` and compute every change.
pub fn plan(root: &Path, entry: &NewEntry) -> Result<Plan, ScaffoldError> {
    if !(1..=9999).contains(&entry.day) {
        return Err(ScaffoldError::DayRange(entry.day));
    }
    validate_title(&entry.title)?;
    let title = entry.title.trim().to_string();
    let slug = entry.slug.clone().unwrap_or_else(|| slugify(&title));
    validate_slug(&slug)?;
    let book = Book::load(root).map_err(|p| ScaffoldError::Book(p.to_string()))?;
    for e in &book.summary {
        if let (Some(day), Some(page)) = (e.day(), e.path.as_deref())
            && day == entry.day
        {
            return Err(ScaffoldError::DuplicateDay {
                day,
                page: page.to_string(),
                line: e.line,
            });
        }
    }
    let page_name = format!("day-{}-{slug}.md", entry.day);
    let crate_dir = PathBuf::from("chapters").join(&slug);
    for existing in [crate_dir.clone(), PathBuf::from("src").join(&page_name)] {
        if root.join(&existing).exists() {
            return Err(ScaffoldError::Exists(existing));
        }
    }
    if book
        .chapter_files()
        .iter()
        .any(|f| parse_page_name(f).is_some_and(|(_, s)| s == slug))
    {
        return Err(ScaffoldError::BadSlug(
            slug,
            "another day's page already uses it".into(),
        ));
    }

    let read = |p: &str| {
        fs::read_to_string(root.join(p)).map_err(|e| ScaffoldError::Book(format!("{p}: {e}")))
    };
    let full_title = format!("Day {} — {title}", entry.day);
    let summary = insert_summary(&read("src/SUMMARY.md")?, entry.day, &full_title, &page_name);
    let ident = crate_ident(&slug);
    let manifest = insert_marked(
        &read("Cargo.toml")?,
        "# chapters (kept in day order",
        entry.day,
        &format!(
            "{slug} = {{ path = \"chapters/{slug}\" }} # day {}",
            entry.day
        ),
    );
    let mut lib = insert_use(
        &read("workbook.rs")?,
        "// chapter crates",
        &format!("pub use {ident};"),
    );
    lib = insert_doc_row(
        &lib,
        entry.day,
        &format!("//! | {} | {title} | [`{ident}`] |", entry.day),
    );

    let tryit_manifest = read("tryit/Cargo.toml")?;
    let tryit_manifest = insert_marked(
        &tryit_manifest,
        "# chapters in `all` (day order",
        entry.day,
        &format!("    \"{slug}\", # day {}", entry.day),
    );
    let tryit_manifest = insert_marked(
        &tryit_manifest,
        "# chapters' features (day order",
        entry.day,
        &format!("{slug} = [\"dep:{slug}\"] # day {}", entry.day),
    );
    let tryit_manifest = insert_marked(
        &tryit_manifest,
        "# chapters (day order",
        entry.day,
        &format!(
            "{slug} = {{ path = \"../chapters/{slug}\", optional = true }} # day {}",
            entry.day
        ),
    );
    let tryit_lib = insert_marked(
        &read("tryit/lib.rs")?,
        "// chapters (day order",
        entry.day,
        &format!("    \"{slug}\" => {ident}, // day {}", entry.day),
    );

    let t = |s: &str| {
        s.replace("{day}", &entry.day.to_string())
            .replace("{title}", &title)
            .replace("{slug}", &slug)
            .replace("{ident}", &ident)
    };
    let create = vec![
        (crate_dir.join("Cargo.toml"), t(CRATE_MANIFEST)),
        (crate_dir.join("src/lib.rs"), t(CRATE_LIB)),
        (crate_dir.join("examples/demo.rs"), t(CRATE_EXAMPLE)),
        (crate_dir.join("src/tryit.rs"), t(CRATE_TRYIT)),
        (
            crate_dir.join("examples/try_it.rs"),
            t(CRATE_TRY_IT_EXAMPLE),
        ),
        (crate_dir.join(format!("tests/{ident}.rs")), t(CRATE_TEST)),
        (PathBuf::from("src").join(&page_name), t(PAGE)),
    ];
    let rewrite = vec![
        (PathBuf::from("src/SUMMARY.md"), summary),
        (PathBuf::from("Cargo.toml"), manifest),
        (PathBuf::from("workbook.rs"), lib),
        (PathBuf::from("tryit/Cargo.toml"), tryit_manifest),
        (PathBuf::from("tryit/lib.rs"), tryit_lib),
    ];
    Ok(Plan {
        slug,
        create,
        rewrite,
    })
}

/// Write a plan to disk. On a write error, files already created are removed and
/// rewritten files restored.
pub fn apply(root: &Path, plan: &Plan) -> std::io::Result<()> {
    let mut created: Vec<PathBuf> = Vec::new();
    let mut originals: Vec<(PathBuf, String)> = Vec::new();
    let result = (|| {
        for (rel, text) in &plan.create {
            let path = root.join(rel);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(&path, text)?;
            created.push(path);
        }
        for (rel, text) in &plan.rewrite {
            let path = root.join(rel);
            originals.push((path.clone(), fs::read_to_string(&path)?));
            fs::write(&path, text)?;
        }
        Ok(())
    })();
    if result.is_err() {
        for path in &created {
            let _ = fs::remove_file(path);
        }
        let _ = fs::remove_dir_all(root.join("chapters").join(&plan.slug));
        for (path, text) in &originals {
            let _ = fs::write(path, text);
        }
    }
    result
}

/// Put `- [title](page)` in SUMMARY in day order, replacing that day's draft entry.
fn insert_summary(summary: &str, day: u32, title: &str, page: &str) -> String {
    let new_line = format!("- [{title}]({page})");
    let entries = crate::book::parse_summary(summary);
    let mut lines: Vec<String> = summary.lines().map(String::from).collect();
    if let Some(draft) = entries
        .iter()
        .find(|e| e.day() == Some(day) && e.path.is_none())
    {
        lines[draft.line - 1] = new_line;
    } else if let Some(next) = entries.iter().find(|e| e.day().is_some_and(|d| d > day)) {
        lines.insert(next.line - 1, new_line);
    } else if let Some(last) = entries.iter().rev().find(|e| e.day().is_some()) {
        lines.insert(last.line, new_line);
    } else {
        lines.push(new_line);
    }
    lines.join("\n") + "\n"
}

/// Insert `line` into the block of lines right after the `marker` comment: before the
/// first line of that block for which `goes_before` says the new line belongs ahead of
/// it, or at the end of the block (or of the file, if there is no marker).
fn insert_in_block(
    text: &str,
    marker: &str,
    line: &str,
    goes_before: impl Fn(&str) -> bool,
) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let at = match lines
        .iter()
        .position(|l| l.trim_start().starts_with(marker))
    {
        Some(start) => {
            let block_end = lines[start + 1..]
                .iter()
                .position(|l| {
                    // a blank line, the next TOML table, or the end of an array or macro call
                    l.trim().is_empty()
                        || l.starts_with('[')
                        || l.trim_start().starts_with([']', '}'])
                })
                .map_or(lines.len(), |k| start + 1 + k);
            (start + 1..block_end)
                .find(|&k| goes_before(&lines[k]))
                .unwrap_or(block_end)
        }
        None => lines.len(),
    };
    lines.insert(at, line.to_string());
    lines.join("\n") + "\n"
}

/// Insert `line` into the block that follows the `marker` comment, in `# day N` order.
fn insert_marked(text: &str, marker: &str, day: u32, line: &str) -> String {
    insert_in_block(text, marker, line, |l| {
        l.rsplit_once("day ")
            .and_then(|(_, n)| n.trim().parse::<u32>().ok())
            .is_some_and(|d| d > day)
    })
}

/// Insert a `pub use` line into the block after `marker`, in the alphabetical order
/// rustfmt keeps `use` items in (so `cargo fmt` never has to move it).
fn insert_use(text: &str, marker: &str, line: &str) -> String {
    insert_in_block(text, marker, line, |l| l > line)
}

/// Insert a row into the crate-doc table of `workbook.rs`, in day order.
fn insert_doc_row(text: &str, day: u32, row: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let rows: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            lines[i].starts_with("//! | ")
                && lines[i][6..].starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    let at = rows
        .iter()
        .find(|&&i| {
            lines[i][6..]
                .split(' ')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|d| d > day)
        })
        .copied()
        .or_else(|| rows.last().map(|&i| i + 1));
    match at {
        Some(at) => lines.insert(at, row.to_string()),
        None => lines.push(row.to_string()),
    }
    lines.join("\n") + "\n"
}

const CRATE_MANIFEST: &str = r#"[package]
name = "{slug}"
version = "0.1.0"
description = "Day {day} — {title}."
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[dependencies]
clap.workspace = true
kit.workspace = true

# the workspace's one native feature set (cargo hakari); a wasm32 build of the engine leaves it out
[target.'cfg(not(target_arch = "wasm32"))'.dependencies]
workspace-hack.workspace = true

[lints]
workspace = true
"#;

const CRATE_LIB: &str = r#"//! # Day {day} — {title}
//!
//! The lesson goes here: what the concept is, in your own words, and how this crate's
//! engine shows it. The scaffold ships a tiny seeded sampler so the page renders from the
//! first build; replace it with the chapter's real engine.
//!
//! ```
//! let xs = {ident}::sample(7, 5);
//! assert_eq!(xs, {ident}::sample(7, 5)); // same seed, same data
//! ```

use kit::rng::{Rng, seeded};

pub mod tryit;

/// `n` values in `0..100`, drawn from a generator seeded with `seed`.
pub fn sample(seed: u64, n: usize) -> Vec<u32> {
    let mut rng = seeded(seed);
    (0..n).map(|_| rng.random_range(0..100)).collect()
}

/// The smallest, largest and mean of a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Smallest value.
    pub min: u32,
    /// Largest value.
    pub max: u32,
    /// Arithmetic mean.
    pub mean: f64,
}

/// Summarise `xs`; `None` when it is empty.
pub fn summarize(xs: &[u32]) -> Option<Summary> {
    let min = *xs.iter().min()?;
    let max = *xs.iter().max()?;
    let mean = xs.iter().map(|&x| f64::from(x)).sum::<f64>() / xs.len() as f64;
    Some(Summary { min, max, mean })
}

/// The sample as a bar chart, one bar per draw (one `<svg>` element, for the page).
pub fn picture(xs: &[u32]) -> String {
    kit::svg::BarChart {
        title: format!("{} seeded draws", xs.len()),
        y_label: "value".into(),
        categories: (0..xs.len()).map(|i| i.to_string()).collect(),
        series: vec![("value".into(), xs.iter().map(|&x| f64::from(x)).collect())],
    }
    .to_svg()
}
"#;

const CRATE_EXAMPLE: &str = r#"//! Day {day} — {title}: the program the page runs.
//!
//! `cargo run -q --release -p {slug} --example demo -- --help`

use clap::Parser;
// ends the program cleanly on a closed or full stdout (CONTRIBUTING.md, "Hostile input")
use kit::println;

/// Draw a seeded sample and summarise it.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Seed for the sample (the page uses the default).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// How many values to draw (1 to 1000).
    #[arg(long, default_value_t = 10, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    n: usize,
    /// Print the draws as an SVG bar chart instead of the table.
    #[arg(long)]
    svg: bool,
}

fn main() {
    let args = Args::parse();
    let xs = {ident}::sample(args.seed, args.n);
    if args.svg {
        println!("{}", {ident}::picture(&xs));
        return;
    }
    let rows: Vec<Vec<String>> = xs.iter().enumerate().map(|(i, x)| vec![i.to_string(), x.to_string()]).collect();
    println!("{}", kit::table::render(&["i", "value"], &rows));
    match {ident}::summarize(&xs) {
        Some(s) => println!("min {} · max {} · mean {:.2}", s.min, s.max, s.mean),
        None => println!("empty sample"),
    }
}
"#;

const CRATE_TRYIT: &str = r#"//! The page's Try it block: the engine with the reader's knobs, in the browser (wasm32)
//! and as `cargo run -q --release -p {slug} --example try_it`. No threads, sockets, files
//! or wall clock here: this compiles to wasm32 (see `kit::tryit`).

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};

/// Day {day}'s engine for the page: knobs `seed` and `n`.
pub const ENGINE: Engine = Engine {
    chapter: "{slug}",
    title: "draw a seeded sample and summarise it; change the seed or the size.",
    knobs: &[
        Knob { name: "seed", label: "seed", help: "seed for the sample", kind: Kind::Int { min: 0, max: 1_000_000 }, default: "42" },
        Knob { name: "n", label: "n", help: "how many values to draw", kind: Kind::Int { min: 1, max: 1000 }, default: "10" },
    ],
    run,
};

fn run(v: &Values) -> Result<String, TryItError> {
    let xs = crate::sample(v.int("seed")? as u64, v.int("n")? as usize);
    Ok(match crate::summarize(&xs) {
        Some(s) => format!("sample: {xs:?}\nmin {} · max {} · mean {:.2}\n", s.min, s.max, s.mean),
        None => "empty sample\n".to_string(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_knob_changes_the_output() {
        let a = super::ENGINE.run_defaults().unwrap();
        assert_ne!(a, super::ENGINE.run_query("seed=7").unwrap());
        assert!(super::ENGINE.run_query("n=0").is_err());
    }
}
"#;

const CRATE_TRY_IT_EXAMPLE: &str = r#"//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! `cargo run -q --release -p {slug} --example try_it -- --help`

fn main() -> std::process::ExitCode {
    kit::tryit::main(&{ident}::tryit::ENGINE)
}
"#;

const CRATE_TEST: &str = r#"//! Day {day} — {title}: tests of the engine.

#[test]
fn same_seed_same_sample_different_seed_different_sample() {
    assert_eq!({ident}::sample(1, 20), {ident}::sample(1, 20));
    assert_ne!({ident}::sample(1, 20), {ident}::sample(2, 20));
    assert!({ident}::sample(1, 1000).iter().all(|&x| x < 100));
}

#[test]
fn summary_of_known_values() {
    let s = {ident}::summarize(&[3, 1, 2]).expect("non-empty");
    assert_eq!((s.min, s.max), (1, 3));
    assert!((s.mean - 2.0).abs() < 1e-12);
    assert_eq!({ident}::summarize(&[]), None);
}

#[test]
fn the_picture_draws_one_bar_per_draw() {
    let bars = |n| {ident}::picture(&{ident}::sample(1, n)).matches("<rect").count();
    assert_eq!(bars(12) - bars(2), 10);
    assert!({ident}::picture(&[5]).starts_with("<svg"));
}
"#;

const PAGE: &str = r#"# Day {day} — {title}

<!-- Write a one-paragraph definition in your own words (facts from the seed). -->
{title}: the definition goes here.

## Key concepts

- <!-- the terms the field uses, one line each -->

## The example, in Rust

The program the page runs is `chapters/{slug}/examples/demo.rs`; its output below was
produced when this page was built.

```text
<!-- cmdrun -0 cargo run -q --release -p {slug} --example demo -->
```

The same draws as bars, drawn by the same program (`--svg`):

<!-- cmdrun -0 cargo run -q --release -p {slug} --example demo -- --svg -->

### Try it

<!-- Say what the reader can change and what to look for (`src/tryit.rs` defines the knobs). -->

<!-- cmdrun -0 cargo run -q --release -p {slug} --example try_it -- --html -->

## What the output shows

<!-- Explain the output, and where the seed got it wrong, with the numbers the crate computed. -->

## Run it yourself

```sh
cargo run -q --release -p {slug} --example demo -- --help
cargo run -q --release -p {slug} --example demo -- --seed 7 --n 20
cargo run -q --release -p {slug} --example demo -- --svg > /tmp/{slug}.svg
cargo run -q --release -p {slug} --example try_it -- --help
cargo test -p {slug}
```

## Instructor notes

<details>
<summary>Timing, questions, what to break</summary>

- Minutes to allow: …
- Questions to ask: …
- Break on purpose: …

</details>

## Going further

<!-- Real-world anchors and how this implementation differs from them. -->

## Check yourself

<!-- 3 to 5 questions. Each answer quotes the page's own output in `inline code`, verbatim:
     `cargo xtask check` looks every quote up in this page's snapshots. -->

<details>
<summary>1. What does the program print after the table of draws?</summary>

One summary line: the smallest draw, the largest, and the `mean` to two decimals.

</details>

<details>
<summary>2. Why does the page show the same draws on every build?</summary>

The sample comes from a seeded generator, so the `value` column depends on the seed alone.

</details>

<details>
<summary>3. Which numbers in the summary line can a bigger sample never raise?</summary>

The `min` can only fall or stay as draws are added, and the maximum can only rise or stay.

</details>

## Sources

<!-- The primary sources this page relies on: specs, papers, official docs, source code. -->

- [rand_chacha: ChaCha8Rng](https://docs.rs/rand_chacha/latest/rand_chacha/struct.ChaCha8Rng.html) — the seeded generator behind `kit::rng::seeded`.
- [mdbook-cmdrun](https://github.com/FauconFan/mdbook-cmdrun) — how the program's output gets into the page.
- [The Rust Programming Language, ch. 11: Writing automated tests](https://doc.rust-lang.org/book/ch11-00-testing.html) — the tests the crate starts with.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_validation() {
        assert_eq!(slugify("Circuit Breaker"), "circuit-breaker");
        assert_eq!(slugify("  C++ / Rust!! "), "c-rust");
        assert!(validate_slug("circuit-breaker").is_ok());
        for bad in [
            "", "1abc", "a--b", "a-", "Upper", "../etc", "std", "type", "a_b",
        ] {
            assert!(validate_slug(bad).is_err(), "{bad:?} must be rejected");
        }
        for bad in ["", "   ", "Day 3 — x", "<script>", "a](evil)", "x\ny"] {
            assert!(validate_title(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn summary_replaces_draft_or_inserts_in_order() {
        let s = "# Summary\n\n[Intro](intro.md)\n\n- [Day 2 — A]()\n- [Day 10 — T](day-10-t.md)\n";
        let r = insert_summary(s, 2, "Day 2 — A", "day-2-a.md");
        assert!(r.contains("- [Day 2 — A](day-2-a.md)\n- [Day 10"));
        let r = insert_summary(s, 5, "Day 5 — B", "day-5-b.md");
        assert!(r.contains("- [Day 2 — A]()\n- [Day 5 — B](day-5-b.md)\n- [Day 10"));
        let r = insert_summary(s, 17, "Day 17 — C", "day-17-c.md");
        assert!(r.ends_with("(day-10-t.md)\n- [Day 17 — C](day-17-c.md)\n"));
    }

    #[test]
    fn uses_are_inserted_in_rustfmt_order() {
        let t = "//! doc\n\n// chapter crates (alphabetical)\npub use beta;\npub use delta;\n";
        let r = insert_use(t, "// chapter crates", "pub use charlie;");
        assert!(
            r.ends_with("pub use beta;\npub use charlie;\npub use delta;\n"),
            "{r}"
        );
        let r = insert_use(t, "// chapter crates", "pub use alpha;");
        assert!(
            r.contains("(alphabetical)\npub use alpha;\npub use beta;"),
            "{r}"
        );
        let r = insert_use(t, "// chapter crates", "pub use zulu;");
        assert!(r.ends_with("pub use delta;\npub use zulu;\n"), "{r}");
    }

    #[test]
    fn marked_block_keeps_day_order() {
        let t = "x\n# chapters (kept in day order)\na = 1 # day 3\nc = 1 # day 10\n\n[dev]\n";
        let r = insert_marked(t, "# chapters (kept in day order", 5, "b = 1 # day 5");
        assert_eq!(
            r,
            "x\n# chapters (kept in day order)\na = 1 # day 3\nb = 1 # day 5\nc = 1 # day 10\n\n[dev]\n"
        );
        let r = insert_marked(t, "# chapters (kept in day order", 17, "z = 1 # day 17");
        assert!(r.contains("c = 1 # day 10\nz = 1 # day 17\n\n[dev]"));
    }
}
