//! The book's sources as data: SUMMARY entries, chapter pages and their `cmdrun` directives.

use std::path::{Path, PathBuf};

use crate::Problem;

/// One line of `SUMMARY.md` that links (or will link) a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryEntry {
    /// The link text, e.g. `Day 10 — TimSort`.
    pub title: String,
    /// The page path relative to `src/`, or `None` for a draft entry (`[Title]()`).
    pub path: Option<String>,
    /// 1-based line in `SUMMARY.md`.
    pub line: usize,
}

impl SummaryEntry {
    /// The day number in a title such as `Day 10 — TimSort`.
    pub fn day(&self) -> Option<u32> {
        day_in_title(&self.title)
    }
}

/// The number after a leading `Day ` in a title.
pub fn day_in_title(title: &str) -> Option<u32> {
    let rest = title.trim().strip_prefix("Day ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A chapter page's name split into its parts: `day-10-timsort.md` → (10, `timsort`).
pub fn parse_page_name(file_name: &str) -> Option<(u32, String)> {
    let stem = file_name.strip_suffix(".md")?.strip_prefix("day-")?;
    let (day, slug) = stem.split_once('-')?;
    let day = day.parse().ok()?;
    (!slug.is_empty()).then(|| (day, slug.to_string()))
}

/// One `<!-- cmdrun … -->` directive in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The page, relative to the book root (e.g. `src/day-10-timsort.md`).
    pub page: PathBuf,
    /// 1-based line of the directive.
    pub line: usize,
    /// 1-based position among the page's directives (names its snapshot).
    pub index: usize,
    /// Everything after `cmdrun`, flags included, trimmed.
    pub raw: String,
    /// The shell command cmdrun will run (flags removed).
    pub command: String,
    /// Whether the directive carries `-0` (fail on non-zero exit).
    pub zero: bool,
    /// Whether the directive sits alone inside a fenced code block.
    pub fenced: bool,
    /// Whether the page marks it `<!-- measured -->` (wall-clock output).
    pub measured: bool,
}

/// A markdown page of the book.
#[derive(Debug, Clone)]
pub struct Page {
    /// Relative to the book root, e.g. `src/day-10-timsort.md`.
    pub path: PathBuf,
    /// The page's text.
    pub text: String,
}

impl Page {
    /// The `cmdrun` directives in this page, in order.
    pub fn directives(&self) -> Vec<Directive> {
        let lines: Vec<&str> = self.text.lines().collect();
        let mut out = Vec::new();
        let mut in_fence = false;
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim();
            if t.starts_with("```") || t.starts_with("~~~") {
                in_fence = !in_fence;
                continue;
            }
            let Some(body) = t
                .strip_prefix("<!--")
                .and_then(|b| b.trim_start().strip_prefix("cmdrun"))
            else {
                continue;
            };
            let raw = body.trim().trim_end_matches("-->").trim().to_string();
            let (zero, command) = split_flags(&raw);
            let prev_fence = i > 0 && is_fence(lines[i - 1]);
            let next_fence = lines.get(i + 1).is_some_and(|l| is_fence(l));
            let fenced = in_fence && prev_fence && next_fence;
            let marker_line = if in_fence && i >= 2 {
                i - 2
            } else {
                i.saturating_sub(1)
            };
            let measured = i > 0
                && lines
                    .get(marker_line)
                    .is_some_and(|l| l.trim() == "<!-- measured -->");
            out.push(Directive {
                page: self.path.clone(),
                line: i + 1,
                index: out.len() + 1,
                raw,
                command,
                zero,
                fenced,
                measured,
            });
        }
        out
    }

    /// The page's headings as `(level, text, 1-based line)`, outside code fences.
    pub fn headings(&self) -> Vec<(usize, String, usize)> {
        let mut out = Vec::new();
        let mut in_fence = false;
        for (i, line) in self.text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                in_fence = !in_fence;
                continue;
            }
            if in_fence {
                continue;
            }
            let level = t.chars().take_while(|&c| c == '#').count();
            if (1..=6).contains(&level) && t[level..].starts_with(' ') {
                out.push((level, t[level..].trim().to_string(), i + 1));
            }
        }
        out
    }

    /// The `## name` section: the 1-based line of its heading and its lines, up to the
    /// next `##` heading or the end of the page.
    pub fn section(&self, name: &str) -> Option<(usize, Vec<&str>)> {
        let h2: Vec<(String, usize)> = self
            .headings()
            .into_iter()
            .filter(|(level, _, _)| *level == 2)
            .map(|(_, text, line)| (text, line))
            .collect();
        let start = h2.iter().find(|(t, _)| t == name)?.1;
        let end = h2
            .iter()
            .map(|(_, l)| *l)
            .find(|&l| l > start)
            .unwrap_or(usize::MAX);
        let lines: Vec<&str> = self.text.lines().collect();
        Some((
            start,
            lines[start.min(lines.len())..(end - 1).min(lines.len())].to_vec(),
        ))
    }
}

fn is_fence(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("```") || t.starts_with("~~~")
}

/// Split cmdrun's leading flags from the command: returns (has `-0`, command).
fn split_flags(raw: &str) -> (bool, String) {
    let mut zero = false;
    let mut rest = raw.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("-0 ") {
            zero = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("--strict ") {
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("--expect-return-code ") {
            let r = r.trim_start();
            rest = r.split_once(' ').map_or("", |(_, tail)| tail).trim_start();
        } else {
            break;
        }
    }
    (zero, rest.to_string())
}

/// A book on disk: its root (where `book.toml` is), `src/` and `SUMMARY.md`.
#[derive(Debug, Clone)]
pub struct Book {
    /// The repository root holding `book.toml`, `src/`, `chapters/`.
    pub root: PathBuf,
    /// Entries of `src/SUMMARY.md`, in order.
    pub summary: Vec<SummaryEntry>,
}

impl Book {
    /// Read `root/src/SUMMARY.md`.
    pub fn load(root: &Path) -> Result<Self, Problem> {
        let summary_path = root.join("src/SUMMARY.md");
        let text = std::fs::read_to_string(&summary_path)
            .map_err(|e| Problem::new("src/SUMMARY.md", None, format!("cannot read: {e}")))?;
        Ok(Self {
            root: root.to_path_buf(),
            summary: parse_summary(&text),
        })
    }

    /// Read a page by its path relative to `src/`.
    pub fn page(&self, rel: &str) -> Result<Page, Problem> {
        let path = Path::new("src").join(rel);
        std::fs::read_to_string(self.root.join(&path))
            .map(|text| Page {
                path: path.clone(),
                text,
            })
            .map_err(|e| Problem::new(&path, None, format!("cannot read page: {e}")))
    }

    /// Every `src/day-*.md` file on disk, sorted by name.
    pub fn chapter_files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.root.join("src"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| parse_page_name(n).is_some())
            .collect();
        v.sort();
        v
    }

    /// Every crate folder under `chapters/` (those holding a `Cargo.toml`), sorted.
    pub fn chapter_crates(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.root.join("chapters"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join("Cargo.toml").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        v.sort();
        v
    }

    /// Every page SUMMARY links (drafts excluded), loaded.
    pub fn linked_pages(&self) -> Result<Vec<Page>, Problem> {
        self.summary
            .iter()
            .filter_map(|e| e.path.as_deref())
            .map(|p| self.page(p))
            .collect()
    }

    /// Every directive in every linked page.
    pub fn directives(&self) -> Result<Vec<Directive>, Problem> {
        Ok(self
            .linked_pages()?
            .iter()
            .flat_map(Page::directives)
            .collect())
    }
}

/// Parse the link lines of a `SUMMARY.md`.
pub fn parse_summary(text: &str) -> Vec<SummaryEntry> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line
            .trim_start()
            .trim_start_matches(['-', '*'])
            .trim_start();
        let Some(rest) = t.strip_prefix('[') else {
            continue;
        };
        let Some((title, tail)) = rest.split_once("](") else {
            continue;
        };
        let Some((path, _)) = tail.split_once(')') else {
            continue;
        };
        out.push(SummaryEntry {
            title: title.to_string(),
            path: (!path.trim().is_empty()).then(|| path.trim().to_string()),
            line: i + 1,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_entries_and_drafts() {
        let s = parse_summary(
            "# Summary\n\n[Introduction](introduction.md)\n\n- [Day 2 — Cloud drift]()\n- [Day 10 — TimSort](day-10-timsort.md)\n",
        );
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].path, None);
        assert_eq!(s[1].day(), Some(2));
        assert_eq!(s[2].path.as_deref(), Some("day-10-timsort.md"));
        assert_eq!(s[2].line, 6);
        assert_eq!(s[0].day(), None);
    }

    #[test]
    fn page_names() {
        assert_eq!(
            parse_page_name("day-10-timsort.md"),
            Some((10, "timsort".into()))
        );
        assert_eq!(parse_page_name("day-x-timsort.md"), None);
        assert_eq!(parse_page_name("introduction.md"), None);
    }

    #[test]
    fn directives_fenced_flags_and_measured() {
        let page = Page {
            path: "src/p.md".into(),
            text: "a\n```text\n<!-- cmdrun -0 echo hi -->\n```\n<!-- cmdrun echo raw -->\n<!-- measured -->\n```text\n<!-- cmdrun -0 date -->\n```\n"
                .into(),
        };
        let d = page.directives();
        assert_eq!(d.len(), 3);
        assert!(d[0].fenced && d[0].zero && !d[0].measured);
        assert_eq!(d[0].command, "echo hi");
        assert_eq!(d[0].line, 3);
        assert!(!d[1].fenced && !d[1].zero);
        assert!(d[2].measured && d[2].fenced);
        assert_eq!(d[2].index, 3);
    }
}
