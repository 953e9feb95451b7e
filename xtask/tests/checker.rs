//! The checker is tested on fixture books written to a temporary folder: a good book
//! passes, and each kind of breakage makes it fail with a message naming the place.

use std::fs;
use std::path::{Path, PathBuf};

use xtask::book::Book;
use xtask::check::{check_outputs, check_outputs_of, check_sources};
use xtask::scaffold::{self, NewEntry, ScaffoldError};
use xtask::site::check_site;

/// A minimal, valid book with one chapter (`day-1-demo`) whose programs are shell commands.
struct Fixture {
    root: PathBuf,
}

const GOOD_PAGE: &str = "# Day 1 — Demo

A definition.

## Key concepts

- a concept

## The example, in Rust

```text
<!-- cmdrun -0 printf 'hello\\n' -->
```

<!-- cmdrun -0 printf '<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\\n' -->

## What the output shows

It says hello.

## Run it yourself

```sh
cargo run -p demo --example demo
```

## Instructor notes

<details>
<summary>notes</summary>
Ten minutes.
</details>

## Going further

Elsewhere.

## Check yourself

<details>
<summary>1. What does it say?</summary>

It says `hello`.

</details>

<details>
<summary>2. Once more?</summary>

Still `hello`.

</details>

<details>
<summary>3. And a third time?</summary>

`hello`, as the first block prints.

</details>

## Sources

- [a](https://a.example) — one
- [b](https://b.example) — two
- [c](https://c.example) — three
";

impl Fixture {
    fn new(name: &str) -> Self {
        let root =
            std::env::temp_dir().join(format!("xtask-fixture-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let f = Fixture { root };
        f.write("src/SUMMARY.md", "# Summary\n\n[Introduction](introduction.md)\n\n- [Day 1 — Demo](day-1-demo.md)\n- [Day 2 — Later]()\n");
        f.write("src/introduction.md", "# Introduction\n");
        f.write("src/day-1-demo.md", GOOD_PAGE);
        f.write("chapters/demo/Cargo.toml", "[package]\nname = \"demo\"\n");
        f.write("workbook.rs", "//! | day | chapter | crate |\n//! |---|---|---|\n//! | 1 | Demo | [`demo`] |\n\n// chapter crates (alphabetical, as rustfmt keeps them; `cargo xtask new-entry` inserts here)\npub use demo;\n");
        f.write(
            "Cargo.toml",
            "[package]\nname = \"workbook\"\n\n[dependencies]\n# chapters (kept in day order; `cargo xtask new-entry` inserts here)\ndemo = { path = \"chapters/demo\" } # day 1\n",
        );
        f.write(
            "tryit/Cargo.toml",
            "[features]\nall = [\n    # chapters in `all` (day order; `cargo xtask new-entry` inserts here)\n    \"demo\", # day 1\n]\n# chapters' features (day order; `cargo xtask new-entry` inserts here)\ndemo = [\"dep:demo\"] # day 1\n\n[dependencies]\n# chapters (day order; `cargo xtask new-entry` inserts here)\ndemo = { path = \"../chapters/demo\", optional = true } # day 1\n\n[lints]\n",
        );
        f.write(
            "tryit/lib.rs",
            "engines! {\n    // chapters (day order; `cargo xtask new-entry` inserts here)\n    \"demo\" => demo, // day 1\n}\n",
        );
        f
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    }

    fn edit_page(&self, from: &str, to: &str) {
        let p = self.root.join("src/day-1-demo.md");
        let text = fs::read_to_string(&p).expect("read");
        assert!(text.contains(from), "fixture edit: {from:?} not in page");
        fs::write(p, text.replacen(from, to, 1)).expect("write");
    }

    fn book(&self) -> Book {
        Book::load(&self.root).expect("fixture loads")
    }

    fn messages(&self) -> Vec<String> {
        let book = self.book();
        let mut p = check_sources(&book);
        if p.is_empty() {
            p = check_outputs(&book, false);
        }
        p.iter().map(ToString::to_string).collect()
    }

    fn bless(&self) {
        assert!(check_outputs(&self.book(), true).is_empty());
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn assert_one(messages: &[String], needles: &[&str]) {
    assert!(
        messages
            .iter()
            .any(|m| needles.iter().all(|n| m.contains(n))),
        "expected a problem containing {needles:?}, got {messages:#?}"
    );
}

#[test]
fn good_book_passes_once_blessed() {
    let f = Fixture::new("good");
    assert!(
        check_sources(&f.book()).is_empty(),
        "{:#?}",
        check_sources(&f.book())
    );
    assert_one(&f.messages(), &["day-1-demo.md:12", "no snapshot"]);
    f.bless();
    assert_eq!(f.messages(), Vec::<String>::new());
    let snap =
        fs::read_to_string(f.root.join("tests/snapshots/day-1-demo.01.txt")).expect("snapshot");
    assert_eq!(snap, "hello\n");
}

#[test]
fn outputs_can_be_checked_one_page_at_a_time() {
    let f = Fixture::new("one-page");
    assert!(check_outputs_of(&f.book(), Some("day-1-demo.md"), true).is_empty());
    assert!(check_outputs_of(&f.book(), Some("day-1-demo.md"), false).is_empty());
    let unknown = check_outputs_of(&f.book(), Some("day-9-nope.md"), false);
    assert_one(
        &unknown.iter().map(ToString::to_string).collect::<Vec<_>>(),
        &["day-9-nope.md", "no such linked page"],
    );
}

#[test]
fn failing_example_fails_naming_page_line_and_command() {
    let f = Fixture::new("failing");
    f.bless();
    f.edit_page("printf 'hello\\n'", "sh -c 'echo boom >&2; exit 3'");
    assert_one(
        &f.messages(),
        &["src/day-1-demo.md:12", "exited with Some(3)", "boom"],
    );
}

#[test]
fn changed_output_fails_against_the_snapshot() {
    let f = Fixture::new("drift");
    f.bless();
    f.edit_page("printf 'hello\\n'", "printf 'hullo\\n'");
    assert_one(&f.messages(), &["day-1-demo.md:12", "differs", "hullo"]);
}

#[test]
fn missing_section_fails_naming_page_and_section() {
    let f = Fixture::new("missing");
    f.edit_page("## Going further\n\nElsewhere.\n", "");
    assert_one(
        &f.messages(),
        &["src/day-1-demo.md", "missing section `## Going further`"],
    );
}

#[test]
fn sections_out_of_order_or_extra_fail() {
    let f = Fixture::new("order");
    f.edit_page("## Key concepts", "## Extra\n\n## Key concepts");
    assert_one(&f.messages(), &["unexpected section `## Extra`"]);
    let g = Fixture::new("order2");
    g.edit_page("## What the output shows\n\nIt says hello.\n", "");
    g.edit_page(
        "## Going further",
        "## What the output shows\n\n## Going further",
    );
    assert_one(&g.messages(), &["sections out of order"]);
}

#[test]
fn a_quiz_answer_must_quote_the_pages_own_output() {
    let f = Fixture::new("quiz");
    f.bless();
    f.edit_page("Still `hello`.", "Still `hullo`.");
    assert_one(
        &f.messages(),
        &[
            "src/day-1-demo.md:",
            "quotes `hullo`",
            "none of this page's program outputs",
        ],
    );
    let g = Fixture::new("quiz-sources");
    g.edit_page("- [c](https://c.example) — three\n", "");
    assert_one(&g.messages(), &["`Sources` lists 2 linked source(s)"]);
}

#[test]
fn unfenced_html_output_fails() {
    let f = Fixture::new("unfenced");
    f.bless();
    f.edit_page(
        "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
        "<script>alert(1)</script>",
    );
    assert_one(
        &f.messages(),
        &["day-1-demo.md:15", "not inside a code fence"],
    );
}

#[test]
fn a_day_page_without_a_picture_fails() {
    let f = Fixture::new("nopicture");
    f.bless();
    // the same output, fenced: still one <svg>, but pasted as text, so no picture
    f.edit_page(
        "<!-- cmdrun -0 printf '<svg",
        "```text\n<!-- cmdrun -0 printf '<svg",
    );
    f.edit_page("</svg>\\n' -->\n", "</svg>\\n' -->\n```\n");
    assert_one(&f.messages(), &["src/day-1-demo.md", "no picture"]);
}

#[test]
fn directive_without_zero_flag_fails() {
    let f = Fixture::new("nozero");
    f.edit_page("cmdrun -0 printf 'hello", "cmdrun printf 'hello");
    assert_one(&f.messages(), &["day-1-demo.md:12", "without `-0`"]);
}

#[test]
fn instructor_notes_need_details_and_run_needs_cargo_run() {
    let f = Fixture::new("details");
    f.edit_page("<details>", "<div>");
    f.edit_page("cargo run -p demo", "just demo");
    let m = f.messages();
    assert_one(&m, &["collapsible `<details>`"]);
    assert_one(&m, &["exact `cargo run` command"]);
}

#[test]
fn crates_pages_summary_and_reexports_must_agree() {
    let f = Fixture::new("agree");
    f.write(
        "chapters/orphan/Cargo.toml",
        "[package]\nname = \"orphan\"\n",
    );
    f.write("src/day-7-unlinked.md", "# Day 7 — Unlinked\n");
    f.write("workbook.rs", "");
    let m = f.messages();
    assert_one(&m, &["chapters/orphan", "no page"]);
    assert_one(&m, &["src/day-7-unlinked.md", "not linked"]);
    assert_one(&m, &["workbook.rs", "pub use demo;"]);
    let g = Fixture::new("agree2");
    g.write(
        "src/SUMMARY.md",
        "- [Day 3 — Demo](day-1-demo.md)\n- [Day 2 — X]()\n",
    );
    let m = g.messages();
    assert_one(&m, &["out of day order"]);
    assert_one(&m, &["does not match the page's day 1"]);
}

#[test]
fn built_site_with_cmdrun_error_missing_page_or_broken_link_fails() {
    let f = Fixture::new("site");
    let site = f.root.join("book");
    fs::create_dir_all(&site).expect("mkdir");
    fs::write(
        site.join("introduction.html"),
        "<a href=\"day-1-demo.html#x\">ok</a><a href=\"https://example.org\">ext</a></html>",
    )
    .expect("write");
    assert_one(
        &check_site(&f.book(), &site)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        &["day-1-demo.html", "no page"],
    );
    fs::write(
        site.join("day-1-demo.html"),
        "<p><strong>cmdrun error</strong>: 'x' returned exit code 1 instead of 0.</p><a href=\"gone.html\">x</a>",
    )
    .expect("write");
    let m: Vec<String> = check_site(&f.book(), &site)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_one(&m, &["book/day-1-demo.html:1", "cmdrun error"]);
    assert_one(&m, &["broken internal link `gone.html`"]);
    assert_eq!(m.len(), 2, "{m:#?}");
}

fn listing(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn new_entry_scaffolds_a_day_that_passes_the_checks() {
    let f = Fixture::new("scaffold");
    let entry = NewEntry {
        day: 2,
        title: "Circuit Breaker".into(),
        slug: None,
    };
    let plan = scaffold::plan(&f.root, &entry).expect("plan");
    scaffold::apply(&f.root, &plan).expect("apply");
    let summary = fs::read_to_string(f.root.join("src/SUMMARY.md")).expect("summary");
    assert!(summary.contains(
        "- [Day 1 — Demo](day-1-demo.md)\n- [Day 2 — Circuit Breaker](day-2-circuit-breaker.md)\n"
    ));
    assert!(
        !summary.contains("[Day 2 — Later]()"),
        "the draft entry is replaced"
    );
    assert!(
        f.root
            .join("chapters/circuit-breaker/examples/demo.rs")
            .is_file()
    );
    let lib = fs::read_to_string(f.root.join("workbook.rs")).expect("lib");
    assert!(
        lib.contains("inserts here)\npub use circuit_breaker;\npub use demo;\n"),
        "{lib}"
    );
    assert!(lib.contains("//! | 2 | Circuit Breaker | [`circuit_breaker`] |"));
    // the Try it engine: its files, and the tryit crate's feature, dependency and export
    for file in ["src/tryit.rs", "examples/try_it.rs"] {
        assert!(f.root.join("chapters/circuit-breaker").join(file).is_file());
    }
    let manifest = fs::read_to_string(f.root.join("tryit/Cargo.toml")).expect("tryit manifest");
    assert!(
        manifest.contains("    \"demo\", # day 1\n    \"circuit-breaker\", # day 2\n]\n"),
        "{manifest}"
    );
    assert!(manifest.contains("# day 1\ncircuit-breaker = [\"dep:circuit-breaker\"] # day 2\n\n"));
    assert!(manifest.contains(
        "circuit-breaker = { path = \"../chapters/circuit-breaker\", optional = true } # day 2\n\n[lints]"
    ));
    let engines = fs::read_to_string(f.root.join("tryit/lib.rs")).expect("tryit lib");
    assert!(engines.contains("// day 1\n    \"circuit-breaker\" => circuit_breaker, // day 2\n}"));
    let problems = check_sources(&f.book());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn new_entry_bad_arguments_change_nothing() {
    let f = Fixture::new("scaffold-bad");
    let before = listing(&f.root);
    let cases: [(NewEntry, &str); 6] = [
        (
            NewEntry {
                day: 1,
                title: "Again".into(),
                slug: None,
            },
            "already has a chapter",
        ),
        (
            NewEntry {
                day: 3,
                title: "Demo".into(),
                slug: None,
            },
            "already exists",
        ),
        (
            NewEntry {
                day: 0,
                title: "Zero".into(),
                slug: None,
            },
            "between 1 and 9999",
        ),
        (
            NewEntry {
                day: 3,
                title: "<script>".into(),
                slug: None,
            },
            "not usable",
        ),
        (
            NewEntry {
                day: 3,
                title: "Fine".into(),
                slug: Some("../../etc".into()),
            },
            "not usable",
        ),
        (
            NewEntry {
                day: 3,
                title: "Type".into(),
                slug: None,
            },
            "keyword",
        ),
    ];
    for (entry, needle) in cases {
        let err: ScaffoldError = scaffold::plan(&f.root, &entry).expect_err("must be rejected");
        assert!(err.to_string().contains(needle), "{entry:?}: {err}");
    }
    assert_eq!(
        listing(&f.root),
        before,
        "a rejected new-entry must not change any file"
    );
}
