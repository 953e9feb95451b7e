//! The two closing sections of a chapter page, checked so that neither can drift:
//!
//! - `## Check yourself`: 3–5 questions, each a `<details>` whose `<summary>` asks and whose
//!   body answers. Every answer quotes the page's own program output as inline code, and each
//!   quote must be a verbatim piece of one of the page's snapshots (which the book test keeps
//!   equal to what the programs print). A quiz therefore cannot state a figure or an outcome
//!   the crate does not produce. A quote may drop a table's `|` borders and column padding:
//!   `network 33 0` quotes the row `| network   |   33 |    0 |`.
//! - `## Sources`: at least three linked primary sources (`- [title](https://…) — what for`).

use std::path::Path;

use crate::Problem;
use crate::book::Page;
use crate::check::snapshot_path;

/// How many questions a `Check yourself` section holds.
pub const QUESTIONS: std::ops::RangeInclusive<usize> = 3..=5;

/// How many linked sources a `Sources` section lists, at least.
pub const MIN_SOURCES: usize = 3;

/// One question of a `Check yourself` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// 1-based line of its `<details>`.
    pub line: usize,
    /// The question (the `<summary>` text).
    pub ask: String,
    /// The answer's inline code spans: the output it quotes.
    pub quotes: Vec<String>,
}

/// Inline code spans of a markdown text (CommonMark: a run of N backticks up to the next run
/// of exactly N; one leading and trailing space is stripped when both are there).
pub fn code_spans(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let run = |i: usize| b[i..].iter().take_while(|&&c| c == b'`').count();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let n = run(i);
        let open_end = i + n;
        let mut j = open_end;
        let mut close = None;
        while j < b.len() {
            if b[j] == b'`' {
                let m = run(j);
                if m == n {
                    close = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(c) => {
                let mut s = &text[open_end..c];
                if s.len() >= 2 && s.starts_with(' ') && s.ends_with(' ') && s.trim() != "" {
                    s = &s[1..s.len() - 1];
                }
                out.push(s.to_string());
                i = c + n;
            }
            None => i = open_end,
        }
    }
    out
}

/// Text as words: `|` table borders and runs of whitespace become single spaces.
fn words(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '|')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `output` prints `quote`: verbatim, or word for word (whole words, ignoring table
/// borders and column padding).
pub fn quotes_output(quote: &str, output: &str) -> bool {
    if quote.trim().is_empty() || quote.contains('\n') {
        return false;
    }
    output.contains(quote)
        || format!(" {} ", words(output)).contains(&format!(" {} ", words(quote)))
}

/// The questions of a `Check yourself` body, or what is malformed about it. `first` is the
/// 1-based line of the body's first line.
pub fn questions(body: &[&str], first: usize) -> Result<Vec<Question>, Vec<(usize, String)>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if body[i].trim() != "<details>" {
            i += 1;
            continue;
        }
        let line = first + i;
        let Some(len) = body[i..].iter().position(|l| l.trim() == "</details>") else {
            errors.push((line, "`<details>` without a closing `</details>`".into()));
            break;
        };
        let block = &body[i + 1..i + len];
        i += len + 1;
        let Some(summary) = block.first().map(|l| l.trim()) else {
            errors.push((line, "an empty `<details>`".into()));
            continue;
        };
        let Some(ask) = summary
            .strip_prefix("<summary>")
            .and_then(|s| s.strip_suffix("</summary>"))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            errors.push((
                line + 1,
                "a question starts with `<summary>the question</summary>` on one line".into(),
            ));
            continue;
        };
        if block.get(1).is_none_or(|l| !l.trim().is_empty()) {
            errors.push((
                line + 2,
                "leave a blank line after `</summary>`, or mdBook shows the answer's markdown raw"
                    .into(),
            ));
        }
        let answer = block[1..].join("\n");
        if answer.trim().is_empty() {
            errors.push((line, format!("question `{ask}` has no answer")));
            continue;
        }
        let quotes = code_spans(&answer);
        if quotes.is_empty() {
            errors.push((
                line,
                format!("the answer to `{ask}` quotes no program output (put the figure or outcome it rests on in `inline code`, verbatim from the page's output)"),
            ));
        }
        out.push(Question {
            line,
            ask: ask.to_string(),
            quotes,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The link targets of the list items of a `Sources` body, with their lines.
fn source_links(body: &[&str], first: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (k, l) in body.iter().enumerate() {
        let t = l.trim_start();
        if !(t.starts_with("- ") || t.starts_with("* ")) {
            continue;
        }
        let mut rest = t;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push((first + k, after[..end].to_string()));
            rest = &after[end..];
        }
    }
    out
}

/// Check a chapter page's `Check yourself` and `Sources` sections (their presence and order
/// are the template check's job). Quotes are looked up in the page's snapshots under `root`,
/// measured blocks excepted (their numbers are masked); a page with no snapshot yet has its
/// quotes checked once it is blessed.
pub fn check(root: &Path, page: &Page) -> Vec<Problem> {
    let mut problems = Vec::new();
    let p = |line, msg: String| Problem::new(&page.path, Some(line), msg);

    if let Some((start, body)) = page.section("Check yourself") {
        let outputs: Vec<String> = page
            .directives()
            .iter()
            .filter(|d| !d.measured)
            .filter_map(|d| std::fs::read_to_string(snapshot_path(root, d)).ok())
            .collect();
        match questions(&body, start + 1) {
            Err(errors) => problems.extend(errors.into_iter().map(|(l, m)| p(l, m))),
            // Before the first bless there is nothing to quote from; the outputs check
            // reports the missing snapshots.
            Ok(_) if outputs.is_empty() => {}
            Ok(qs) => {
                if !QUESTIONS.contains(&qs.len()) {
                    problems.push(p(
                        start,
                        format!(
                            "`Check yourself` has {} question(s); write {} to {}, each a `<details>` block",
                            qs.len(),
                            QUESTIONS.start(),
                            QUESTIONS.end()
                        ),
                    ));
                }
                for q in &qs {
                    for quote in &q.quotes {
                        if !outputs.iter().any(|o| quotes_output(quote, o)) {
                            problems.push(p(
                                q.line,
                                format!("the answer to `{}` quotes `{quote}`, which none of this page's program outputs print (tests/snapshots/{}.*.txt); quote the output verbatim (table borders and padding may be dropped), or write the words as plain text", q.ask, page.path.file_stem().and_then(|s| s.to_str()).unwrap_or("page")),
                            ));
                        }
                    }
                }
            }
        }
    }

    if let Some((start, body)) = page.section("Sources") {
        let links = source_links(&body, start + 1);
        for (line, url) in &links {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                problems.push(p(
                    *line,
                    format!("source `{url}` is not a web address (link the primary source itself)"),
                ));
            }
        }
        if links.len() < MIN_SOURCES {
            problems.push(p(
                start,
                format!(
                    "`Sources` lists {} linked source(s); list at least {MIN_SOURCES} as `- [title](https://…) — what the page takes from it`",
                    links.len()
                ),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_follow_commonmark_runs() {
        assert_eq!(code_spans("a `x` b ``y`z`` c"), ["x", "y`z"]);
        assert_eq!(code_spans("`` `tick` ``"), ["`tick`"]);
        assert_eq!(code_spans("unclosed ` here"), Vec::<String>::new());
    }

    #[test]
    fn quotes_match_verbatim_or_word_for_word() {
        let out = "| network   |   33 |    0 |\n| compute |  5 | 1 |\n";
        assert!(quotes_output("|   33 |", out));
        assert!(quotes_output("network 33 0", out));
        assert!(
            quotes_output("33 0 compute", out),
            "rows are words in order"
        );
        assert!(!quotes_output("network 3", out), "whole words only");
        assert!(!quotes_output("network 34 0", out));
        assert!(!quotes_output("", out));
    }

    #[test]
    fn questions_are_read_and_malformed_ones_named() {
        let body = "\n<details>\n<summary>1. Why?</summary>\n\nBecause `p95 19`.\n\n</details>\n";
        let lines: Vec<&str> = body.lines().collect();
        let qs = questions(&lines, 10).unwrap();
        assert_eq!(qs.len(), 1);
        assert_eq!((qs[0].line, qs[0].ask.as_str()), (11, "1. Why?"));
        assert_eq!(qs[0].quotes, ["p95 19"]);

        for (bad, says) in [
            (
                "<details>\n<summary>Q?</summary>\nNo gap `x`.\n</details>",
                "blank line",
            ),
            (
                "<details>\n<summary>Q?</summary>\n\nNo quote.\n</details>",
                "quotes no program output",
            ),
            ("<details>\nQ?\n\nA `x`.\n</details>", "<summary>"),
            ("<details>\n<summary>Q?</summary>\n\nA `x`.", "closing"),
        ] {
            let lines: Vec<&str> = bad.lines().collect();
            let errs = questions(&lines, 1).unwrap_err();
            assert!(
                errs.iter().any(|(_, m)| m.contains(says)),
                "{bad:?}: {errs:?}"
            );
        }
    }

    #[test]
    fn quotes_must_be_in_the_pages_output_and_sources_linked() {
        let root = std::env::temp_dir().join(format!("xtask-quiz-{}", std::process::id()));
        std::fs::create_dir_all(root.join("tests/snapshots")).unwrap();
        std::fs::write(
            root.join("tests/snapshots/day-1-x.01.txt"),
            "p95 = 19th value\n",
        )
        .unwrap();
        let q = |quote: &str| {
            format!("<details>\n<summary>Q?</summary>\n\nIt is `{quote}`.\n\n</details>\n")
        };
        let page = |quiz: String, sources: &str| Page {
            path: "src/day-1-x.md".into(),
            text: format!(
                "# Day 1 — X\n\n## The example, in Rust\n\n```text\n<!-- cmdrun -0 true -->\n```\n\n## Check yourself\n\n{quiz}\n## Sources\n\n{sources}"
            ),
        };
        let good_sources = "- [A](https://a.example) — a\n- [B](https://b.example) — b\n- [C](http://c.example) — c\n";
        let good = page(q("19th value").repeat(3), good_sources);
        assert_eq!(check(&root, &good), Vec::new());

        let made_up = check(&root, &page(q("20th value").repeat(3), good_sources));
        assert_eq!(made_up.len(), 3, "{made_up:?}");
        assert!(made_up[0].message.contains("`20th value`"));

        let two = check(&root, &page(q("19th value").repeat(2), good_sources));
        assert!(two[0].message.contains("2 question(s)"), "{two:?}");

        let few = check(
            &root,
            &page(
                q("19th value").repeat(3),
                "- [A](https://a.example)\n- [B](b.md)\n",
            ),
        );
        assert!(
            few.iter().any(|p| p.message.contains("not a web address")),
            "{few:?}"
        );
        assert!(
            few.iter().any(|p| p.message.contains("2 linked source(s)")),
            "{few:?}"
        );
        std::fs::remove_dir_all(&root).ok();
    }
}
