//! The book's checks: template and consistency on the sources, then every page program
//! run the way mdbook-cmdrun runs it and compared with its snapshot.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Problem;
use crate::book::{Book, Directive, Page, parse_page_name};

/// The level-2 sections every chapter page has, in this order (after `# Day N — Title`).
pub const TEMPLATE_SECTIONS: [&str; 8] = [
    "Key concepts",
    "The example, in Rust",
    "What the output shows",
    "Run it yourself",
    "Instructor notes",
    "Going further",
    "Check yourself",
    "Sources",
];

/// The Rust identifier of a chapter crate: `cloud-drift` → `cloud_drift`.
pub fn crate_ident(slug: &str) -> String {
    slug.replace('-', "_")
}

/// Template and consistency checks on the sources. Runs nothing.
pub fn check_sources(book: &Book) -> Vec<Problem> {
    let mut problems = Vec::new();
    let summary = Path::new("src/SUMMARY.md");

    // SUMMARY: days ascending and unique.
    let mut last_day = 0;
    for e in &book.summary {
        if let Some(day) = e.day() {
            if day <= last_day {
                problems.push(Problem::new(
                    summary,
                    Some(e.line),
                    format!(
                        "`{}` is out of day order (after day {last_day}); days must ascend",
                        e.title
                    ),
                ));
            }
            last_day = last_day.max(day);
        }
    }

    let workbook_rs = std::fs::read_to_string(book.root.join("workbook.rs")).unwrap_or_default();
    let root_manifest = std::fs::read_to_string(book.root.join("Cargo.toml")).unwrap_or_default();
    let mut linked_slugs = Vec::new();
    for e in &book.summary {
        let Some(rel) = e.path.as_deref() else {
            continue;
        };
        let page = match book.page(rel) {
            Ok(p) => p,
            Err(mut p) => {
                p.line = None;
                p.message = format!(
                    "SUMMARY line {} links `{rel}`, which does not exist",
                    e.line
                );
                problems.push(p);
                continue;
            }
        };
        let Some((day, slug)) = parse_page_name(rel) else {
            continue;
        };
        if e.day() != Some(day) {
            problems.push(Problem::new(
                summary,
                Some(e.line),
                format!(
                    "title `{}` does not match the page's day {day} (`{rel}`)",
                    e.title
                ),
            ));
        }
        let ident = crate_ident(&slug);
        if !book
            .root
            .join("chapters")
            .join(&slug)
            .join("Cargo.toml")
            .is_file()
        {
            problems.push(Problem::new(
                &page.path,
                None,
                format!("no chapter crate at chapters/{slug}/"),
            ));
        }
        if !workbook_rs
            .lines()
            .any(|l| l.trim().starts_with(&format!("pub use {ident};")))
        {
            problems.push(Problem::new(
                "workbook.rs",
                None,
                format!("chapter `{slug}` is not re-exported (add `pub use {ident};`)"),
            ));
        }
        if !root_manifest.lines().any(|l| {
            l.trim_start()
                .starts_with(&format!("{slug} = {{ path = \"chapters/{slug}\""))
        }) {
            problems.push(Problem::new(
                "Cargo.toml",
                None,
                format!("the root package does not depend on chapter `{slug}` (add `{slug} = {{ path = \"chapters/{slug}\" }}`)"),
            ));
        }
        problems.extend(check_template(&page, day, &e.title));
        problems.extend(crate::quiz::check(&book.root, &page));
        problems.extend(check_try_it(book, &page, &slug));
        linked_slugs.push(slug);
    }

    // The freeze cache keys a chapter's programs by its own folder plus the shared
    // inputs: a path dependency on anything else would let a page go stale.
    for (slug, target) in crate::freeze::chapter_path_dependencies(&book.root).unwrap_or_default() {
        problems.push(Problem::new(
            Path::new("chapters").join(&slug).join("Cargo.toml"),
            None,
            format!("path dependency `{target}`: a chapter may depend on `kit` and `workspace-hack` only (cross-chapter programs go in the top-level `examples/`)"),
        ));
    }
    if book.root.join("workspace-hack/Cargo.toml").is_file() {
        for slug in book.chapter_crates() {
            let manifest = Path::new("chapters").join(&slug).join("Cargo.toml");
            let text = std::fs::read_to_string(book.root.join(&manifest)).unwrap_or_default();
            if !text
                .lines()
                .any(|l| l.trim() == "workspace-hack.workspace = true")
            {
                problems.push(Problem::new(
                    manifest,
                    None,
                    "missing `workspace-hack.workspace = true` under [dependencies]: without it `cargo run -p` builds this chapter's dependencies with other features, compiling them again (`cargo hakari manage-deps` adds it)",
                ));
            }
        }
    }

    for file in book.chapter_files() {
        if !book
            .summary
            .iter()
            .any(|e| e.path.as_deref() == Some(file.as_str()))
        {
            problems.push(Problem::new(
                Path::new("src").join(&file),
                None,
                "chapter page is not linked from SUMMARY.md",
            ));
        }
    }
    for slug in book.chapter_crates() {
        if !linked_slugs.contains(&slug) {
            problems.push(Problem::new(
                Path::new("chapters").join(&slug),
                None,
                format!("chapter crate has no page linked from SUMMARY.md (expected src/day-<N>-{slug}.md)"),
            ));
        }
    }
    problems
}

/// Check one chapter page against the template.
pub fn check_template(page: &Page, day: u32, summary_title: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let p = |line, msg: String| Problem::new(&page.path, line, msg);
    let headings = page.headings();
    match headings.first() {
        Some((1, text, _)) if text == summary_title => {}
        Some((1, text, line)) => problems.push(p(
            Some(*line),
            format!("title `# {text}` differs from SUMMARY's `{summary_title}`"),
        )),
        _ => problems.push(p(
            Some(1),
            format!("page must start with `# Day {day} — <title>`"),
        )),
    }
    let h2: Vec<(&str, usize)> = headings
        .iter()
        .filter(|(l, _, _)| *l == 2)
        .map(|(_, t, line)| (t.as_str(), *line))
        .collect();
    let names: Vec<&str> = h2.iter().map(|(t, _)| *t).collect();
    for want in TEMPLATE_SECTIONS {
        if !names.contains(&want) {
            problems.push(p(None, format!("missing section `## {want}`")));
        }
    }
    if names.iter().all(|n| TEMPLATE_SECTIONS.contains(n)) {
        let order: Vec<usize> = names
            .iter()
            .filter_map(|n| TEMPLATE_SECTIONS.iter().position(|s| s == n))
            .collect();
        if order.windows(2).any(|w| w[0] >= w[1]) {
            problems.push(p(
                None,
                format!(
                    "sections out of order; the template is: {}",
                    TEMPLATE_SECTIONS.join(" → ")
                ),
            ));
        }
    } else {
        for (name, line) in &h2 {
            if !TEMPLATE_SECTIONS.contains(name) {
                problems.push(p(
                    Some(*line),
                    format!("unexpected section `## {name}` (use `###` inside a template section)"),
                ));
            }
        }
    }

    let directives = page.directives();
    if let Some((s, body)) = page.section("The example, in Rust")
        && !directives
            .iter()
            .any(|d| d.line > s && d.line <= s + body.len())
    {
        problems.push(p(
            Some(s),
            "`The example, in Rust` runs no program (add a `<!-- cmdrun -0 … -->` block)".into(),
        ));
    }
    if let Some((s, body)) = page.section("Instructor notes")
        && !body.join("\n").contains("<details>")
    {
        problems.push(p(
            Some(s),
            "instructor notes must sit in a collapsible `<details>`".into(),
        ));
    }
    if let Some((s, body)) = page.section("Run it yourself")
        && !body.join("\n").contains("cargo run")
    {
        problems.push(p(
            Some(s),
            "`Run it yourself` must give the exact `cargo run` command".into(),
        ));
    }
    for d in &directives {
        if !d.zero {
            problems.push(p(
                Some(d.line),
                format!("cmdrun directive without `-0`: a failing program would be pasted silently (`{}`)", d.raw),
            ));
        }
    }
    problems
}

/// Where the snapshot of a directive lives: `tests/snapshots/<page-stem>.<NN>.txt`.
pub fn snapshot_path(root: &Path, d: &Directive) -> PathBuf {
    let stem = d
        .page
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("page");
    root.join("tests/snapshots")
        .join(format!("{stem}.{:02}.txt", d.index))
}

/// What a directive printed.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output: what cmdrun pastes into the page.
    pub stdout: String,
    /// Standard error: what cmdrun drops (cargo's chatter, error messages).
    pub stderr: String,
}

/// Run a directive exactly as mdbook-cmdrun 0.7.3 does: `sh -c CMD` from the page's folder,
/// with the pinned Python tools' folder first on `PATH` when they are installed (as
/// `cargo xtask build` has them).
pub fn run_directive(root: &Path, d: &Directive) -> std::io::Result<Output> {
    let dir = root.join(d.page.parent().unwrap_or(Path::new("src")));
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&d.command).current_dir(dir);
    if crate::tools::python_installed()
        && let Ok(path) = crate::tools::path_with(&[crate::tools::python_bin()])
    {
        cmd.env("PATH", path);
    }
    let out = cmd.output()?;
    Ok(Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Replace every number with `#` and fold runs of spaces and of `-` (table padding that
/// depends on how many digits a number had), so a measured block's snapshot checks its
/// shape — labels, rows, columns — not its values.
pub fn mask_numbers(s: &str) -> String {
    let masked = mask_digits(s);
    let mut out = String::with_capacity(masked.len());
    let mut prev = '\0';
    for c in masked.chars() {
        if (c == ' ' || c == '-') && c == prev {
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

fn mask_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|&n| n.is_ascii_digit() || n == '.' || n == ',')
            {
                chars.next();
            }
            out.push('#');
        } else {
            out.push(c);
        }
    }
    out
}

/// Check one directive's output (exit code, content, fencing) and its snapshot.
pub fn check_output(root: &Path, d: &Directive, out: &Output, bless: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    let p = |msg: String| Problem::new(&d.page, Some(d.line), msg);
    if out.code != Some(0) {
        let tail: Vec<&str> = out
            .stderr
            .lines()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        problems.push(p(format!(
            "`{}` exited with {:?} (cmdrun would paste a `cmdrun error` into the page); stderr:\n      {}",
            d.command,
            out.code,
            tail.join("\n      ")
        )));
        return problems;
    }
    if out.stdout.trim().is_empty() {
        problems.push(p(format!("`{}` printed nothing", d.command)));
        return problems;
    }
    if out.stdout.contains("cmdrun error") {
        problems.push(p(format!("`{}` output contains `cmdrun error`", d.command)));
    }
    if !d.fenced {
        let t = out.stdout.trim();
        let one_svg = single_svg(t);
        // a Try it block (`kit::tryit::html`): a form and the build-time output in a <pre>
        let try_it = t.starts_with("<div class=\"tryit\"") && t.ends_with("</div>");
        if !(one_svg || try_it) || t.to_ascii_lowercase().contains("<script") {
            problems.push(p(format!(
                "`{}` is not inside a code fence, so its output is pasted as HTML; put it in a ```text fence (only a single <svg> or a Try it block, without scripts, may stand unfenced)",
                d.command
            )));
        }
    }
    let text = if d.measured {
        mask_numbers(&out.stdout)
    } else {
        out.stdout.clone()
    };
    if let Err(e) = kit::snapshot::check_with(&snapshot_path(root, d), &text, bless) {
        problems.push(p(format!("`{}`: {e}", d.command)));
    }
    problems
}

/// Whether `text` (trimmed) is exactly one `<svg>` element: the one output besides a Try it
/// block that may stand outside a code fence.
fn single_svg(text: &str) -> bool {
    text.starts_with("<svg") && text.ends_with("</svg>") && text.matches("<svg").count() == 1
}

/// Run every directive of the book, check each output and compare it with its snapshot.
pub fn check_outputs(book: &Book, bless: bool) -> Vec<Problem> {
    check_outputs_of(book, None, bless)
}

/// [`check_outputs`] restricted to the page whose file name is `page` (e.g.
/// `day-4-coroutines.md`), when given. Stale snapshots are only looked for on a full run.
pub fn check_outputs_of(book: &Book, page: Option<&str>, bless: bool) -> Vec<Problem> {
    let directives = match book.directives() {
        Ok(d) => d,
        Err(p) => return vec![p],
    };
    let directives: Vec<Directive> = directives
        .into_iter()
        .filter(|d| page.is_none_or(|p| d.page.file_name().is_some_and(|f| f == p)))
        .collect();
    if let Some(p) = page
        && directives.is_empty()
    {
        return vec![Problem::new(
            Path::new("src").join(p),
            None,
            "no such linked page, or it runs no program",
        )];
    }
    let mut problems = Vec::new();
    // day pages in run order, and whether one of their programs drew a picture
    let mut pictured: Vec<(PathBuf, bool)> = Vec::new();
    for d in &directives {
        let out = match run_directive(&book.root, d) {
            Ok(out) => out,
            Err(e) => {
                problems.push(Problem::new(
                    &d.page,
                    Some(d.line),
                    format!("cannot run `sh -c`: {e}"),
                ));
                continue;
            }
        };
        problems.extend(check_output(&book.root, d, &out, bless));
        let is_day = d
            .page
            .file_name()
            .and_then(|f| f.to_str())
            .is_some_and(|f| parse_page_name(f).is_some());
        if is_day {
            let svg = !d.fenced && out.code == Some(0) && single_svg(out.stdout.trim());
            match pictured.iter_mut().find(|(p, _)| *p == d.page) {
                Some((_, seen)) => *seen |= svg,
                None => pictured.push((d.page.clone(), svg)),
            }
        }
    }
    for (page, _) in pictured.iter().filter(|(_, seen)| !seen) {
        problems.push(Problem::new(
            page,
            None,
            "no picture: a day page shows at least one SVG its crate draws from a real run (an unfenced `<!-- cmdrun -0 … -- --svg -->` whose output is one `<svg>`)",
        ));
    }
    let stale = if page.is_none() {
        stale_snapshots(book, &directives)
    } else {
        Vec::new()
    };
    for stale in stale {
        if bless {
            let _ = std::fs::remove_file(book.root.join(&stale.file));
        } else {
            problems.push(stale);
        }
    }
    problems
}

/// Snapshot files that no directive produces any more (a removed block leaves one behind).
fn stale_snapshots(book: &Book, directives: &[Directive]) -> Vec<Problem> {
    let wanted: Vec<PathBuf> = directives
        .iter()
        .map(|d| snapshot_path(&book.root, d))
        .collect();
    let dir = book.root.join("tests/snapshots");
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "txt") && !wanted.contains(&path) {
            stale.push(Problem::new(
                path.strip_prefix(&book.root).unwrap_or(&path),
                None,
                "snapshot no directive produces; delete it (or run `cargo xtask bless`)",
            ));
        }
    }
    stale
}

/// A chapter with a Try it engine (`src/tryit.rs`) has its `try_it` program, shows the
/// block on its page, and is built by the `tryit` crate (its feature, and listed in `all`
/// so the parity test runs it).
fn check_try_it(book: &Book, page: &crate::book::Page, slug: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let dir = book.root.join("chapters").join(slug);
    if !dir.join("src/tryit.rs").is_file() || !book.root.join("tryit/Cargo.toml").is_file() {
        return problems;
    }
    if !dir.join("examples/try_it.rs").is_file() {
        problems.push(Problem::new(
            Path::new("chapters").join(slug).join("src/tryit.rs"),
            None,
            "a Try it engine without `examples/try_it.rs` (the native program with the same knobs)",
        ));
    }
    let wanted = format!("-p {slug} --example try_it -- --html");
    if !page
        .directives()
        .iter()
        .any(|d| d.command.contains(&wanted))
    {
        problems.push(Problem::new(
            &page.path,
            None,
            format!("chapter `{slug}` has a Try it engine but the page does not show it (add `<!-- cmdrun -0 cargo run -q --release {wanted} -->`, unfenced)"),
        ));
    }
    let manifest = std::fs::read_to_string(book.root.join("tryit/Cargo.toml")).unwrap_or_default();
    if !manifest.lines().any(|l| {
        l.trim_start()
            .starts_with(&format!("{slug} = [\"dep:{slug}\"]"))
    }) {
        problems.push(Problem::new(
            "tryit/Cargo.toml",
            None,
            format!("no `{slug}` feature: `cargo xtask wasm` cannot build this chapter's engine"),
        ));
    }
    if !manifest
        .lines()
        .any(|l| l.trim_start().starts_with(&format!("\"{slug}\",")))
    {
        problems.push(Problem::new(
            "tryit/Cargo.toml",
            None,
            format!(
                "`{slug}` is not in the `all` feature, so the parity test (tests/tryit.rs) skips it"
            ),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_numbers_keeps_words() {
        assert_eq!(
            mask_numbers("timsort 1.05× std, 12,345 ms, run 3"),
            "timsort #× std, # ms, run #"
        );
    }

    #[test]
    fn crate_idents() {
        assert_eq!(crate_ident("cloud-drift"), "cloud_drift");
    }
}
