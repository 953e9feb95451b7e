//! The page's Try it block: step the seed's generator one `next()` at a time and see what
//! each call ran, what it returned and where the body is paused afterwards.
//!
//! It runs [`crate::seed::step_seed_generator`], the seed's `count_to_million` body
//! under the chosen driver (genawaiter's generators, the poll loop, or the hand-written
//! state machine). Pure computation, so it also runs as wasm32 in the reader's browser
//! (see [`kit::tryit`]); `cargo run -p coroutines --example try_it -- --help` lists the
//! same knobs.

use std::fmt::Write as _;

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};

use crate::counter::Flavour;
use crate::seed::{Step, step_seed_generator};

const FLAVOURS: &[&str] = &["rc", "stack", "sync", "async", "hand"];

/// The most `next()` calls the block makes (one table row each).
pub const MAX_CALLS: i64 = 30;

/// Day 4's engine for the page: knobs `flavour`, `limit`, `calls`.
pub const ENGINE: Engine = Engine {
    chapter: "coroutines",
    title: "call next() on the seed's count_to_million generator as often as you like and watch it run, pause and finish, one call per row.",
    knobs: &[
        Knob {
            name: "flavour",
            label: "driver",
            help: "who runs the generator body: genawaiter's rc, stack or sync generator, the async-fn poll loop, or the hand-written state machine",
            kind: Kind::Choice(FLAVOURS),
            default: "rc",
        },
        Knob {
            name: "limit",
            label: "limit",
            help: "the generator yields 1..=limit (the seed: 1000000)",
            kind: Kind::Int {
                min: 0,
                max: 1_000_000_000_000,
            },
            default: "3",
        },
        Knob {
            name: "calls",
            label: "next() calls",
            help: "how many times to call next() (the seed: 3)",
            kind: Kind::Int {
                min: 0,
                max: MAX_CALLS,
            },
            default: "5",
        },
    ],
    run,
};

fn returned(step: &Step) -> String {
    match (step.returned, step.resumed) {
        (Some(v), _) => format!("Some({v})"),
        (None, true) => "None".into(),
        (None, false) => "None (fused)".into(),
    }
}

fn run(v: &Values) -> Result<String, TryItError> {
    let name = v.text("flavour")?;
    let flavour: Flavour = name.parse().map_err(|e| TryItError::Knob {
        knob: "flavour".into(),
        message: format!("{e}"),
    })?;
    let limit = u64::try_from(v.int("limit")?).unwrap_or(0);
    let calls = u64::try_from(v.int("calls")?).unwrap_or(0);
    let stepping = step_seed_generator(flavour, limit, calls).map_err(TryItError::engine)?;
    let mut out = format!(
        "count_to_million with range(1, {limit} + 1), run by {flavour}: {}.\n",
        flavour.describe()
    );
    let _ = writeln!(
        out,
        "Created, not started: {:?}. Creating a generator runs none of its body.\n",
        stepping.initial
    );
    let rows: Vec<Vec<String>> = stepping
        .steps
        .iter()
        .map(|s| {
            let printed = if s.resumed {
                s.printed.join(" / ")
            } else {
                "(not resumed)".to_string()
            };
            vec![
                s.call.to_string(),
                printed,
                returned(s),
                format!("{:?}", s.state),
            ]
        })
        .collect();
    if rows.is_empty() {
        out += "No next() call: the body never ran.\n";
    } else {
        out += &kit::table::render(
            &[
                "next()",
                "the body printed",
                "returned",
                "state after (rustc's enum)",
            ],
            &rows,
        );
        out.push('\n');
    }
    let mut silent: Vec<String> = Vec::new();
    for s in &stepping.steps {
        silent.extend(
            s.notes
                .iter()
                .map(|n| format!("during next() #{}: {n}", s.call)),
        );
    }
    silent.extend(
        stepping
            .dropped
            .iter()
            .map(|n| format!("when it went out of scope: {n}")),
    );
    if !silent.is_empty() {
        out += "\nSilently (no print in Python either):\n";
        for l in silent {
            let _ = writeln!(out, "  ~ {l}");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::ENGINE;

    #[test]
    fn defaults_run_to_completion_and_then_stay_fused() {
        let out = ENGINE.run_defaults().unwrap();
        assert!(
            out.contains("Starting generator... / Generating 1"),
            "{out}"
        );
        assert!(
            out.contains("Resumed after 3 / Generator complete!"),
            "{out}"
        );
        assert!(out.contains("None (fused)"), "{out}");
        assert!(out.contains("generator #1 finished; frame freed"), "{out}");
    }

    #[test]
    fn each_call_runs_exactly_one_step_and_the_state_follows() {
        let out = ENGINE.run_query("limit=1000000&calls=2").unwrap();
        assert!(out.contains("Suspend0 { i: 2, limit: 1000000 }"), "{out}");
        // not finished: dropped while paused, after the calls
        assert!(
            out.contains(
                "when it went out of scope: generator #1 dropped while paused at `yield 2`"
            ),
            "{out}"
        );
        assert!(!out.contains("Generating 3"), "the body ran ahead:\n{out}");
    }

    #[test]
    fn every_driver_prints_the_same_steps() {
        let body = |f: &str| {
            let out = ENGINE
                .run_query(&format!("flavour={f}&limit=2&calls=4"))
                .unwrap();
            out.lines().skip(1).collect::<Vec<_>>().join("\n")
        };
        let rc = body("rc");
        for f in ["stack", "sync", "async", "hand"] {
            assert_eq!(body(f), rc, "{f}");
        }
    }

    #[test]
    fn no_calls_run_nothing() {
        let out = ENGINE.run_query("calls=0").unwrap();
        assert!(out.contains("the body never ran"), "{out}");
        assert!(!out.contains("Starting generator"), "{out}");
    }

    #[test]
    fn bad_knobs_are_named() {
        let err = ENGINE.run_query("flavour=vec").unwrap_err().to_string();
        assert!(err.contains("knob `flavour`"), "{err}");
        let err = ENGINE.run_query("calls=31").unwrap_err().to_string();
        assert!(err.contains("knob `calls`"), "{err}");
        let err = ENGINE.run_query("limit=-1").unwrap_err().to_string();
        assert!(err.contains("knob `limit`"), "{err}");
    }
}
