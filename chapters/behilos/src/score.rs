//! Scoring: gold sets, the tie policy, Wilson intervals, and the report.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::extract::{Extraction, Layer, extract};
use crate::item::{Item, QuestionType};

/// One line of `answers.jsonl`: a model's raw reply to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The item's id.
    pub id: String,
    /// Which model answered (answers of several models may share one file).
    pub model: String,
    /// The raw reply; `null` when the model could not be reached.
    pub response: Option<String>,
    /// HTTP attempts it took (absent for in-process baselines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// Why there is no reply, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Parse JSONL answers; errors name the file and line. Returns `(line, answer)` pairs.
///
/// A second answer of the same model to the same item is kept (and reported by
/// [`score`] as a duplicate) when it says the same thing; when it says something else
/// it is [`Error::ConflictingAnswer`], since scoring either one would be a silent
/// choice. A file with no answer at all is [`Error::Empty`].
pub fn parse_answers(file: &str, text: &str) -> Result<Vec<(usize, Answer)>, Error> {
    let mut out = Vec::new();
    // (model, id) -> index into `out` of the first answer
    let mut first: HashMap<(String, String), usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let answer: Answer = serde_json::from_str(line).map_err(|source| Error::Json {
            file: file.to_string(),
            line: i + 1,
            what: "answer",
            source,
        })?;
        let key = (answer.model.clone(), answer.id.clone());
        if let Some(&at) = first.get(&key) {
            let (first_line, earlier): &(usize, Answer) = &out[at];
            if earlier.response != answer.response {
                return Err(Error::ConflictingAnswer {
                    file: file.to_string(),
                    line: i + 1,
                    first: *first_line,
                    model: answer.model,
                    id: answer.id,
                });
            }
        } else {
            first.insert(key, out.len());
        }
        out.push((i + 1, answer));
    }
    if out.is_empty() {
        return Err(Error::Empty {
            file: file.to_string(),
            what: "answer",
        });
    }
    Ok(out)
}

/// Read and parse an answers file.
pub fn read_answers(path: &Path) -> Result<Vec<(usize, Answer)>, Error> {
    let text = crate::error::read_file(path)?;
    parse_answers(&path.display().to_string(), &text)
}

/// How a gold set with several members (a tie) is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TiePolicy {
    /// Correct if the answer names at least one gold option and nothing else
    /// (`D` is right when the gold set is {D, E}).
    Any,
    /// Correct only if the answer names exactly the gold options (`D, E`).
    All,
}

impl TiePolicy {
    /// Name for reports and flags.
    pub fn name(self) -> &'static str {
        match self {
            TiePolicy::Any => "any",
            TiePolicy::All => "all",
        }
    }

    /// One-line explanation for report headers.
    pub fn explain(self) -> &'static str {
        match self {
            TiePolicy::Any => "one tied option is enough; naming a non-gold one is wrong",
            TiePolicy::All => "every tied option must be named, and nothing else",
        }
    }

    /// Is `answer` (sorted, distinct labels) correct for `gold` under this policy?
    ///
    /// ```
    /// use behilos::score::TiePolicy;
    /// let gold = ['D', 'E'];
    /// assert!(TiePolicy::Any.accepts(&['D'], &gold));
    /// assert!(!TiePolicy::All.accepts(&['D'], &gold));
    /// assert!(TiePolicy::All.accepts(&['D', 'E'], &gold));
    /// assert!(!TiePolicy::Any.accepts(&['C', 'D'], &gold));
    /// assert!(!TiePolicy::Any.accepts(&[], &gold));
    /// ```
    pub fn accepts(self, answer: &[char], gold: &[char]) -> bool {
        match self {
            TiePolicy::Any => !answer.is_empty() && answer.iter().all(|c| gold.contains(c)),
            TiePolicy::All => !answer.is_empty() && answer == gold,
        }
    }
}

/// What happened to one item for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The extracted answer is accepted by the tie policy.
    Correct,
    /// An answer was extracted and it is not accepted.
    Wrong,
    /// A reply came back but no extraction layer could read it (or no reply at all).
    Unextracted,
    /// The answers file has no line for this item.
    Missing,
}

/// One scored (model, item) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The item.
    pub id: String,
    /// What extraction found.
    pub extraction: Extraction,
    /// The outcome under [`TiePolicy::Any`].
    pub any: Outcome,
    /// The outcome under [`TiePolicy::All`].
    pub all: Outcome,
}

impl Verdict {
    /// The outcome under `policy`.
    pub fn outcome(&self, policy: TiePolicy) -> Outcome {
        match policy {
            TiePolicy::Any => self.any,
            TiePolicy::All => self.all,
        }
    }
}

/// Score one reply to one item under both policies.
///
/// ```
/// use behilos::score::{judge, Outcome};
/// let item = behilos::generate::seed_example();
/// let v = judge(&item, Some("Answer: D"));
/// assert_eq!((v.any, v.all), (Outcome::Correct, Outcome::Wrong));
/// ```
pub fn judge(item: &Item, response: Option<&str>) -> Verdict {
    let extraction = response.map_or_else(Extraction::failed, |r| extract(r, item));
    let outcome = |policy: TiePolicy| {
        if extraction.layer.is_none() {
            Outcome::Unextracted
        } else if policy.accepts(&extraction.labels, &item.gold) {
            Outcome::Correct
        } else {
            Outcome::Wrong
        }
    };
    Verdict {
        id: item.id.clone(),
        any: outcome(TiePolicy::Any),
        all: outcome(TiePolicy::All),
        extraction,
    }
}

/// Wilson score interval for `k` successes in `n` trials at 95 % (z = 1.96), as
/// fractions. `n = 0` gives the uninformative `(0, 1)`.
///
/// ```
/// let (lo, hi) = behilos::score::wilson(8, 10);
/// assert!((lo - 0.490).abs() < 0.001 && (hi - 0.943).abs() < 0.001);
/// assert_eq!(behilos::score::wilson(0, 0), (0.0, 1.0));
/// ```
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.96_f64;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Counts for one slice of items (a model, a question type, a knob value).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Items in the slice.
    pub n: usize,
    /// Correct under the report's policy.
    pub correct: usize,
    /// Extracted but wrong.
    pub wrong: usize,
    /// Not extractable (or no reply).
    pub unextracted: usize,
    /// No answer line at all.
    pub missing: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        self.n += 1;
        match outcome {
            Outcome::Correct => self.correct += 1,
            Outcome::Wrong => self.wrong += 1,
            Outcome::Unextracted => self.unextracted += 1,
            Outcome::Missing => self.missing += 1,
        }
    }

    /// Accuracy (correct / n); 0 for an empty slice.
    pub fn accuracy(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.correct as f64 / self.n as f64
        }
    }

    /// The 95 % Wilson interval of the accuracy.
    pub fn interval(&self) -> (f64, f64) {
        wilson(self.correct, self.n)
    }
}

/// Everything the report says about one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    /// The model's name as in the answers file.
    pub model: String,
    /// All items, under the report's policy.
    pub overall: Tally,
    /// All items, under the other policy (to show what the policy changes).
    pub other_policy: Tally,
    /// Per question type (types with no items are left out).
    pub by_type: BTreeMap<QuestionType, Tally>,
    /// Per knob value: `ties=yes`, `length=3-4`, … (see [`knob_values`]).
    pub by_knob: BTreeMap<String, Tally>,
    /// Which extraction layer fired, per layer name.
    pub layers: BTreeMap<String, usize>,
    /// Replies that came back empty-handed (`null` response, e.g. the server gave up).
    pub no_reply: usize,
    /// Every per-item verdict, in item order (missing items included).
    pub verdicts: Vec<Verdict>,
}

/// An answer line that could not be matched to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrayAnswer {
    /// Its line in the answers file.
    pub line: usize,
    /// Its model.
    pub model: String,
    /// Its id.
    pub id: String,
    /// `unknown item id` or `duplicate answer (first on line N)`.
    pub reason: String,
}

/// The whole scoring report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The tie policy accuracy is computed under.
    pub policy: TiePolicy,
    /// Items in the item file.
    pub items: usize,
    /// Items whose gold set has more than one option.
    pub tied_items: usize,
    /// One entry per model, in the order models first appear in the answers.
    pub models: Vec<ModelReport>,
    /// Answers that were not scored, and why: never silently dropped.
    pub stray: Vec<StrayAnswer>,
}

/// The knob values an item falls under, as `knob=value` labels (`ties=yes`,
/// `length=8-10`, `pos=last`), in report order.
pub fn knob_values(item: &Item) -> Vec<String> {
    let k = &item.knobs;
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mixed = |b: bool| if b { "mixed" } else { "single" };
    let length = match k.length {
        0..=4 => "3-4",
        5..=7 => "5-7",
        _ => "8-10",
    };
    vec![
        format!("ties={}", yes(k.ties)),
        format!("near-dup={}", yes(k.near_duplicate)),
        format!("negatives={}", yes(k.negatives)),
        format!("notation={}", mixed(k.mixed_notation)),
        format!("units={}", mixed(k.mixed_units)),
        format!("distractors={}", k.distractors),
        format!("length={length}"),
        format!("pos={}", k.answer_position.name()),
    ]
}

/// Every label [`knob_values`] can produce, in report order.
pub const KNOB_ORDER: [&str; 19] = [
    "ties=yes",
    "ties=no",
    "near-dup=yes",
    "near-dup=no",
    "negatives=yes",
    "negatives=no",
    "notation=mixed",
    "notation=single",
    "units=mixed",
    "units=single",
    "distractors=0",
    "distractors=1",
    "distractors=2",
    "length=3-4",
    "length=5-7",
    "length=8-10",
    "pos=first",
    "pos=middle",
    "pos=last",
];

/// A short list of the knobs that are set on an item: `tie near neg mixed-n d2 len8`.
pub fn knob_summary(item: &Item) -> String {
    let k = &item.knobs;
    let mut parts: Vec<String> = Vec::new();
    for (on, name) in [
        (k.ties, "tie"),
        (k.near_duplicate, "near"),
        (k.negatives, "neg"),
        (k.mixed_notation, "mixed-n"),
        (k.mixed_units, "mixed-u"),
    ] {
        if on {
            parts.push(name.to_string());
        }
    }
    if k.distractors > 0 {
        parts.push(format!("d{}", k.distractors));
    }
    parts.push(format!("len{}", k.length));
    parts.join(" ")
}

/// Score `answers` against `items` under `policy`.
pub fn score(items: &[Item], answers: &[(usize, Answer)], policy: TiePolicy) -> Report {
    let index: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.as_str(), i))
        .collect();
    let mut model_order: Vec<String> = Vec::new();
    // model -> item index -> (line, response)
    let mut by_model: HashMap<String, HashMap<usize, (usize, Option<String>)>> = HashMap::new();
    let mut stray = Vec::new();
    for (line, a) in answers {
        if !model_order.contains(&a.model) {
            model_order.push(a.model.clone());
        }
        let Some(&i) = index.get(a.id.as_str()) else {
            stray.push(StrayAnswer {
                line: *line,
                model: a.model.clone(),
                id: a.id.clone(),
                reason: "unknown item id".into(),
            });
            continue;
        };
        let slot = by_model.entry(a.model.clone()).or_default();
        if let Some((first, _)) = slot.get(&i) {
            stray.push(StrayAnswer {
                line: *line,
                model: a.model.clone(),
                id: a.id.clone(),
                reason: format!("duplicate answer (first on line {first})"),
            });
            continue;
        }
        slot.insert(i, (*line, a.response.clone()));
    }
    let other = match policy {
        TiePolicy::Any => TiePolicy::All,
        TiePolicy::All => TiePolicy::Any,
    };
    let models = model_order
        .iter()
        .map(|model| {
            let answered = by_model.remove(model).unwrap_or_default();
            let mut report = ModelReport {
                model: model.clone(),
                overall: Tally::default(),
                other_policy: Tally::default(),
                by_type: BTreeMap::new(),
                by_knob: BTreeMap::new(),
                layers: BTreeMap::new(),
                no_reply: 0,
                verdicts: Vec::new(),
            };
            for (i, item) in items.iter().enumerate() {
                let verdict = match answered.get(&i) {
                    Some((_, response)) => {
                        if response.is_none() {
                            report.no_reply += 1;
                        }
                        let v = judge(item, response.as_deref());
                        let layer = v.extraction.layer.map_or("none", Layer::name);
                        *report.layers.entry(layer.to_string()).or_default() += 1;
                        v
                    }
                    None => Verdict {
                        id: item.id.clone(),
                        extraction: Extraction::failed(),
                        any: Outcome::Missing,
                        all: Outcome::Missing,
                    },
                };
                let outcome = verdict.outcome(policy);
                report.overall.add(outcome);
                report.other_policy.add(verdict.outcome(other));
                report
                    .by_type
                    .entry(item.question_type)
                    .or_default()
                    .add(outcome);
                for key in knob_values(item) {
                    report.by_knob.entry(key).or_default().add(outcome);
                }
                report.verdicts.push(verdict);
            }
            report
        })
        .collect();
    Report {
        policy,
        items: items.len(),
        tied_items: items.iter().filter(|i| i.gold.len() > 1).count(),
        models,
        stray,
    }
}

/// Items missed (wrong or unextracted) by any model, most-missed first; ties in the
/// count keep item order. Each entry: the item index and the models that missed it.
pub fn most_missed(report: &Report) -> Vec<(usize, Vec<String>)> {
    let mut missed: Vec<(usize, Vec<String>)> = (0..report.items)
        .map(|i| {
            let who = report
                .models
                .iter()
                .filter(|m| {
                    matches!(
                        m.verdicts[i].outcome(report.policy),
                        Outcome::Wrong | Outcome::Unextracted
                    )
                })
                .map(|m| m.model.clone())
                .collect();
            (i, who)
        })
        .filter(|(_, who): &(usize, Vec<String>)| !who.is_empty())
        .collect();
    missed.sort_by_key(|(i, who)| (std::cmp::Reverse(who.len()), *i));
    missed
}
