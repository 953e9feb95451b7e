//! The page's Try it block: pick an item, type a model's answer, and see which
//! extraction layer read it, what it read, and the verdict under each tie policy.
//!
//! It runs the crate's own [`crate::generate::generate`], [`crate::extract::read_layer`]
//! and [`crate::score::judge`]: pure computation, so it also runs as wasm32 in the
//! reader's browser (see [`kit::tryit`]); `cargo run -p behilos --example try_it --
//! --help` lists the same knobs.

use std::fmt::Write as _;

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};

use crate::extract::{Layer, read_layer};
use crate::generate::{GenConfig, generate};
use crate::item::label_list;
use crate::report::wrap;
use crate::score::{Outcome, TiePolicy, judge, knob_summary};

const POLICIES: &[&str] = &["all", "any"];

/// Day 12's engine for the page: knobs `item`, `seed`, `answer`, `policy`.
pub const ENGINE: Engine = Engine {
    chapter: "behilos",
    title: "pick an item, type what a model might answer, and see how the harness reads and scores it.",
    knobs: &[
        Knob {
            name: "item",
            label: "item",
            help: "which generated item (0 is the seed's own question)",
            kind: Kind::Int { min: 0, max: 999 },
            default: "0",
        },
        Knob {
            name: "seed",
            label: "seed",
            help: "seed of the generated items (the page's reports use 12)",
            kind: Kind::Int {
                min: 0,
                max: 4_294_967_295,
            },
            default: "12",
        },
        Knob {
            name: "answer",
            label: "the model's answer",
            help: "free text, as a model would reply",
            kind: Kind::Text {
                rows: 3,
                max_bytes: 4000,
            },
            default: "The lowest is Mexico City.",
        },
        Knob {
            name: "policy",
            label: "tie policy",
            help: "all: every tied option must be named; any: one tied option is enough",
            kind: Kind::Choice(POLICIES),
            default: "all",
        },
    ],
    run,
};

/// What each layer looks for, in one short phrase.
fn looks_for(layer: Layer) -> &'static str {
    match layer {
        Layer::BareLetter => "a reply that is only letters: D / (D) / d and e",
        Layer::AnswerLine => "the last `Answer: …` or `the answer is …` line",
        Layer::EntityName => "option names in the last sentence naming one",
        Layer::LastOption => "the last option letter: (C) / C) / option C / C",
    }
}

fn verdict(o: Outcome) -> &'static str {
    match o {
        Outcome::Correct => "right",
        Outcome::Wrong => "wrong",
        Outcome::Unextracted => "unread (an extraction failure, not a wrong answer)",
        Outcome::Missing => "missing",
    }
}

fn run(v: &Values) -> Result<String, TryItError> {
    let index = usize::try_from(v.int("item")?).unwrap_or(0);
    let seed = u64::try_from(v.int("seed")?).unwrap_or(0);
    let answer = v.text("answer")?;
    let policy = match v.text("policy")? {
        "any" => TiePolicy::Any,
        _ => TiePolicy::All,
    };
    let other = match policy {
        TiePolicy::Any => TiePolicy::All,
        TiePolicy::All => TiePolicy::Any,
    };
    let items = generate(seed, index + 1, &GenConfig::default()).map_err(TryItError::engine)?;
    let item = items
        .last()
        .ok_or_else(|| TryItError::Engine(format!("seed {seed} generated no item {index}")))?;

    let mut out = format!(
        "Item {} ({}; knobs: {}), gold {{{}}}:\n",
        item.id,
        item.question_type.name(),
        knob_summary(item),
        label_list(&item.gold)
    );
    for line in wrap(&item.prompt, 78).lines() {
        let _ = writeln!(out, "  {line}");
    }
    let shown = if answer.trim().is_empty() {
        "(empty)".to_string()
    } else {
        format!("{:?}", answer)
    };
    let _ = writeln!(out, "\nThe answer: {shown}\n");

    let verdict_now = judge(item, Some(answer));
    let mut used = false;
    let rows: Vec<Vec<String>> = Layer::ALL
        .into_iter()
        .map(|layer| {
            let read = read_layer(layer, answer, item);
            let status = match (&read, used) {
                (None, _) => "does not fire",
                (Some(_), false) => {
                    used = true;
                    "USED"
                }
                (Some(_), true) => "not reached",
            };
            vec![
                layer.name().to_string(),
                looks_for(layer).to_string(),
                read.map_or("-".to_string(), |e| label_list(&e.labels)),
                status.to_string(),
            ]
        })
        .collect();
    out += &kit::table::render(&["layer", "looks for", "reads", "result"], &rows);
    out.push_str("\n\n");
    match verdict_now.extraction.layer {
        Some(layer) => {
            let _ = writeln!(
                out,
                "Extracted {{{}}} (layer `{}`); gold is {{{}}}.",
                label_list(&verdict_now.extraction.labels),
                layer.name(),
                label_list(&item.gold)
            );
        }
        None => {
            let _ = writeln!(out, "No layer fired: nothing extracted.");
        }
    }
    let _ = writeln!(
        out,
        "Tie policy `{}` ({}): {}.",
        policy.name(),
        policy.explain(),
        verdict(verdict_now.outcome(policy))
    );
    let _ = writeln!(
        out,
        "Under `{}` ({}): {}.",
        other.name(),
        other.explain(),
        verdict(verdict_now.outcome(other))
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::ENGINE;

    fn used_layer(out: &str) -> &str {
        out.lines()
            .find(|l| l.contains("USED"))
            .and_then(|l| l.split('|').nth(1))
            .map_or("", str::trim)
    }

    #[test]
    fn defaults_read_a_name_and_split_the_policies() {
        let out = ENGINE.run_defaults().unwrap();
        assert!(out.contains("gold {D, E}"), "{out}");
        assert_eq!(used_layer(&out), "name", "{out}");
        assert!(
            out.contains("Tie policy `all`") && out.contains("): wrong."),
            "{out}"
        );
        assert!(
            out.contains("Under `any`") && out.contains("): right."),
            "{out}"
        );
    }

    #[test]
    fn each_kind_of_reply_fires_its_layer() {
        for (reply, layer, read) in [
            ("D, E", "bare", "D, E"),
            ("Answer: E", "answer:", "E"),
            ("Not (A); the smallest is (C)", "last", "C"),
        ] {
            let q = format!("answer={}", reply.replace(' ', "+").replace(',', "%2C"));
            let out = ENGINE.run_query(&q).unwrap();
            assert_eq!(used_layer(&out), layer, "{reply}\n{out}");
            assert!(
                out.contains(&format!("Extracted {{{read}}}")),
                "{reply}\n{out}"
            );
        }
        let out = ENGINE.run_query("answer=D%2C+E&policy=all").unwrap();
        assert!(
            out.contains("Tie policy `all`") && out.contains("): right."),
            "{out}"
        );
    }

    #[test]
    fn an_unreadable_reply_is_not_a_wrong_one() {
        let out = ENGINE
            .run_query("answer=They+look+about+the+same.")
            .unwrap();
        assert!(out.contains("No layer fired"), "{out}");
        assert!(out.contains("unread (an extraction failure"), "{out}");
    }

    #[test]
    fn other_items_come_from_the_generator() {
        let out = ENGINE.run_query("item=5").unwrap();
        assert!(out.starts_with("Item s12-0005"), "{out}");
        assert_eq!(out, ENGINE.run_query("item=5").unwrap());
    }

    #[test]
    fn bad_knobs_are_named() {
        let err = ENGINE.run_query("item=1000").unwrap_err().to_string();
        assert!(err.contains("knob `item`"), "{err}");
        let err = ENGINE.run_query("policy=most").unwrap_err().to_string();
        assert!(err.contains("knob `policy`"), "{err}");
        let long = "x".repeat(4001);
        let err = ENGINE.run_query(&format!("answer={long}")).unwrap_err();
        assert!(err.to_string().contains("knob `answer`"), "{err}");
    }
}
