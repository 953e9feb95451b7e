//! The page's picture (`seed -- --svg`): one mark per transition of the real run, in
//! the run's order, each with the state the transition leaves; the state machine's
//! counts add up to the same run; every line the run printed is on some row.

use coroutines::counter::{CountToLimit, Flavour};
use coroutines::picture::{MAX_ROWS, Row, State, rows, state_machine_svg};
use coroutines::seed::{GenEvent, Line, SeedProgram, Trace, run_seed_program};

const TRACED: [Flavour; 5] = [
    Flavour::Hand,
    Flavour::Stack,
    Flavour::Rc,
    Flavour::Sync,
    Flavour::Async,
];

fn run(f: Flavour, p: SeedProgram) -> Trace {
    run_seed_program(f, p).expect("a traced flavour")
}

/// `name="value"` of an SVG line.
fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split(&format!(" {name}=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
}

/// The picture's marks: `(data-step, cy, data-state)`, in document order.
fn marks(svg: &str) -> Vec<(usize, f64, String)> {
    svg.lines()
        .filter(|l| l.starts_with("<circle") && l.contains("data-step="))
        .map(|l| {
            (
                attr(l, "data-step").unwrap().parse().unwrap(),
                attr(l, "cy").unwrap().parse().unwrap(),
                attr(l, "data-state").unwrap().to_string(),
            )
        })
        .collect()
}

fn box_name(s: State) -> &'static str {
    match s {
        State::Unresumed => "Unresumed",
        State::Running => "running",
        State::Suspend0 { .. } => "Suspend0 { i }",
        State::Returned => "Returned",
        State::Dropped => "dropped",
    }
}

#[test]
fn one_mark_per_transition_of_the_seed_run_in_its_order() {
    let p = SeedProgram::default();
    let trace = run(Flavour::Rc, p);
    let svg = state_machine_svg(Flavour::Rc, p, &trace);
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    assert_eq!(svg.matches("<svg").count(), 1, "one <svg> element");

    let transitions = trace.transitions();
    let marks = marks(&svg);
    // #1: created, 3 × (resume, yield); #2: created, 6 × (resume, yield); two drops.
    assert_eq!(transitions.len(), 1 + 6 + 1 + 12 + 2);
    assert_eq!(marks.len(), transitions.len(), "a mark per transition");
    for (k, (step, cy, state)) in marks.iter().enumerate() {
        assert_eq!(*step, k + 1, "marks follow the run's order");
        if k > 0 {
            assert!(*cy > marks[k - 1].1, "step {step} is below step {k}");
        }
        let expected = box_name(State::after(transitions[k].event));
        assert_eq!(state, expected, "step {step} shows the state it leaves");
    }
    // The viewBox holds every mark and stays page-sized.
    let vb: Vec<f64> = attr(svg.lines().next().unwrap(), "viewBox")
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(vb[2] <= 800.0 && vb[3] <= 500.0, "{vb:?}");
    assert!(marks.iter().all(|m| m.1 < vb[3]));
}

#[test]
fn each_generator_moves_as_rustcs_enum_does() {
    for f in TRACED {
        for p in [
            SeedProgram::default(),
            SeedProgram {
                limit: 2,
                pulls: 4,
                stop_above: 5,
            },
            SeedProgram {
                limit: 10,
                pulls: 0,
                stop_above: 0,
            },
        ] {
            let rows = rows(&run(f, p));
            for id in [1, 2] {
                let mine: Vec<&Row> = rows.iter().filter(|r| r.generator == id).collect();
                if mine.is_empty() {
                    continue;
                }
                assert_eq!(mine[0].event, GenEvent::Created, "{f} {p:?} #{id}");
                // Each yield is what the hand-written enum yields next, and every
                // resume follows a creation or a yield.
                let mut hand = CountToLimit::new(p.limit);
                let mut before = State::Unresumed;
                for r in &mine[1..] {
                    match r.event {
                        GenEvent::Resumed => assert!(
                            matches!(before, State::Unresumed | State::Suspend0 { .. }),
                            "{f} {p:?} #{id}: resumed from {before:?}"
                        ),
                        GenEvent::Yielded(i) => {
                            assert_eq!(before, State::Running);
                            assert_eq!(hand.next(), Some(i), "{f} {p:?} #{id}");
                        }
                        GenEvent::Returned => {
                            assert_eq!(before, State::Running);
                            assert_eq!(hand.next(), None, "{f} {p:?} #{id}");
                        }
                        GenEvent::Dropped(i) => {
                            assert_eq!(before, State::Suspend0 { i }, "{f} {p:?} #{id}");
                        }
                        GenEvent::Created => panic!("{f} {p:?} #{id}: created twice"),
                    }
                    before = r.state;
                }
            }
        }
    }
}

#[test]
fn every_printed_line_and_note_is_on_exactly_one_row() {
    for f in TRACED {
        for p in [
            SeedProgram::default(),
            SeedProgram {
                limit: 2,
                pulls: 3,
                stop_above: 5,
            },
        ] {
            let trace = run(f, p);
            let rows = rows(&trace);
            let mut shown = Vec::new();
            for r in &rows {
                shown.extend(r.output.iter().cloned());
                // A transition's own note is the row itself.
                match r.event {
                    GenEvent::Returned => shown.push(format!(
                        "~ generator #{} finished; frame freed",
                        r.generator
                    )),
                    GenEvent::Dropped(i) => shown.push(format!(
                        "~ generator #{} dropped while paused at `yield {i}`",
                        r.generator
                    )),
                    _ => {}
                }
            }
            shown.sort();
            let mut all: Vec<String> = trace
                .lines()
                .into_iter()
                .filter_map(|l| match l {
                    Line::Printed(s) => Some(s),
                    Line::Note(n) => Some(format!("~ {n}")),
                    Line::LoopStart => None,
                })
                .collect();
            all.sort();
            assert_eq!(shown, all, "{f} {p:?}");
        }
    }
    // The rows themselves, for the seed: the body's lines on the resume rows, the
    // caller's after the yields.
    let rows = rows(&run(Flavour::Rc, SeedProgram::default()));
    assert_eq!(rows[1].output, ["Starting generator...", "Generating 1"]);
    assert_eq!(rows[2].output, ["1", "Doing other work..."]);
    assert_eq!(rows[3].output, ["Resumed after 1", "Generating 2"]);
    assert_eq!(rows[19].event, GenEvent::Yielded(6));
    assert_eq!(rows[19].output, ["~ break (6 > 5)"]);
}

#[test]
fn all_drivers_draw_the_same_picture() {
    let p = SeedProgram::default();
    let picture = |f| {
        let svg = state_machine_svg(f, p, &run(f, p));
        // only the title names the driver
        svg.replace(&format!("({f})"), "(driver)")
    };
    let rc = picture(Flavour::Rc);
    for f in TRACED {
        assert_eq!(picture(f), rc, "{f}");
    }
    assert_eq!(state_machine_svg(Flavour::Rc, p, &run(Flavour::Rc, p)), {
        let again = run(Flavour::Rc, p);
        state_machine_svg(Flavour::Rc, p, &again)
    });
}

#[test]
fn the_machines_counts_add_up_to_the_run_and_text_is_escaped() {
    let p = SeedProgram::default();
    let svg = state_machine_svg(Flavour::Rc, p, &run(Flavour::Rc, p));
    let counts: Vec<&str> = svg
        .lines()
        .filter_map(|l| l.split('>').nth(1)?.strip_suffix("</text"))
        .filter_map(|t| t.strip_prefix('×'))
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
        .collect();
    // call, first next(), yield, resume, return, drop
    assert_eq!(counts, ["2", "2", "9", "7", "0", "2"]);
    // the never-taken edge (return) is dashed; the others are not
    assert_eq!(
        svg.matches("stroke-dasharray").count(),
        2,
        "return: line + head"
    );
    // the break's `>` is escaped, as is everything the Canvas writes
    assert!(svg.contains("~ break (6 &gt; 5)") && !svg.contains("(6 > 5)"));
}

#[test]
fn a_long_run_is_cut_and_the_title_says_so() {
    let p = SeedProgram {
        limit: 1_000_000,
        pulls: 20,
        stop_above: 5,
    };
    let trace = run(Flavour::Rc, p);
    let svg = state_machine_svg(Flavour::Rc, p, &trace);
    let total = trace.transitions().len();
    assert!(total > MAX_ROWS);
    assert_eq!(marks(&svg).len(), MAX_ROWS);
    assert!(
        svg.contains(&format!("first {MAX_ROWS} of {total} steps")),
        "{svg}"
    );
}
