//! The freeze cache never serves stale output: on a fixture book with a real chapter crate,
//! built with the pinned mdBook and cmdrun, a line added to the chapter's example shows on
//! the rebuilt page, while a markdown-only edit runs nothing.

use std::fs;
use std::path::PathBuf;

use xtask::book::Book;
use xtask::render::{self, Options, Report};
use xtask::tools;

const PAGE: &str = "# Day 1 — Demo

```text
<!-- cmdrun -0 cargo run -q --release -p demo --example hello -->
```

PROSE
";

const EXAMPLE: &str = r#"fn main() {
    println!("first line from the example");
}
"#;

struct Fixture {
    root: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Self {
        let root = std::env::temp_dir().join(format!("xtask-freeze-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let f = Fixture { root };
        f.write(
            "book.toml",
            "[book]\ntitle = \"Fixture\"\nsrc = \"src\"\n\n[build]\nbuild-dir = \"book\"\n\n[preprocessor.cmdrun]\n",
        );
        f.write(
            "src/SUMMARY.md",
            "# Summary\n\n- [Day 1 — Demo](day-1-demo.md)\n",
        );
        f.write("src/day-1-demo.md", &PAGE.replace("PROSE", "Some prose."));
        f.write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"chapters/*\"]\nresolver = \"3\"\n",
        );
        f.write(
            "chapters/demo/Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n",
        );
        f.write("chapters/demo/src/lib.rs", "//! A demo chapter.\n");
        f.write("chapters/demo/examples/hello.rs", EXAMPLE);
        f
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    }

    fn build(&self, fresh: bool) -> (Report, String) {
        let report = render::build(&self.book(), &options(fresh)).expect("the fixture book builds");
        let html = fs::read_to_string(render::built_page(&self.root, "day-1-demo.md"))
            .expect("built page");
        (report, html)
    }
}

impl Fixture {
    fn book(&self) -> Book {
        Book::load(&self.root).expect("fixture book")
    }
}

fn options(fresh: bool) -> Options {
    Options {
        xtask: PathBuf::from(env!("CARGO_BIN_EXE_xtask")),
        path: tools::path_with(&[mdbook_dir(), cmdrun_dir()]).expect("PATH"),
        fresh,
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn mdbook_dir() -> PathBuf {
    tools::MDBOOK.ensure().expect("pinned mdBook");
    tools::MDBOOK.root().join("bin")
}

fn cmdrun_dir() -> PathBuf {
    tools::CMDRUN.ensure().expect("pinned mdbook-cmdrun");
    tools::CMDRUN.root().join("bin")
}

fn cmdrun_ok(html: &str) {
    assert!(!html.contains("cmdrun error"), "{html}");
}

#[test]
fn an_edit_to_a_chapter_shows_on_the_rebuilt_page_and_markdown_edits_run_nothing() {
    let f = Fixture::new("edit");

    // First build: nothing recorded yet, the program runs.
    let (r, html) = f.build(false);
    cmdrun_ok(&html);
    assert!(html.contains("first line from the example"));
    assert_eq!((r.count("ran"), r.count("cached")), (1, 0), "{r:?}");

    // Nothing changed: served from the cache.
    let (r, html) = f.build(false);
    assert!(html.contains("first line from the example"));
    assert_eq!((r.count("ran"), r.count("cached")), (0, 1), "{r:?}");

    // A markdown-only edit: the prose changes, the program is not run again.
    f.write("src/day-1-demo.md", &PAGE.replace("PROSE", "Edited prose."));
    let (r, html) = f.build(false);
    assert!(html.contains("Edited prose.") && html.contains("first line from the example"));
    assert_eq!((r.count("ran"), r.count("cached")), (0, 1), "{r:?}");

    // A line added to the chapter's example: the cache must not answer; the page shows it.
    f.write(
        "chapters/demo/examples/hello.rs",
        &EXAMPLE.replace(
            "}\n",
            "    println!(\"a line added while the book was cached\");\n}\n",
        ),
    );
    let (r, html) = f.build(false);
    cmdrun_ok(&html);
    assert!(
        html.contains("a line added while the book was cached"),
        "stale page:\n{html}"
    );
    assert_eq!((r.count("ran"), r.count("cached")), (1, 0), "{r:?}");

    // A change to a fixture file of the chapter (not code) also re-runs it.
    f.write("chapters/demo/fixtures/data.txt", "new data\n");
    let (r, _) = f.build(false);
    assert_eq!(r.count("ran"), 1, "{r:?}");

    // --fresh runs it even though nothing changed.
    let (r, _) = f.build(true);
    assert_eq!((r.count("ran"), r.count("cached")), (1, 0), "{r:?}");
}

#[test]
fn a_failing_program_is_never_cached() {
    let f = Fixture::new("fail");
    f.write(
        "chapters/demo/examples/hello.rs",
        "fn main() { std::process::exit(3); }\n",
    );
    for _ in 0..2 {
        // mdBook itself succeeds (cmdrun pastes an error into the page); xtask's site
        // check is what fails such a build. Here: the program ran and failed both times.
        let r = render::build(&f.book(), &options(false)).expect("mdbook runs");
        assert_eq!((r.count("failed"), r.count("cached")), (1, 0), "{r:?}");
        let html =
            fs::read_to_string(render::built_page(&f.root, "day-1-demo.md")).expect("built page");
        assert!(html.contains("cmdrun error"));
    }
}
