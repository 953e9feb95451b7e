//! The seeded item generator.
//!
//! Each item is drawn from its own ChaCha8 stream (`seed`, stream = item index), so the
//! same seed always gives the same items, and `--n 10` is a prefix of `--n 1000`.
//! Knobs are *requested* with probabilities in [`GenConfig`]; what the item actually
//! contains is *measured* on the final list and recorded in [`Knobs`] — so a report
//! splits accuracy by what the model really saw.

use kit::rng::{ChaCha8Rng, Rng, SliceRandom, seeded};

use crate::catalog::{AttributeSpec, DOMAINS, Domain};
use crate::error::Error;
use crate::item::{Choice, Extra, Item, Knobs, Position, QuestionType, Target};
use crate::quantity::{Format, Kind};

/// The most items one call generates (and the upper end of every `--n` flag that
/// generates items): 100 000 items take about 6 s, 400 MB of memory and 150 MB of
/// JSONL on a 2-core machine; more is a different benchmark, not a bigger page.
pub const MAX_ITEMS: usize = 100_000;

/// The generator's knobs. Probabilities are per item.
#[derive(Debug, Clone, PartialEq)]
pub struct GenConfig {
    /// Probability that the winning value is shared by two options.
    pub ties: f64,
    /// Probability that a losing option sits one step from the winner.
    pub near_duplicates: f64,
    /// Probability of negative values (for attributes that can be negative).
    pub negatives: f64,
    /// Probability of mixing `1,200` / `1.2k` / `1.2 thousand` (counts, money).
    pub mixed_notation: f64,
    /// Probability of mixing `g`/`kg` or `m`/`km` (masses, distances).
    pub mixed_units: f64,
    /// Most other attributes shown per option (0 to 2).
    pub max_distractors: u8,
    /// Shortest list (at least 3).
    pub min_len: usize,
    /// Longest list (at most 10).
    pub max_len: usize,
    /// Force where the earliest gold option sits (`None`: wherever the shuffle puts it).
    pub position: Option<Position>,
    /// Make item 0 the seed's own example (five cities, LOWEST population, a tie).
    pub include_seed_example: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            ties: 0.25,
            near_duplicates: 0.25,
            negatives: 0.3,
            mixed_notation: 0.4,
            mixed_units: 0.4,
            max_distractors: 2,
            min_len: 3,
            max_len: 8,
            position: None,
            include_seed_example: true,
        }
    }
}

impl GenConfig {
    /// Reject knob values the generator cannot honour.
    pub fn validate(&self) -> Result<(), Error> {
        let probabilities = [
            ("ties", self.ties),
            ("near-duplicates", self.near_duplicates),
            ("negatives", self.negatives),
            ("mixed-notation", self.mixed_notation),
            ("mixed-units", self.mixed_units),
        ];
        for (name, p) in probabilities {
            if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
                return Err(Error::Config(format!("--{name} is a probability, got {p}")));
            }
        }
        if self.min_len < 3 || self.max_len > 10 || self.min_len > self.max_len {
            return Err(Error::Config(format!(
                "list length must satisfy 3 <= --min-len ({}) <= --max-len ({}) <= 10",
                self.min_len, self.max_len
            )));
        }
        if self.max_distractors > 2 {
            return Err(Error::Config(format!(
                "--max-distractors is at most 2, got {}",
                self.max_distractors
            )));
        }
        Ok(())
    }
}

/// The instruction that ends every prompt.
pub const INSTRUCTION: &str =
    "Answer with the letter of the correct option. If several options tie, give all their letters.";

/// `n` items from `seed`: the same arguments always give the same items.
///
/// ```
/// use behilos::generate::{generate, GenConfig};
/// let a = generate(7, 20, &GenConfig::default()).unwrap();
/// assert_eq!(a, generate(7, 20, &GenConfig::default()).unwrap());
/// assert_eq!(a[0].gold, vec!['D', 'E']); // the seed's tie comes first
/// assert!(a.iter().all(|item| item.validate().is_ok()));
/// ```
///
/// More than [`MAX_ITEMS`] is an error, before anything is allocated.
pub fn generate(seed: u64, n: usize, config: &GenConfig) -> Result<Vec<Item>, Error> {
    config.validate()?;
    if n > MAX_ITEMS {
        return Err(Error::Config(format!(
            "--n is at most {MAX_ITEMS} items, got {n}"
        )));
    }
    let mut items = Vec::with_capacity(n);
    for index in 0..n {
        let id = format!("s{seed}-{index:04}");
        if index == 0 && config.include_seed_example {
            let mut item = seed_example();
            item.id = id;
            items.push(item);
            continue;
        }
        let mut rng = seeded(seed);
        rng.set_stream(index as u64);
        items.push(make_item(&mut rng, id, config));
    }
    Ok(items)
}

/// The seed's example, exactly: five real cities, LOWEST population, and São Paulo and
/// Mexico City both at 22 million — so the gold answer is the set {D, E}.
pub fn seed_example() -> Item {
    let cities = [
        ("Tokyo", 37_000_000),
        ("Delhi", 32_000_000),
        ("Shanghai", 28_000_000),
        ("São Paulo", 22_000_000),
        ("Mexico City", 22_000_000),
    ];
    let options: Vec<Choice> = cities
        .iter()
        .enumerate()
        .map(|(i, &(name, value))| Choice {
            label: char::from(b'A' + i as u8),
            name: name.to_string(),
            text: Kind::Count.render(value, Format::Words),
            value,
            extras: Vec::new(),
        })
        .collect();
    let question = "Which of these cities has the LOWEST population?".to_string();
    assemble(
        "seed-example".into(),
        QuestionType::Lowest,
        Target::Min,
        "cities",
        "population",
        Kind::Count,
        question,
        options,
        None,
        100_000,
    )
}

fn compatible(qt: QuestionType, a: &AttributeSpec) -> bool {
    match qt {
        QuestionType::Most | QuestionType::Least => a.count_noun.is_some(),
        QuestionType::Best => a.higher_is_better.is_some(),
        _ => true,
    }
}

fn target_for(qt: QuestionType, a: &AttributeSpec) -> Target {
    match qt {
        QuestionType::Highest | QuestionType::Most => Target::Max,
        QuestionType::Lowest | QuestionType::Least => Target::Min,
        QuestionType::SecondHighest => Target::SecondMax,
        QuestionType::SecondLowest => Target::SecondMin,
        QuestionType::Best if a.higher_is_better == Some(false) => Target::Min,
        QuestionType::Best => Target::Max,
    }
}

fn question_text(qt: QuestionType, d: &Domain, a: &AttributeSpec) -> String {
    let noun = a.count_noun.unwrap_or(a.name);
    let (word, what) = match qt {
        QuestionType::Highest => ("HIGHEST", a.name),
        QuestionType::Lowest => ("LOWEST", a.name),
        QuestionType::Most => ("MOST", noun),
        QuestionType::Least => ("FEWEST", noun),
        QuestionType::Best => ("BEST", a.name),
        QuestionType::SecondHighest => ("SECOND-HIGHEST", a.name),
        QuestionType::SecondLowest => ("SECOND-LOWEST", a.name),
    };
    format!("Which of these {} has the {word} {what}?", d.plural)
}

fn draw(rng: &mut ChaCha8Rng, (lo, hi): (i64, i64), step: i64) -> i64 {
    rng.random_range(lo / step..=hi / step) * step
}

/// Values for `len` options: distinct draws, then a tie and a near-duplicate placed
/// next to the winner on request. Returns the values and the measured knobs.
fn draw_values(
    rng: &mut ChaCha8Rng,
    spec: &AttributeSpec,
    target: Target,
    len: usize,
    want: (bool, bool, bool),
) -> (Vec<i64>, bool, bool, bool) {
    let (want_ties, want_near, want_neg) = want;
    let want_neg = want_neg && spec.negative_range.is_some();
    let range = match (want_neg, spec.negative_range) {
        (true, Some(r)) => r,
        _ => spec.range,
    };
    let mut last = (Vec::new(), false, false, false);
    for _attempt in 0..100 {
        let mut values: Vec<i64> = Vec::with_capacity(len);
        while values.len() < len {
            let v = draw(rng, range, spec.step);
            if !values.contains(&v) {
                values.push(v);
            }
        }
        if want_neg && values.iter().all(|&v| v >= 0) {
            let v = draw(rng, (range.0, -spec.step), spec.step);
            if !values.contains(&v) {
                values[0] = v;
            }
        }
        let mut order: Vec<usize> = (0..len).collect();
        order.sort_by_key(|&i| {
            if target.wants_high() {
                -values[i]
            } else {
                values[i]
            }
        });
        let answer = values[order[target.rank()]];
        let mut next = target.rank() + 1;
        if want_ties && next < len {
            values[order[next]] = answer;
            next += 1;
        }
        if want_near && next < len {
            let worse = if target.wants_high() {
                -spec.step
            } else {
                spec.step
            };
            values[order[next]] = answer + worse;
        }
        let gold = target.winners(&values);
        let ties = gold.len() > 1;
        let near = values
            .iter()
            .enumerate()
            .any(|(i, &v)| !gold.contains(&i) && (v - answer).abs() <= spec.step);
        let neg = values.iter().any(|&v| v < 0);
        last = (values, ties, near, neg);
        if ties == want_ties && near == want_near && neg == want_neg {
            break;
        }
    }
    last
}

/// The format each value is printed in: one format for all, or a mix that really
/// shows (a tie, if any, printed two different ways).
fn choose_formats(
    rng: &mut ChaCha8Rng,
    kind: Kind,
    values: &[i64],
    gold: &[usize],
    mixed: bool,
) -> Vec<Format> {
    let formats = kind.formats();
    if !mixed {
        return vec![formats[rng.random_range(0..formats.len())]; values.len()];
    }
    let mut chosen: Vec<Format> = values
        .iter()
        .map(|_| formats[rng.random_range(0..formats.len())])
        .collect();
    // A tie shown as "22 million" next to "22M" is the trap the seed hints at.
    if gold.len() > 1 {
        let (a, b) = (gold[0], gold[1]);
        if let Some(&other) = formats
            .iter()
            .find(|&&f| kind.render(values[b], f) != kind.render(values[a], chosen[a]))
        {
            chosen[b] = other;
        }
    }
    if !shows_mixed(kind, values, &chosen) {
        // Force one option into a format that prints differently from the rest.
        'outer: for i in 0..values.len() {
            for &f in formats {
                let mut trial = chosen.clone();
                trial[i] = f;
                if shows_mixed(kind, values, &trial) {
                    chosen = trial;
                    break 'outer;
                }
            }
        }
    }
    chosen
}

/// True when the printed list really uses two notations or units (a `Short` value under
/// 1000 prints like `Plain` and does not count).
fn shows_mixed(kind: Kind, values: &[i64], formats: &[Format]) -> bool {
    let default = kind.formats()[0];
    let effective: std::collections::BTreeSet<Format> = values
        .iter()
        .zip(formats)
        .map(|(&v, &f)| {
            if kind.render(v, f) == kind.render(v, default) {
                default
            } else {
                f
            }
        })
        .collect();
    effective.len() > 1
}

fn make_item(rng: &mut ChaCha8Rng, id: String, config: &GenConfig) -> Item {
    let qt = QuestionType::ALL[rng.random_range(0..QuestionType::ALL.len())];
    let pairs: Vec<(&Domain, &AttributeSpec)> = DOMAINS
        .iter()
        .flat_map(|d| d.attributes.iter().map(move |a| (d, a)))
        .filter(|(_, a)| compatible(qt, a))
        .collect();
    let (domain, spec) = pairs[rng.random_range(0..pairs.len())];
    let target = target_for(qt, spec);
    let len = rng.random_range(config.min_len..=config.max_len);
    let want_ties = rng.random_bool(config.ties);
    let want_near = rng.random_bool(config.near_duplicates);
    let want_neg = rng.random_bool(config.negatives);
    let mixed_p = if spec.kind.has_notations() {
        config.mixed_notation
    } else {
        config.mixed_units
    };
    let want_mixed = rng.random_bool(mixed_p) && spec.kind.formats().len() > 1;
    let most = usize::from(config.max_distractors).min(domain.attributes.len() - 1);
    let distractors = rng.random_range(0..=most);

    let (values, _, _, _) = draw_values(rng, spec, target, len, (want_ties, want_near, want_neg));
    let gold = target.winners(&values);
    let formats = choose_formats(rng, spec.kind, &values, &gold, want_mixed);

    let mut names: Vec<&str> = domain.names.to_vec();
    names.shuffle(rng);
    let mut others: Vec<&AttributeSpec> = domain
        .attributes
        .iter()
        .filter(|a| a.name != spec.name)
        .collect();
    others.shuffle(rng);
    others.truncate(distractors);
    let extras: Vec<Vec<Extra>> = (0..len)
        .map(|_| {
            others
                .iter()
                .map(|a| Extra {
                    attribute: a.name.to_string(),
                    text: a
                        .kind
                        .render(draw(rng, a.range, a.step), a.kind.formats()[0]),
                })
                .collect()
        })
        .collect();

    // Display order: a shuffle, re-drawn (boundedly) when a position is forced.
    let mut perm: Vec<usize> = (0..len).collect();
    for _ in 0..64 {
        perm.shuffle(rng);
        let earliest = perm.iter().position(|i| gold.contains(i)).unwrap_or(0);
        if config
            .position
            .is_none_or(|p| Position::of(earliest, len) == p)
        {
            break;
        }
    }
    let options: Vec<Choice> = perm
        .iter()
        .enumerate()
        .map(|(slot, &i)| Choice {
            label: char::from(b'A' + slot as u8),
            name: names[i].to_string(),
            text: spec.kind.render(values[i], formats[i]),
            value: values[i],
            extras: extras[i].clone(),
        })
        .collect();
    let target_slot = if distractors > 0 {
        Some(rng.random_range(0..=distractors))
    } else {
        None
    };
    assemble(
        id,
        qt,
        target,
        domain.plural,
        spec.name,
        spec.kind,
        question_text(qt, domain, spec),
        options,
        target_slot,
        spec.step,
    )
}

/// Build the prompt and measure the knobs from the final options.
#[allow(clippy::too_many_arguments)]
fn assemble(
    id: String,
    question_type: QuestionType,
    target: Target,
    domain: &str,
    attribute: &str,
    kind: Kind,
    question: String,
    options: Vec<Choice>,
    target_slot: Option<usize>,
    step: i64,
) -> Item {
    let mut prompt = format!("{question}\n");
    for o in &options {
        let line = match target_slot {
            None => format!("{}) {}: {}", o.label, o.name, o.text),
            Some(slot) => {
                let mut fields: Vec<String> = o
                    .extras
                    .iter()
                    .map(|e| format!("{}: {}", e.attribute, e.text))
                    .collect();
                fields.insert(slot.min(fields.len()), format!("{attribute}: {}", o.text));
                format!("{}) {} — {}", o.label, o.name, fields.join("; "))
            }
        };
        prompt.push_str(&line);
        prompt.push('\n');
    }
    prompt.push_str(INSTRUCTION);

    let values: Vec<i64> = options.iter().map(|o| o.value).collect();
    let winners = target.winners(&values);
    let answer = winners.first().map_or(0, |&i| values[i]);
    let formats: Vec<Format> = options
        .iter()
        .map(|o| {
            kind.formats()
                .iter()
                .copied()
                .find(|&f| kind.render(o.value, f) == o.text)
                .unwrap_or(Format::Plain)
        })
        .collect();
    let mixed = shows_mixed(kind, &values, &formats);
    let knobs = Knobs {
        ties: winners.len() > 1,
        near_duplicate: values
            .iter()
            .enumerate()
            .any(|(i, &v)| !winners.contains(&i) && (v - answer).abs() <= step),
        negatives: values.iter().any(|&v| v < 0),
        mixed_notation: mixed && kind.has_notations(),
        mixed_units: mixed && !kind.has_notations(),
        distractors: options.first().map_or(0, |o| o.extras.len() as u8),
        length: options.len(),
        answer_position: Position::of(winners.first().copied().unwrap_or(0), options.len()),
    };
    Item {
        id,
        question_type,
        target,
        domain: domain.to_string(),
        attribute: attribute.to_string(),
        kind,
        question,
        gold: winners.iter().map(|&i| options[i].label).collect(),
        options,
        prompt,
        knobs,
    }
}
