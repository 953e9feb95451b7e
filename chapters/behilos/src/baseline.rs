//! In-process baseline models: what a score means is clearer next to these.
//!
//! - [`Baseline::First`] always answers `A` — the floor that position bias reaches.
//! - [`Baseline::Random`] picks one letter with a seeded generator (per item, so the
//!   answer to an item does not depend on which items came before it).
//! - [`Baseline::Lexicographic`] (`lexical`) compares the printed values *as strings*: it thinks
//!   `"9" > "10"`, `"950 g" > "1.2 kg"` and `"$950M" > "$1.2B"`, and it names only one
//!   option of a tie. Many real failures look like this.
//! - [`Baseline::Solver`] parses every printed value into base units and names every
//!   option holding the winning value — the ceiling, and a check on the generator.

use kit::rng::{Rng, seeded};

use crate::item::{Item, label_list};
use crate::score::Answer;

/// A baseline model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    /// Always `A`.
    First,
    /// One uniformly random letter, from this seed.
    Random(u64),
    /// Compares printed values as strings.
    Lexicographic,
    /// Parses values and answers the full gold set.
    Solver,
}

impl Baseline {
    /// The four baselines, `random` seeded with `seed`.
    pub fn all(seed: u64) -> [Baseline; 4] {
        [
            Baseline::First,
            Baseline::Random(seed),
            Baseline::Lexicographic,
            Baseline::Solver,
        ]
    }

    /// Look a baseline up by name.
    pub fn by_name(name: &str, seed: u64) -> Option<Baseline> {
        match name {
            "first" => Some(Baseline::First),
            "random" => Some(Baseline::Random(seed)),
            "lexical" | "lexicographic" => Some(Baseline::Lexicographic),
            "solver" => Some(Baseline::Solver),
            _ => None,
        }
    }

    /// The name written in answers files.
    pub fn name(self) -> &'static str {
        match self {
            Baseline::First => "first",
            Baseline::Random(_) => "random",
            Baseline::Lexicographic => "lexical",
            Baseline::Solver => "solver",
        }
    }

    /// The reply, as free text (scoring extracts from it like from any model's).
    ///
    /// ```
    /// use behilos::baseline::Baseline;
    /// let item = behilos::generate::seed_example();
    /// assert_eq!(Baseline::Solver.respond(&item), "Answer: D, E");
    /// assert_eq!(Baseline::Lexicographic.respond(&item), "Answer: D");
    /// assert_eq!(Baseline::First.respond(&item), "A");
    /// ```
    pub fn respond(self, item: &Item) -> String {
        let labels = item.labels();
        match self {
            Baseline::First => "A".to_string(),
            Baseline::Random(seed) => {
                let mut rng = seeded(seed ^ fnv1a(&item.id));
                format!("Answer: {}", labels[rng.random_range(0..labels.len())])
            }
            Baseline::Lexicographic => {
                let texts: Vec<&str> = item.options.iter().map(|o| o.text.as_str()).collect();
                let mut order: Vec<usize> = (0..texts.len()).collect();
                // A stable sort: among equal strings the earlier option wins.
                if item.target.wants_high() {
                    order.sort_by(|&a, &b| texts[b].cmp(texts[a]));
                } else {
                    order.sort_by(|&a, &b| texts[a].cmp(texts[b]));
                }
                let mut distinct: Vec<usize> = Vec::new();
                for i in order {
                    if distinct.iter().all(|&d| texts[d] != texts[i]) {
                        distinct.push(i);
                    }
                }
                let pick = distinct.get(item.target.rank()).copied().unwrap_or(0);
                format!("Answer: {}", labels[pick])
            }
            Baseline::Solver => {
                let values: Option<Vec<i64>> = item
                    .options
                    .iter()
                    .map(|o| item.kind.parse(&o.text).ok())
                    .collect();
                match values {
                    Some(values) => {
                        let gold: Vec<char> = item
                            .target
                            .winners(&values)
                            .into_iter()
                            .map(|i| labels[i])
                            .collect();
                        format!("Answer: {}", label_list(&gold))
                    }
                    None => "I cannot read these numbers.".to_string(),
                }
            }
        }
    }

    /// Answer every item.
    pub fn run(self, items: &[Item]) -> Vec<Answer> {
        items
            .iter()
            .map(|item| Answer {
                id: item.id.clone(),
                model: self.name().to_string(),
                response: Some(self.respond(item)),
                attempts: None,
                error: None,
            })
            .collect()
    }
}

/// FNV-1a, 64 bit: a stable hash of an item id (std's hasher may change between
/// releases; this one never does).
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
