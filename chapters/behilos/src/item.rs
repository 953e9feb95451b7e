//! The item schema (one JSON object per line of `items.jsonl`) and reading it back.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::quantity::Kind;

/// The kind of superlative a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionType {
    /// "the HIGHEST elevation"
    Highest,
    /// "the LOWEST population"
    Lowest,
    /// "the MOST employees"
    Most,
    /// "the LEAST inhabitants"
    Least,
    /// "the BEST price" (which is the lowest) or "the BEST rating" (the highest)
    Best,
    /// "the SECOND-HIGHEST revenue"
    SecondHighest,
    /// "the SECOND-LOWEST weight"
    SecondLowest,
}

impl QuestionType {
    /// Every type, in report order.
    pub const ALL: [QuestionType; 7] = [
        QuestionType::Highest,
        QuestionType::Lowest,
        QuestionType::Most,
        QuestionType::Least,
        QuestionType::Best,
        QuestionType::SecondHighest,
        QuestionType::SecondLowest,
    ];

    /// The kebab-case name used in JSON and reports.
    pub fn name(self) -> &'static str {
        match self {
            QuestionType::Highest => "highest",
            QuestionType::Lowest => "lowest",
            QuestionType::Most => "most",
            QuestionType::Least => "least",
            QuestionType::Best => "best",
            QuestionType::SecondHighest => "second-highest",
            QuestionType::SecondLowest => "second-lowest",
        }
    }
}

/// Which value wins: the largest or the smallest, at dense rank 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// The largest value.
    Max,
    /// The smallest value.
    Min,
    /// The second-largest *distinct* value.
    SecondMax,
    /// The second-smallest *distinct* value.
    SecondMin,
}

impl Target {
    /// The options holding the target value: the gold set. Ranks are *dense*: in
    /// `[10, 10, 8]` the second-highest is 8. (The generator never ties first place in a
    /// second-* item, so dense and competition ranking agree on every generated item.)
    ///
    /// ```
    /// use behilos::item::Target;
    /// assert_eq!(Target::Min.winners(&[37, 32, 28, 22, 22]), vec![3, 4]);
    /// assert_eq!(Target::SecondMax.winners(&[5, 9, 7, 7]), vec![2, 3]);
    /// assert_eq!(Target::Max.winners(&[]), Vec::<usize>::new());
    /// ```
    pub fn winners(self, values: &[i64]) -> Vec<usize> {
        let distinct: BTreeSet<i64> = values.iter().copied().collect();
        let wanted = match self {
            Target::Max => distinct.iter().next_back(),
            Target::Min => distinct.iter().next(),
            Target::SecondMax => distinct.iter().rev().nth(1),
            Target::SecondMin => distinct.iter().nth(1),
        };
        match wanted {
            Some(&w) => (0..values.len()).filter(|&i| values[i] == w).collect(),
            None => Vec::new(),
        }
    }

    /// True for the largest-first targets.
    pub fn wants_high(self) -> bool {
        matches!(self, Target::Max | Target::SecondMax)
    }

    /// Dense rank of the answer: 0 for max/min, 1 for second-*.
    pub fn rank(self) -> usize {
        match self {
            Target::Max | Target::Min => 0,
            Target::SecondMax | Target::SecondMin => 1,
        }
    }
}

/// Where the (earliest) gold option sits in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// Option A.
    First,
    /// Neither first nor last.
    Middle,
    /// The last option.
    Last,
}

impl Position {
    /// The bucket of 0-based index `i` in a list of `len`.
    pub fn of(i: usize, len: usize) -> Position {
        if i == 0 {
            Position::First
        } else if i + 1 == len {
            Position::Last
        } else {
            Position::Middle
        }
    }

    /// Lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Position::First => "first",
            Position::Middle => "middle",
            Position::Last => "last",
        }
    }
}

/// The difficulty knobs as they came out in this item (measured on the final list,
/// not merely requested).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Knobs {
    /// More than one option holds the winning value (the gold set has several letters).
    pub ties: bool,
    /// A non-gold option is exactly one step from the winning value.
    pub near_duplicate: bool,
    /// At least one value of the asked attribute is negative.
    pub negatives: bool,
    /// Values are printed in different notations (`1,200` / `1.2k` / `1.2 thousand`).
    pub mixed_notation: bool,
    /// Values are printed in different units (`950 g` / `1.2 kg`).
    pub mixed_units: bool,
    /// How many other attributes each option shows (0 = only the asked one).
    pub distractors: u8,
    /// Number of options.
    pub length: usize,
    /// Where the earliest gold option sits.
    pub answer_position: Position,
}

/// One other attribute shown next to an option, to distract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extra {
    /// Attribute name.
    pub attribute: String,
    /// As printed.
    pub text: String,
}

/// One lettered option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// `A`, `B`, …
    pub label: char,
    /// Entity name.
    pub name: String,
    /// The asked attribute's value as printed in the prompt.
    pub text: String,
    /// The same value in base units (what scoring trusts).
    pub value: i64,
    /// Distractor attributes, in the order the prompt shows them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<Extra>,
}

/// One benchmark item: a line of `items.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Unique id, `s<seed>-<index>`.
    pub id: String,
    /// The superlative asked for.
    #[serde(rename = "type")]
    pub question_type: QuestionType,
    /// What wins: derived from the type and, for "best", the attribute's direction.
    pub target: Target,
    /// Plural noun of the entities (`cities`).
    pub domain: String,
    /// The asked attribute.
    pub attribute: String,
    /// Its kind (base unit and notations).
    pub kind: Kind,
    /// The question line.
    pub question: String,
    /// The options, labelled from `A`.
    pub options: Vec<Choice>,
    /// The full text a model receives.
    pub prompt: String,
    /// The gold answer: the labels of every option holding the winning value.
    pub gold: Vec<char>,
    /// The difficulty knobs.
    pub knobs: Knobs,
}

impl Item {
    /// Labels of the options, in order.
    pub fn labels(&self) -> Vec<char> {
        self.options.iter().map(|o| o.label).collect()
    }

    /// Check the item's internal consistency: labels `A..`, gold = the winners of the
    /// values, and every printed text reading back as its value. `Err` says what broke.
    pub fn validate(&self) -> Result<(), String> {
        if self.options.len() < 2 || self.options.len() > 10 {
            return Err(format!("{} options (need 2 to 10)", self.options.len()));
        }
        for (i, o) in self.options.iter().enumerate() {
            let want = char::from(b'A' + i as u8);
            if o.label != want {
                return Err(format!("option {} is labelled {:?}", i + 1, o.label));
            }
            match self.kind.parse(&o.text) {
                Ok(v) if v == o.value => {}
                Ok(v) => {
                    return Err(format!(
                        "option {want} prints {:?} = {v} but stores value {}",
                        o.text, o.value
                    ));
                }
                Err(e) => return Err(format!("option {want}: {e}")),
            }
        }
        let values: Vec<i64> = self.options.iter().map(|o| o.value).collect();
        let winners: Vec<char> = self
            .target
            .winners(&values)
            .into_iter()
            .map(|i| self.options[i].label)
            .collect();
        if winners != self.gold {
            return Err(format!(
                "gold {:?} but the values say {:?}",
                label_list(&self.gold),
                label_list(&winners)
            ));
        }
        self.validate_knobs(&values)
    }

    /// The knobs a report splits accuracy by must describe the options, not merely be
    /// claimed: the ones that follow from the options alone are checked.
    fn validate_knobs(&self, values: &[i64]) -> Result<(), String> {
        let k = &self.knobs;
        let len = self.options.len();
        let claim = |knob: &str, says: String, options: String| {
            Err(format!(
                "knobs.{knob} says {says} but the options say {options}"
            ))
        };
        if k.length != len {
            return claim("length", k.length.to_string(), len.to_string());
        }
        if k.ties != (self.gold.len() > 1) {
            return claim(
                "ties",
                k.ties.to_string(),
                (self.gold.len() > 1).to_string(),
            );
        }
        let negatives = values.iter().any(|&v| v < 0);
        if k.negatives != negatives {
            return claim("negatives", k.negatives.to_string(), negatives.to_string());
        }
        let extras = self.options[0].extras.len();
        if let Some(o) = self.options.iter().find(|o| o.extras.len() != extras) {
            return Err(format!(
                "option {} shows {} distractors, option A shows {extras}",
                o.label,
                o.extras.len()
            ));
        }
        if usize::from(k.distractors) != extras || extras > 2 {
            return claim(
                "distractors",
                k.distractors.to_string(),
                format!("{extras} (at most 2)"),
            );
        }
        let first_gold = self
            .gold
            .first()
            .and_then(|g| self.options.iter().position(|o| o.label == *g))
            .unwrap_or(0);
        let position = Position::of(first_gold, len);
        if k.answer_position != position {
            return claim(
                "answer_position",
                k.answer_position.name().to_string(),
                position.name().to_string(),
            );
        }
        Ok(())
    }
}

/// `['D', 'E']` → `"D, E"`.
pub fn label_list(labels: &[char]) -> String {
    labels
        .iter()
        .map(char::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Serialise items as JSONL (one object per line, trailing newline).
pub fn to_jsonl(items: &[Item]) -> String {
    let mut out = String::new();
    for item in items {
        // Serialising plain data with string keys cannot fail.
        out.push_str(&serde_json::to_string(item).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Parse JSONL items; `file` names the source in errors. Blank lines are skipped;
/// a malformed line, an inconsistent item or a repeated id is an error naming the
/// file and the 1-based line, and so is a file with no item at all. (A repeated JSON
/// key is a malformed line: every object here is a struct, and serde refuses a field
/// given twice.)
pub fn parse_items(file: &str, text: &str) -> Result<Vec<Item>, Error> {
    let mut items = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let item: Item = serde_json::from_str(line).map_err(|source| Error::Json {
            file: file.to_string(),
            line: line_no,
            what: "item",
            source,
        })?;
        item.validate().map_err(|reason| Error::InvalidItem {
            file: file.to_string(),
            line: line_no,
            id: item.id.clone(),
            reason,
        })?;
        if let Some(&first) = seen.get(&item.id) {
            return Err(Error::DuplicateId {
                file: file.to_string(),
                line: line_no,
                id: item.id,
                first,
            });
        }
        seen.insert(item.id.clone(), line_no);
        items.push(item);
    }
    if items.is_empty() {
        return Err(Error::Empty {
            file: file.to_string(),
            what: "item",
        });
    }
    Ok(items)
}

/// Read and parse an items file.
pub fn read_items(path: &Path) -> Result<Vec<Item>, Error> {
    let text = crate::error::read_file(path)?;
    parse_items(&path.display().to_string(), &text)
}
