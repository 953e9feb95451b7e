//! The page's Try it block: ask GlobalTech's five systems a question, as any role, with a
//! system down or slow, and see the route, the fan-out, the normalised figures per
//! division and the cited answer. It runs the same router, adapters, normaliser, engine
//! and offline answer as `erp-rag ask`, over the fixtures compiled into the library
//! ([`Engine::bundled`]) and with the fan-out on a virtual clock
//! ([`Engine::gather_virtual`]), so it also runs as wasm32 in the reader's browser (see
//! [`kit::tryit`]). `cargo run -p erp-rag --example try_it -- --help` lists the same knobs.

use std::time::Duration;

use kit::tryit::{Engine as TryIt, Kind, Knob, TryItError, Values};

use crate::config::Role;
use crate::engine::Engine;
use crate::retrieve::Retriever;
use crate::sources::Fault;

/// The seed's question, the page's main example.
pub const SEED_QUESTION: &str = "What's our inventory value across all divisions?";

/// Example questions: (knob value, question). One per kind of route.
pub const EXAMPLES: &[(&str, &str)] = &[
    ("value-germany", "What is the inventory value in Germany?"),
    (
        "steel-coil-kg",
        "How many kilograms of steel coil are in stock across all divisions?",
    ),
    (
        "top-3-parts",
        "What are the top 3 parts by inventory value?",
    ),
    (
        "open-po-china",
        "What is the total value of open purchase orders in China?",
    ),
    (
        "revenue-q3",
        "What was total revenue in Q3 2024 across all divisions?",
    ),
    ("headcount", "How many employees does GlobalTech have?"),
    ("salary-mexico", "What is the average salary in Mexico?"),
    ("late-boards", "Why were the control boards delivered late?"),
    (
        "inspector-mexico",
        "Who is the quality inspector in Mexico?",
    ),
];

const EXAMPLE_CHOICES: &[&str] = &[
    "none",
    "value-germany",
    "steel-coil-kg",
    "top-3-parts",
    "open-po-china",
    "revenue-q3",
    "headcount",
    "salary-mexico",
    "late-boards",
    "inspector-mexico",
];

const SOURCE_CHOICES: &[&str] = &[
    "none",
    "s4hana-us",
    "r3-de",
    "netsuite-cn",
    "d365-mx",
    "corp-db",
];

/// Day 6's engine for the page: knobs `question`, `example`, `role`, `down`, `slow`,
/// `slow_ms`, `retriever`.
pub const ENGINE: TryIt = TryIt {
    chapter: "erp-rag",
    title: "ask GlobalTech's five systems a question (or pick an example), as any role, with one system down or slow; the router picks the sources, the adapters normalise their records and every figure is cited.",
    knobs: &[
        Knob {
            name: "question",
            label: "question",
            help: "any question in English; the router decides which systems can answer it",
            kind: Kind::Text {
                rows: 2,
                max_bytes: 2000,
            },
            default: SEED_QUESTION,
        },
        Knob {
            name: "example",
            label: "or an example",
            help: "an example question asked instead of the one typed above (none = ask the typed one)",
            kind: Kind::Choice(EXAMPLE_CHOICES),
            default: "none",
        },
        Knob {
            name: "role",
            label: "role",
            help: "who is asking: only hr may read personnel records",
            kind: Kind::Choice(&["analyst", "finance", "hr"]),
            default: "analyst",
        },
        Knob {
            name: "down",
            label: "down",
            help: "a system that refuses connections",
            kind: Kind::Choice(SOURCE_CHOICES),
            default: "none",
        },
        Knob {
            name: "slow",
            label: "slow",
            help: "a system that answers only after slow_ms",
            kind: Kind::Choice(SOURCE_CHOICES),
            default: "none",
        },
        Knob {
            name: "slow_ms",
            label: "slow_ms",
            help: "the slow system's latency in ms (every timeout is 2000 ms)",
            kind: Kind::Int {
                min: 0,
                max: 10_000,
            },
            default: "2500",
        },
        Knob {
            name: "retriever",
            label: "retriever",
            help: "how open questions rank passages: BM25, hashed vectors, or their RRF fusion",
            kind: Kind::Choice(&["hybrid", "bm25", "vector"]),
            default: "hybrid",
        },
    ],
    run,
};

/// Width the answer's prose is wrapped to (the CLI wraps at 78).
const WIDTH: usize = 96;

fn knob_error(knob: &str, message: impl Into<String>) -> TryItError {
    TryItError::Knob {
        knob: knob.to_string(),
        message: message.into(),
    }
}

fn run(v: &Values) -> Result<String, TryItError> {
    let example = v.text("example")?;
    let question = match EXAMPLES.iter().find(|(k, _)| *k == example) {
        Some((_, q)) => q,
        None => v.text("question")?.trim(),
    };
    if question.is_empty() {
        return Err(knob_error(
            "question",
            "the question is empty: type one, or pick an example",
        ));
    }
    let role = Role::parse(v.text("role")?).map_err(|e| knob_error("role", e.to_string()))?;
    let retriever = match v.text("retriever")? {
        "bm25" => Retriever::Bm25,
        "vector" => Retriever::Vector,
        _ => Retriever::Hybrid,
    };
    let mut engine = Engine::bundled().map_err(TryItError::engine)?;
    let down = v.text("down")?;
    let slow = v.text("slow")?;
    if down != "none" {
        engine
            .inject(down, Fault::Down)
            .map_err(|e| knob_error("down", e.to_string()))?;
    }
    if slow != "none" {
        if slow == down {
            return Err(knob_error(
                "slow",
                format!("{slow} is already down: pick another system, or none"),
            ));
        }
        let ms = u64::try_from(v.int("slow_ms")?)
            .map_err(|_| knob_error("slow_ms", "must not be negative"))?;
        engine
            .inject(slow, Fault::Slow(Duration::from_millis(ms)))
            .map_err(|e| knob_error("slow", e.to_string()))?;
    }
    let findings = engine.gather_virtual(question, role, retriever);
    let written = crate::answer::write_offline(&findings);
    Ok(crate::render::ask_text_width(
        &findings,
        &written,
        "virtual clock",
        WIDTH,
    ))
}

#[cfg(test)]
mod tests {
    use super::ENGINE;

    fn line<'a>(out: &'a str, start: &str) -> &'a str {
        out.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?} in\n{out}"))
    }

    #[test]
    fn defaults_answer_the_seed_question_with_citations() {
        let out = ENGINE.run_defaults().unwrap();
        assert!(
            out.starts_with("Question: What's our inventory value"),
            "{out}"
        );
        assert!(
            line(&out, "Route:").contains("s4hana-us, r3-de, netsuite-cn, d365-mx"),
            "{out}"
        );
        // the same figure as the CLI and the evaluation's gold answer
        assert!(out.contains("USD 20,447,213.40"), "{out}");
        assert!(out.contains("[r3-de:MB52:4711/DE01]"), "{out}");
        assert!(
            line(&out, "| Germany").contains("EUR 3,787,550.45"),
            "{out}"
        );
    }

    #[test]
    fn a_division_that_does_not_answer_means_no_total() {
        for query in ["down=r3-de", "slow=r3-de&slow_ms=2500"] {
            let out = ENGINE.run_query(query).unwrap();
            assert!(out.contains("NO TOTAL"), "{query}: {out}");
            assert!(out.contains("- MISSING Germany"), "{query}: {out}");
            assert!(!out.contains("USD 20,447,213.40"), "{query}: {out}");
        }
        // within the timeout, slow is only slow: the total is back, later
        let out = ENGINE.run_query("slow=r3-de&slow_ms=1900").unwrap();
        assert!(out.contains("USD 20,447,213.40"), "{out}");
        assert!(out.contains("All sources done after 1900 ms"), "{out}");
    }

    #[test]
    fn personnel_records_only_for_hr() {
        let analyst = ENGINE.run_query("example=salary-mexico").unwrap();
        assert!(analyst.contains("restricted to the hr role"), "{analyst}");
        assert!(
            !analyst.contains("Fan-out"),
            "no system is asked: {analyst}"
        );
        let hr = ENGINE.run_query("example=salary-mexico&role=hr").unwrap();
        assert!(hr.contains("[d365-mx:Employees:"), "{hr}");
    }

    #[test]
    fn open_questions_are_retrieved_and_cited() {
        let out = ENGINE
            .run_query("example=late-boards&retriever=bm25")
            .unwrap();
        assert!(line(&out, "Route:").contains("open question"), "{out}");
        assert!(out.contains("[netsuite-cn:purchaseOrder:"), "{out}");
    }

    #[test]
    fn bad_knobs_are_named() {
        let err = ENGINE.run_query("question=+++").unwrap_err().to_string();
        assert!(err.contains("`question`") && err.contains("empty"), "{err}");
        let err = ENGINE.run_query("down=sap-fr").unwrap_err().to_string();
        assert!(err.contains("`down`"), "{err}");
        let err = ENGINE
            .run_query("down=r3-de&slow=r3-de")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`slow`") && err.contains("already down"),
            "{err}"
        );
        let err = ENGINE.run_query("slow_ms=-5").unwrap_err().to_string();
        assert!(err.contains("`slow_ms`"), "{err}");
    }
}
