//! Day 12 — The BEHILOS Benchmark: generator, extraction and scoring.

use behilos::baseline::Baseline;
use behilos::extract::{Layer, extract};
use behilos::generate::{GenConfig, generate, seed_example};
use behilos::item::{Item, Position, Target, parse_items, to_jsonl};
use behilos::quantity::Kind;
use behilos::score::{Answer, Outcome, TiePolicy, judge, score, wilson};
use proptest::prelude::*;

/// The seed item with new printed values (and gold recomputed from them).
fn with_texts(target: Target, texts: &[&str]) -> Item {
    let mut item = seed_example();
    item.target = target;
    item.options.truncate(texts.len());
    for (o, t) in item.options.iter_mut().zip(texts) {
        o.text = t.to_string();
        o.value = Kind::Count.parse(t).expect("count");
    }
    let values: Vec<i64> = item.options.iter().map(|o| o.value).collect();
    item.gold = target
        .winners(&values)
        .into_iter()
        .map(|i| item.options[i].label)
        .collect();
    item
}

fn answer(model: &str, id: &str, response: &str) -> Answer {
    Answer {
        id: id.into(),
        model: model.into(),
        response: Some(response.into()),
        attempts: None,
        error: None,
    }
}

#[test]
fn same_seed_same_items_and_shorter_runs_are_prefixes() {
    let c = GenConfig::default();
    let a = generate(5, 120, &c).unwrap();
    assert_eq!(a, generate(5, 120, &c).unwrap());
    assert_eq!(to_jsonl(&a), to_jsonl(&generate(5, 120, &c).unwrap()));
    assert_ne!(a[1..], generate(6, 120, &c).unwrap()[1..]);
    assert_eq!(a[..30], generate(5, 30, &c).unwrap()[..]);
}

#[test]
fn the_first_item_is_the_seed_example_with_gold_d_and_e() {
    let items = generate(12, 3, &GenConfig::default()).unwrap();
    let seed = &items[0];
    assert_eq!(
        seed.question,
        "Which of these cities has the LOWEST population?"
    );
    let names: Vec<&str> = seed.options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        ["Tokyo", "Delhi", "Shanghai", "São Paulo", "Mexico City"]
    );
    assert_eq!(seed.gold, vec!['D', 'E']);
    assert!(seed.knobs.ties);
    assert!(
        seed.prompt
            .contains("D) São Paulo: 22 million\nE) Mexico City: 22 million")
    );
    let no_seed = GenConfig {
        include_seed_example: false,
        ..GenConfig::default()
    };
    assert_ne!(
        generate(12, 1, &no_seed).unwrap()[0].question,
        seed.question
    );
}

#[test]
fn jsonl_round_trips() {
    let items = generate(3, 40, &GenConfig::default()).unwrap();
    assert_eq!(parse_items("x.jsonl", &to_jsonl(&items)).unwrap(), items);
}

#[test]
fn knobs_at_zero_and_one_are_honoured() {
    let none = GenConfig {
        ties: 0.0,
        near_duplicates: 0.0,
        negatives: 0.0,
        mixed_notation: 0.0,
        mixed_units: 0.0,
        max_distractors: 0,
        include_seed_example: false,
        ..GenConfig::default()
    };
    for item in generate(1, 300, &none).unwrap() {
        let k = item.knobs;
        assert!(
            !k.ties && !k.near_duplicate && !k.negatives && k.distractors == 0,
            "{}: {k:?}",
            item.id
        );
        assert_eq!(item.gold.len(), 1);
    }
    let all = GenConfig {
        ties: 1.0,
        mixed_units: 1.0,
        min_len: 6,
        max_len: 6,
        position: Some(Position::First),
        include_seed_example: false,
        ..GenConfig::default()
    };
    let items = generate(2, 300, &all).unwrap();
    assert!(items.iter().all(|i| i.knobs.ties && i.gold.len() >= 2));
    assert!(items.iter().all(|i| i.options.len() == 6));
    assert!(
        items.iter().all(|i| i.gold[0] == 'A'),
        "forced first position"
    );
    let unit_items: Vec<&Item> = items
        .iter()
        .filter(|i| matches!(i.kind, Kind::Grams | Kind::Distance))
        .collect();
    assert!(!unit_items.is_empty());
    assert!(unit_items.iter().all(|i| i.knobs.mixed_units));
}

#[test]
fn bad_generator_settings_are_rejected() {
    for bad in [
        GenConfig {
            ties: 1.5,
            ..GenConfig::default()
        },
        GenConfig {
            min_len: 2,
            ..GenConfig::default()
        },
        GenConfig {
            max_len: 11,
            ..GenConfig::default()
        },
        GenConfig {
            max_distractors: 3,
            ..GenConfig::default()
        },
    ] {
        assert!(generate(1, 5, &bad).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every generated item is consistent, its knobs describe its options, and the
    /// solver (which parses the printed text, not the stored values) gets it right.
    #[test]
    fn every_item_is_consistent_and_solvable(seed in any::<u64>()) {
        let items = generate(seed, 60, &GenConfig::default()).unwrap();
        for item in &items {
            prop_assert!(item.validate().is_ok(), "{}: {:?}", item.id, item.validate());
            prop_assert_eq!(item.knobs.ties, item.gold.len() > 1);
            prop_assert_eq!(item.knobs.length, item.options.len());
            prop_assert_eq!(item.knobs.negatives, item.options.iter().any(|o| o.value < 0));
            prop_assert!((3..=8).contains(&item.options.len()));
            for o in &item.options {
                let line_start = format!("{}) {}", o.label, o.name);
                prop_assert!(item.prompt.contains(&line_start), "{}", line_start);
                prop_assert!(item.prompt.contains(&o.text));
            }
            if item.target.rank() == 1 {
                let values: Vec<i64> = item.options.iter().map(|o| o.value).collect();
                let first = if item.target.wants_high() { Target::Max } else { Target::Min };
                prop_assert_eq!(first.winners(&values).len(), 1, "first place never tied");
            }
            let v = judge(item, Some(&Baseline::Solver.respond(item)));
            prop_assert_eq!(v.all, Outcome::Correct, "{}", item.id);
        }
    }
}

#[test]
fn extraction_layers_fire_in_order() {
    let item = seed_example();
    let cases: [(&str, &[char], Option<Layer>); 14] = [
        ("D", &['D'], Some(Layer::BareLetter)),
        ("(e).", &['E'], Some(Layer::BareLetter)),
        ("D, E", &['D', 'E'], Some(Layer::BareLetter)),
        ("d and e", &['D', 'E'], Some(Layer::BareLetter)),
        ("Answer: E", &['E'], Some(Layer::AnswerLine)),
        (
            "I think... The answer is (D) and (E)",
            &['D', 'E'],
            Some(Layer::AnswerLine),
        ),
        ("answer: Mexico City", &['E'], Some(Layer::AnswerLine)),
        (
            "Answer: B\nWait.\nAnswer: D",
            &['D'],
            Some(Layer::AnswerLine),
        ),
        (
            "The smallest is São Paulo.",
            &['D'],
            Some(Layer::EntityName),
        ),
        (
            "Tokyo is big. Mexico City is smallest.",
            &['E'],
            Some(Layer::EntityName),
        ),
        (
            "Between (B) and (C), I pick (C)",
            &['C'],
            Some(Layer::LastOption),
        ),
        (
            "A city like that is option B",
            &['B'],
            Some(Layer::LastOption),
        ),
        ("I have no idea.", &[], None),
        ("", &[], None),
    ];
    for (reply, labels, layer) in cases {
        let e = extract(reply, &item);
        assert_eq!((e.labels.as_slice(), e.layer), (labels, layer), "{reply:?}");
    }
}

#[test]
fn name_extraction_prefers_the_longest_name() {
    let mut item = seed_example();
    item.options[0].name = "Summit".into();
    item.options[1].name = "Summit Pro".into();
    let e = extract("Clearly the Summit Pro.", &item);
    assert_eq!(e.labels, vec!['B']);
    let e = extract("Summit, not Summit Pro, and not summitry.", &item);
    assert_eq!(e.labels, vec!['A', 'B']);
}

#[test]
fn tie_policies_score_the_seed_item_differently() {
    let item = seed_example();
    let cases = [
        ("D", Outcome::Correct, Outcome::Wrong),
        ("E", Outcome::Correct, Outcome::Wrong),
        ("D, E", Outcome::Correct, Outcome::Correct),
        ("C, D, E", Outcome::Wrong, Outcome::Wrong),
        ("C", Outcome::Wrong, Outcome::Wrong),
        ("no idea", Outcome::Unextracted, Outcome::Unextracted),
    ];
    for (reply, any, all) in cases {
        let v = judge(&item, Some(reply));
        assert_eq!((v.any, v.all), (any, all), "{reply:?}");
    }
    assert_eq!(judge(&item, None).all, Outcome::Unextracted);
}

#[test]
fn the_lexicographic_baseline_falls_for_string_order() {
    let nine_ten = with_texts(Target::Max, &["9", "10", "3"]);
    assert_eq!(nine_ten.gold, vec!['B']);
    assert_eq!(Baseline::Lexicographic.respond(&nine_ten), "Answer: A");
    let units = with_texts(Target::Max, &["950", "1.2k", "22"]);
    assert_eq!(units.gold, vec!['B']);
    assert_eq!(Baseline::Lexicographic.respond(&units), "Answer: A");
    assert_eq!(Baseline::Solver.respond(&units), "Answer: B");
    let second = with_texts(Target::SecondMax, &["30", "20", "20", "10"]);
    assert_eq!(second.gold, vec!['B', 'C']);
    assert_eq!(Baseline::Solver.respond(&second), "Answer: B, C");
    // The random baseline is seeded per item: same seed, same letter.
    let item = seed_example();
    assert_eq!(
        Baseline::Random(4).respond(&item),
        Baseline::Random(4).respond(&item)
    );
}

#[test]
fn wilson_interval_matches_known_values() {
    let (lo, hi) = wilson(50, 100);
    assert!((lo - 0.4038).abs() < 1e-3 && (hi - 0.5962).abs() < 1e-3);
    let (lo, hi) = wilson(100, 100);
    assert!(
        (lo - 0.9630).abs() < 1e-3 && (hi - 1.0).abs() < 1e-9,
        "{lo} {hi}"
    );
    let (lo, _) = wilson(0, 20);
    assert_eq!(lo, 0.0);
}

#[test]
fn score_reports_unknown_ids_duplicates_and_missing_items() {
    let items = generate(9, 4, &GenConfig::default()).unwrap();
    let answers = vec![
        (1, answer("m", &items[0].id, "D, E")),
        (2, answer("m", &items[0].id, "A")),
        (3, answer("m", "no-such-item", "A")),
        (4, answer("m", &items[1].id, "refuse to say")),
        (5, answer("other", &items[2].id, "A")),
    ];
    let report = score(&items, &answers, TiePolicy::All);
    assert_eq!(report.stray.len(), 2);
    assert_eq!(report.stray[0].reason, "duplicate answer (first on line 1)");
    assert_eq!(
        (report.stray[1].line, report.stray[1].id.as_str()),
        (3, "no-such-item")
    );
    assert_eq!(report.models.len(), 2);
    let m = &report.models[0].overall;
    assert_eq!((m.n, m.correct, m.unextracted, m.missing), (4, 1, 1, 2));
    assert_eq!(report.models[1].overall.missing, 3);
    assert_eq!(
        report.tied_items,
        items.iter().filter(|i| i.gold.len() > 1).count()
    );
}

#[test]
fn the_missed_table_counts_ties_and_never_calls_the_first_of_them_the_hardest() {
    use behilos::report::{Section, render_text};
    let items = generate(9, 4, &GenConfig::default()).unwrap();
    let right = |i: usize| {
        items[i]
            .gold
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let run = |missed_by_both: &[usize]| {
        let mut answers = Vec::new();
        for (k, item) in items.iter().enumerate() {
            for (m, model) in ["m1", "m2"].iter().enumerate() {
                // m1 also misses item 3: missed by one model, below the top count.
                let miss = missed_by_both.contains(&k) || (m == 0 && k == 3);
                let text = if miss {
                    "refuse to say".to_string()
                } else {
                    right(k)
                };
                answers.push((answers.len() + 1, answer(model, &item.id, &text)));
            }
        }
        let report = score(&items, &answers, TiePolicy::All);
        render_text(&report, &items, &[Section::Missed])
    };
    let tied = run(&[0, 2]);
    assert!(
        tied.contains("2 items are missed by 2 of 2 models"),
        "{tied}"
    );
    assert!(
        tied.contains(&format!("the first of them, {}:", items[0].id)),
        "{tied}"
    );
    assert!(!tied.contains("hardest"), "{tied}");
    let alone = run(&[2]);
    assert!(
        alone.contains(&format!("the hardest one, {}:", items[2].id)),
        "{alone}"
    );
    assert!(!alone.contains("items are missed by"), "{alone}");
}
