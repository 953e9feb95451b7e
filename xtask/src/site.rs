//! Checks on the built HTML site (`book/`): what only the real mdBook + cmdrun build shows.

use std::path::{Path, PathBuf};

use crate::Problem;
use crate::book::Book;

/// Every `.html` file under `dir`, sorted.
pub fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Check a built site: every linked page exists, no page contains a `cmdrun error`, and
/// every relative link and asset reference resolves to a file.
pub fn check_site(book: &Book, site: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    for e in &book.summary {
        if let Some(rel) = e.path.as_deref() {
            let html = site.join(Path::new(rel).with_extension("html"));
            if !html.is_file() {
                problems.push(Problem::new(
                    &html,
                    None,
                    format!("SUMMARY links `{rel}` but the build produced no page for it"),
                ));
            }
        }
    }
    for file in html_files(site) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let shown = file.strip_prefix(site).unwrap_or(&file);
        for (i, line) in text.lines().enumerate() {
            if line.contains("cmdrun error") {
                problems.push(Problem::new(
                    Path::new("book").join(shown),
                    Some(i + 1),
                    format!(
                        "a page program failed during the build: {}",
                        strip_tags(line).trim()
                    ),
                ));
            }
        }
        for target in links(&text) {
            if let Some(missing) = unresolved(site, &file, &target) {
                problems.push(Problem::new(
                    Path::new("book").join(shown),
                    None,
                    format!(
                        "broken internal link `{target}` (no file {})",
                        missing.display()
                    ),
                ));
            }
        }
    }
    problems
}

/// `href` and `src` attribute values in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

/// For a relative link, the missing file it points at (if it is missing).
fn unresolved(site: &Path, from: &Path, target: &str) -> Option<PathBuf> {
    let lower = target.to_ascii_lowercase();
    let external = [
        "http:",
        "https:",
        "mailto:",
        "javascript:",
        "data:",
        "//",
        "#",
        "{",
    ];
    if target.is_empty() || external.iter().any(|p| lower.starts_with(p)) {
        return None;
    }
    let path = target.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    let base = if path.starts_with('/') {
        site.to_path_buf()
    } else {
        from.parent()?.to_path_buf()
    };
    let resolved = base.join(path.trim_start_matches('/'));
    let ok = resolved.exists() || (resolved.is_dir() && resolved.join("index.html").exists());
    (!ok).then_some(resolved)
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_and_ignores_external() {
        let l = links(r#"<a href="a.html#x">a</a><img src="img/p.png"><a href="https://x">"#);
        assert_eq!(l, vec!["a.html#x", "https://x", "img/p.png"]);
        assert_eq!(
            unresolved(Path::new("/nope"), Path::new("/nope/i.html"), "https://x"),
            None
        );
        assert_eq!(
            unresolved(Path::new("/nope"), Path::new("/nope/i.html"), "#top"),
            None
        );
        assert!(unresolved(Path::new("/nope"), Path::new("/nope/i.html"), "gone.html#x").is_some());
    }
}
