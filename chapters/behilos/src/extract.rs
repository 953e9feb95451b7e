//! Answer extraction: from a model's free text to a set of option letters.
//!
//! Harnesses rarely score the raw text; they first *extract* an answer, and the
//! extractor decides as much of the score as the model does (DROP's scorer once cut
//! numbers at the decimal point). This one tries four layers in order and records which
//! one fired, so a report can tell "the model was wrong" from "we could not read it":
//!
//! 1. [`Layer::BareLetter`] — the whole reply is letters: `D`, `(D)`, `D, E`, `d and e`.
//! 2. [`Layer::AnswerLine`] — the last `Answer: …` / `the answer is …`: its letters, or
//!    failing that the option names on that line.
//! 3. [`Layer::EntityName`] — option names in the last sentence that names any option
//!    (longest name first, so `Summit Pro` is not read as `Summit`).
//! 4. [`Layer::LastOption`] — the last option letter mentioned: `(C)`, `C)`,
//!    `option C`, or a standalone capital `B`–`J` (not `A` or `I`, which are words).
//!
//! If no layer fires, the answer is an *extraction failure*, counted apart from wrong
//! answers.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::item::Item;

/// Which extraction layer produced the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// The reply is nothing but letters.
    BareLetter,
    /// An `Answer: …` line.
    AnswerLine,
    /// Option names in the reply.
    EntityName,
    /// The last option letter mentioned anywhere.
    LastOption,
}

impl Layer {
    /// Every layer, in the order they are tried.
    pub const ALL: [Layer; 4] = [
        Layer::BareLetter,
        Layer::AnswerLine,
        Layer::EntityName,
        Layer::LastOption,
    ];

    /// Short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Layer::BareLetter => "bare",
            Layer::AnswerLine => "answer:",
            Layer::EntityName => "name",
            Layer::LastOption => "last",
        }
    }
}

/// What extraction found: sorted, distinct labels and the layer that fired (`None` and
/// no labels when nothing could be read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extraction {
    /// The extracted option letters.
    pub labels: Vec<char>,
    /// The layer that produced them.
    pub layer: Option<Layer>,
}

impl Extraction {
    fn fired(layer: Layer, labels: BTreeSet<char>) -> Option<Extraction> {
        (!labels.is_empty()).then(|| Extraction {
            labels: labels.into_iter().collect(),
            layer: Some(layer),
        })
    }

    /// Nothing extracted.
    pub fn failed() -> Extraction {
        Extraction {
            labels: Vec::new(),
            layer: None,
        }
    }
}

static ANSWER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\banswer(?:\s+is)?\s*[:=\-]?\s*([^\n]*)").expect("valid regex")
});
static LETTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(?\b([A-J])\b\)?").expect("valid regex"));
static LAST_OPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(([A-J])\)|\b([A-J])\)|(?i:option)\s+([A-J])\b|\b([B-HJ])\b")
        .expect("valid regex")
});

/// The longest reply a program takes on its command line (`seed_item --reply`), the
/// same cap as the page's Try it block: a model's answer to one item, with room to spare.
pub const MAX_REPLY_BYTES: usize = 4000;

/// A clap value parser for a reply typed on the command line: at most
/// [`MAX_REPLY_BYTES`] bytes.
///
/// ```
/// assert!(behilos::extract::reply_arg("Answer: E").is_ok());
/// assert!(behilos::extract::reply_arg(&"x".repeat(4001)).is_err());
/// ```
pub fn reply_arg(s: &str) -> Result<String, String> {
    if s.len() > MAX_REPLY_BYTES {
        Err(format!(
            "{} bytes is longer than the {MAX_REPLY_BYTES} bytes a reply may have",
            s.len()
        ))
    } else {
        Ok(s.to_string())
    }
}

/// Extract the option letters `response` names for `item`.
///
/// ```
/// use behilos::extract::{extract, Layer};
/// let item = behilos::generate::seed_example();
/// let e = extract("D, E", &item);
/// assert_eq!((e.labels, e.layer), (vec!['D', 'E'], Some(Layer::BareLetter)));
/// let e = extract("São Paulo and Mexico City tie at 22 million.", &item);
/// assert_eq!((e.labels, e.layer), (vec!['D', 'E'], Some(Layer::EntityName)));
/// assert_eq!(extract("No idea.", &item).layer, None);
/// ```
pub fn extract(response: &str, item: &Item) -> Extraction {
    Layer::ALL
        .into_iter()
        .find_map(|layer| read_layer(layer, response, item))
        .unwrap_or_else(Extraction::failed)
}

/// What one layer alone reads in `response` (`None`: it does not fire). [`extract`]
/// takes the first layer, in [`Layer::ALL`]'s order, that fires.
///
/// ```
/// use behilos::extract::{read_layer, Layer};
/// let item = behilos::generate::seed_example();
/// let reply = "Not (A), that is the largest; the smallest is (C).";
/// assert_eq!(read_layer(Layer::BareLetter, reply, &item), None);
/// assert_eq!(read_layer(Layer::LastOption, reply, &item).unwrap().labels, ['C']);
/// ```
pub fn read_layer(layer: Layer, response: &str, item: &Item) -> Option<Extraction> {
    let labels: BTreeSet<char> = item.options.iter().map(|o| o.label).collect();
    match layer {
        Layer::BareLetter => bare_letters(response, &labels),
        Layer::AnswerLine => answer_line(response, item, &labels),
        Layer::EntityName => {
            Extraction::fired(Layer::EntityName, last_sentence_names(response, item))
        }
        Layer::LastOption => last_option(response, &labels),
    }
}

fn bare_letters(response: &str, labels: &BTreeSet<char>) -> Option<Extraction> {
    let cleaned = response.trim().trim_end_matches(['.', '!']);
    let mut found = BTreeSet::new();
    for token in cleaned.split(|c: char| c == ',' || c == '/' || c == '&' || c.is_whitespace()) {
        let token = token.trim_matches(|c| c == '(' || c == ')' || c == '.');
        if token.is_empty() || token.eq_ignore_ascii_case("and") {
            continue;
        }
        let mut chars = token.chars();
        let c = chars.next()?.to_ascii_uppercase();
        if chars.next().is_some() || !labels.contains(&c) {
            return None;
        }
        found.insert(c);
    }
    Extraction::fired(Layer::BareLetter, found)
}

fn answer_line(response: &str, item: &Item, labels: &BTreeSet<char>) -> Option<Extraction> {
    let rest = ANSWER_LINE.captures_iter(response).last()?.get(1)?.as_str();
    let letters: BTreeSet<char> = LETTER
        .captures_iter(rest)
        .filter_map(|c| c.get(1)?.as_str().chars().next())
        .filter(|c| labels.contains(c))
        .collect();
    if !letters.is_empty() {
        return Extraction::fired(Layer::AnswerLine, letters);
    }
    Extraction::fired(Layer::AnswerLine, names_in(rest, item))
}

/// Option names mentioned in `text`, longest names first so that a name inside
/// another name (`Summit` in `Summit Pro`) is not counted twice.
fn names_in(text: &str, item: &Item) -> BTreeSet<char> {
    let mut haystack = text.to_lowercase();
    let mut options: Vec<_> = item.options.iter().collect();
    options.sort_by_key(|o| std::cmp::Reverse(o.name.len()));
    let mut found = BTreeSet::new();
    for o in options {
        let needle = o.name.to_lowercase();
        if needle.is_empty() {
            continue;
        }
        let mut hit = false;
        let mut start = 0;
        while let Some(pos) = haystack[start..].find(&needle) {
            let at = start + pos;
            let end = at + needle.len();
            let before_ok = haystack[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after_ok = haystack[end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            if before_ok && after_ok {
                hit = true;
                // Blank the match out so shorter names inside it cannot match again.
                haystack.replace_range(at..end, &" ".repeat(needle.len()));
                start = at + needle.len();
            } else {
                start = end;
            }
            if start >= haystack.len() {
                break;
            }
        }
        if hit {
            found.insert(o.label);
        }
    }
    found
}

fn last_sentence_names(response: &str, item: &Item) -> BTreeSet<char> {
    // Sentence ends: '.', '!' or '?' followed by whitespace or the end, and newlines.
    // "22.4M" has no space after its point and stays in one piece.
    let mut sentences = Vec::new();
    let mut current = String::new();
    let mut chars = response.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        let ends = c == '\n'
            || (matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|n| n.is_whitespace()));
        if ends {
            sentences.push(std::mem::take(&mut current));
        }
    }
    sentences.push(current);
    sentences
        .iter()
        .rev()
        .map(|s| names_in(s, item))
        .find(|names| !names.is_empty())
        .unwrap_or_default()
}

fn last_option(response: &str, labels: &BTreeSet<char>) -> Option<Extraction> {
    let last = LAST_OPTION
        .captures_iter(response)
        .filter_map(|c| {
            (1..=4)
                .find_map(|g| c.get(g))
                .and_then(|m| m.as_str().chars().next())
        })
        .filter(|c| labels.contains(c))
        .last()?;
    Extraction::fired(Layer::LastOption, BTreeSet::from([last]))
}
