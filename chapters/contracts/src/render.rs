//! Text output of the suite, for a page column (lines of at most 80 characters).

use crate::suite::{PromiseResult, SuiteReport};

/// Word-wrap `text` to `width` columns, prefixing continuation lines with `indent`.
pub fn wrap(text: &str, width: usize, first: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = first.trim_end().to_string();
    let mut empty = line.trim().is_empty();
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// `✓` or `✗`.
pub fn mark(holds: bool) -> &'static str {
    if holds { "✓" } else { "✗" }
}

/// One promise as text: verdict, name and statement; for a broken one, the shrunk
/// counterexample and what the server answered.
pub fn promise_text(p: &PromiseResult) -> String {
    let mut out = wrap(
        &format!("{} — {}", p.id, p.statement),
        78,
        &format!("{} ", mark(p.holds)),
        "    ",
    );
    if let Some(c) = &p.counterexample {
        out.push_str(&wrap(c, 78, "    counterexample:", "      "));
    }
    if let Some(o) = &p.observed {
        out.push_str(&wrap(o, 78, "    observed:", "      "));
    }
    out
}

/// The whole report: one block per promise, then a verdict line.
pub fn suite_text(report: &SuiteReport) -> String {
    let mut out = String::new();
    for p in &report.promises {
        out.push_str(&promise_text(p));
    }
    let broken = report.broken().count();
    if broken == 0 {
        out.push_str(&format!(
            "semantic contract: all {} promises hold\n",
            report.promises.len()
        ));
    } else {
        out.push_str(&format!(
            "semantic contract: {broken} of {} promises broken\n",
            report.promises.len()
        ));
    }
    out
}
