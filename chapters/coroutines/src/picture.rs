//! The seed run as a picture: the generator's state machine beside the run's trace.
//!
//! [`rows`] reads a [`Trace`] of the seed's program (the one `seed` prints) and turns
//! each [`Transition`] into a row: which generator, what happened, the state it left
//! the generator in, and what printed until the next transition. [`state_machine_svg`]
//! draws them with [`kit::svg::Canvas`]: on the left the states of the enum rustc
//! generates for the body ([`CountToLimit`](crate::counter::CountToLimit)'s
//! `Unresumed`, `Suspend0`, `Returned`, plus *running* while a `next()` call runs the
//! body and *dropped* once a paused frame is freed), each transition labelled with how
//! often the run took it; on the right the run's transitions top to bottom, one mark
//! each, coloured by the state it leaves.

use std::collections::BTreeMap;

use kit::svg::{Canvas, PALETTE};

use crate::counter::Flavour;
use crate::seed::{GenEvent, Line, SeedProgram, Trace};

/// The most rows the picture draws; its title says when a run has more.
pub const MAX_ROWS: usize = 23;

/// Where a generator is after a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Created, body not started (rustc's `Unresumed`; CPython's `GEN_CREATED`).
    Unresumed,
    /// A `next()` call is running the body (CPython's `GEN_RUNNING`).
    Running,
    /// Paused at the `yield`, having handed over `i` (rustc's `Suspend0`).
    Suspend0 {
        /// The value last yielded.
        i: u64,
    },
    /// The body returned; the frame is freed (rustc's `Returned`).
    Returned,
    /// Dropped while paused: the frame is freed (CPython: `close()`).
    Dropped,
}

/// The five boxes of the state machine, in drawing order.
const BOXES: [Kind; 5] = [
    Kind::Unresumed,
    Kind::Running,
    Kind::Suspend0,
    Kind::Returned,
    Kind::Dropped,
];

/// A [`State`] without its data: one box of the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Unresumed,
    Running,
    Suspend0,
    Returned,
    Dropped,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Unresumed => "Unresumed",
            Kind::Running => "running",
            Kind::Suspend0 => "Suspend0 { i }",
            Kind::Returned => "Returned",
            Kind::Dropped => "dropped",
        }
    }

    /// What it means, in one short line.
    fn meaning(self) -> &'static str {
        match self {
            Kind::Unresumed => "created, no body run",
            Kind::Running => "inside a next() call",
            Kind::Suspend0 => "paused at yield i",
            Kind::Returned => "body ended",
            Kind::Dropped => "frame freed",
        }
    }

    /// CPython's `inspect.getgeneratorstate` for it.
    fn python(self) -> &'static str {
        match self {
            Kind::Unresumed => "GEN_CREATED",
            Kind::Running => "GEN_RUNNING",
            Kind::Suspend0 => "GEN_SUSPENDED",
            Kind::Returned | Kind::Dropped => "GEN_CLOSED",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Kind::Unresumed => PALETTE[0],
            Kind::Running => PALETTE[1],
            Kind::Suspend0 => PALETTE[2],
            Kind::Returned => PALETTE[3],
            Kind::Dropped => PALETTE[5],
        }
    }

    /// The box: top-left corner and size.
    fn frame(self) -> ((f64, f64), (f64, f64)) {
        match self {
            Kind::Unresumed => ((80.0, 66.0), (160.0, 50.0)),
            Kind::Running => ((80.0, 166.0), (160.0, 50.0)),
            Kind::Suspend0 => ((80.0, 266.0), (160.0, 50.0)),
            Kind::Returned => ((14.0, 380.0), (124.0, 50.0)),
            Kind::Dropped => ((162.0, 380.0), (124.0, 50.0)),
        }
    }
}

impl State {
    fn kind(self) -> Kind {
        match self {
            State::Unresumed => Kind::Unresumed,
            State::Running => Kind::Running,
            State::Suspend0 { .. } => Kind::Suspend0,
            State::Returned => Kind::Returned,
            State::Dropped => Kind::Dropped,
        }
    }

    /// The label the trace column gives it.
    pub fn label(self) -> String {
        match self {
            State::Suspend0 { i } => format!("Suspend0 {{ i: {i} }}"),
            other => other.kind().name().to_string(),
        }
    }

    /// The state `event` leaves a generator in.
    pub fn after(event: GenEvent) -> State {
        match event {
            GenEvent::Created => State::Unresumed,
            GenEvent::Resumed => State::Running,
            GenEvent::Yielded(i) => State::Suspend0 { i },
            GenEvent::Returned => State::Returned,
            GenEvent::Dropped(_) => State::Dropped,
        }
    }
}

/// One step of the run: a transition of one generator and what printed after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Which generator (`#1` is `counter`, `#2` the `for` loop's).
    pub generator: u32,
    /// What happened.
    pub event: GenEvent,
    /// The state it left the generator in.
    pub state: State,
    /// The lines written from this transition to the next: printed lines as printed,
    /// silent events as `~ note`. (A transition's own note is not repeated.)
    pub output: Vec<String>,
}

impl Row {
    /// The event column's text.
    pub fn event_label(&self) -> String {
        match self.event {
            GenEvent::Created => "created".into(),
            GenEvent::Resumed => "next() resumes".into(),
            GenEvent::Yielded(i) => format!("yields {i}"),
            GenEvent::Returned => "returns".into(),
            GenEvent::Dropped(i) => format!("dropped at yield {i}"),
        }
    }
}

/// Every transition of the run, in order, with the lines written after it.
pub fn rows(trace: &Trace) -> Vec<Row> {
    let lines = trace.lines();
    let transitions = trace.transitions();
    // Returned and Dropped write their note at their own index: it is the row itself.
    let own_notes: Vec<usize> = transitions
        .iter()
        .filter(|t| matches!(t.event, GenEvent::Returned | GenEvent::Dropped(_)))
        .map(|t| t.line)
        .collect();
    transitions
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let end = transitions.get(k + 1).map_or(lines.len(), |n| n.line);
            let output = (t.line..end.max(t.line))
                .filter(|at| !own_notes.contains(at))
                .filter_map(|at| match &lines[at] {
                    Line::Printed(s) => Some(s.clone()),
                    Line::Note(n) => Some(format!("~ {n}")),
                    Line::LoopStart => None,
                })
                .collect();
            Row {
                generator: t.generator,
                event: t.event,
                state: State::after(t.event),
                output,
            }
        })
        .collect()
}

/// How often the run took each edge of the state machine, `(from, to)` → count.
/// `None` as `from` is the generator's creation.
fn edge_counts(rows: &[Row]) -> BTreeMap<(Option<Kind>, Kind), usize> {
    let mut last: BTreeMap<u32, Kind> = BTreeMap::new();
    let mut counts = BTreeMap::new();
    for r in rows {
        let to = r.state.kind();
        let from = last.insert(r.generator, to);
        *counts.entry((from, to)).or_insert(0) += 1;
    }
    counts
}

const DARK: &str = "#333";
const GREY: &str = "#555";
const TOP: f64 = 72.0;
const ROW_H: f64 = 18.0;

/// The y of row `k`'s baseline on the right.
fn row_y(k: usize) -> f64 {
    TOP + ROW_H * k as f64
}

/// Up to `max` characters of `s`, with `…` when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// An arrow along `points`, its head at the last point.
fn arrow(c: &mut Canvas, points: &[(f64, f64)], used: bool) {
    let style = if used {
        format!(r#"stroke="{DARK}" stroke-width="1.5""#)
    } else {
        r##"stroke="#999" stroke-width="1.2" stroke-dasharray="4 3""##.to_string()
    };
    c.polyline(points, &style, None);
    let n = points.len();
    let ((x0, y0), (x1, y1)) = (points[n - 2], points[n - 1]);
    let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt().max(1e-9);
    let (ux, uy) = ((x1 - x0) / len, (y1 - y0) / len);
    let back = (x1 - 8.0 * ux, y1 - 8.0 * uy);
    let head = [
        (back.0 - 4.5 * uy, back.1 + 4.5 * ux),
        (x1, y1),
        (back.0 + 4.5 * uy, back.1 - 4.5 * ux),
    ];
    c.polyline(&head, &style, None);
}

/// The left half: the five states and the transitions between them, each labelled
/// with how often this run took it (dashed when it never did).
fn draw_machine(c: &mut Canvas, counts: &BTreeMap<(Option<Kind>, Kind), usize>) {
    let n = |from: Option<Kind>, to: Kind| counts.get(&(from, to)).copied().unwrap_or(0);
    c.text(
        150.0,
        50.0,
        &format!(r#"text-anchor="middle" font-weight="bold" fill="{DARK}""#),
        "states (rustc's enum for the body)",
    );
    for kind in BOXES {
        let ((x, y), (w, h)) = kind.frame();
        c.rect(
            (x, y),
            (w, h),
            &format!(
                r#"fill="white" stroke="{}" stroke-width="2" rx="6" data-state="{}""#,
                kind.colour(),
                kind.name()
            ),
            None,
        );
        c.rect(
            (x, y),
            (6.0, h),
            &format!(r#"fill="{}""#, kind.colour()),
            None,
        );
        let cx = x + 3.0 + w / 2.0;
        c.text(
            cx,
            y + 17.0,
            &format!(r#"text-anchor="middle" font-weight="bold" fill="{DARK}""#),
            kind.name(),
        );
        c.text(
            cx,
            y + 31.0,
            &format!(r#"text-anchor="middle" font-size="10" fill="{GREY}""#),
            kind.meaning(),
        );
        c.text(
            cx,
            y + 44.0,
            &format!(
                r#"text-anchor="middle" font-size="10" fill="{GREY}" font-family="monospace""#
            ),
            kind.python(),
        );
    }
    let label = |c: &mut Canvas, x: f64, y: f64, anchor: &str, what: &str, times: usize| {
        let attrs = format!(r#"text-anchor="{anchor}" font-size="11" fill="{DARK}""#);
        c.text(x, y, &attrs, what);
        c.text(
            x,
            y + 13.0,
            &format!(r#"text-anchor="{anchor}" font-size="11" fill="{GREY}""#),
            &format!("×{times}"),
        );
    };
    // creation: count_to_million() → Unresumed
    let created = n(None, Kind::Unresumed);
    arrow(c, &[(24.0, 104.0), (80.0, 104.0)], created > 0);
    label(c, 24.0, 80.0, "start", "call", created);
    // Unresumed → running: the first next()
    let first = n(Some(Kind::Unresumed), Kind::Running);
    arrow(c, &[(160.0, 116.0), (160.0, 166.0)], first > 0);
    label(c, 168.0, 137.0, "start", "next()", first);
    // running → Suspend0: yield
    let yields = n(Some(Kind::Running), Kind::Suspend0);
    arrow(c, &[(135.0, 216.0), (135.0, 266.0)], yields > 0);
    label(c, 129.0, 237.0, "end", "yield i", yields);
    // Suspend0 → running: next() resumes after the yield
    let resumes = n(Some(Kind::Suspend0), Kind::Running);
    arrow(c, &[(190.0, 266.0), (190.0, 216.0)], resumes > 0);
    label(c, 196.0, 237.0, "start", "next()", resumes);
    // running → Returned: the body ends
    let returns = n(Some(Kind::Running), Kind::Returned);
    arrow(
        c,
        &[(80.0, 191.0), (40.0, 191.0), (40.0, 380.0)],
        returns > 0,
    );
    label(c, 46.0, 337.0, "start", "return", returns);
    // Suspend0 → dropped: the paused frame is freed
    let drops = n(Some(Kind::Suspend0), Kind::Dropped);
    arrow(c, &[(210.0, 316.0), (210.0, 380.0)], drops > 0);
    label(c, 216.0, 345.0, "start", "drop", drops);
    c.text(
        216.0,
        371.0,
        &format!(r#"font-size="10" fill="{GREY}""#),
        "(Python: close())",
    );
    c.text(
        14.0,
        452.0,
        &format!(r#"font-size="10" fill="{GREY}""#),
        "×n: times this run took the arrow (dashed: never).",
    );
    c.text(
        14.0,
        466.0,
        &format!(r#"font-size="10" fill="{GREY}""#),
        "Last line: CPython's inspect.getgeneratorstate().",
    );
}

/// The seed run's state machine and trace as one `<svg>`: `rows(trace)` drawn top to
/// bottom (the first [`MAX_ROWS`]), beside the states they move through.
pub fn state_machine_svg(flavour: Flavour, p: SeedProgram, trace: &Trace) -> String {
    let all = rows(trace);
    let shown = &all[..all.len().min(MAX_ROWS)];
    let height = (row_y(shown.len()) + 4.0).max(480.0);
    let title = if shown.len() < all.len() {
        format!(
            "count_to_million's states and the seed run ({flavour}), first {} of {} steps",
            shown.len(),
            all.len()
        )
    } else {
        format!("count_to_million's states and the seed run ({flavour}), step by step")
    };
    let mut c = Canvas::new(
        800.0,
        height,
        &format!(
            "{title}: range 1..={}, {} next() calls, the loop breaks at num > {}",
            p.limit, p.pulls, p.stop_above
        ),
    );
    c.title(&title);
    draw_machine(&mut c, &edge_counts(&all));

    // The right half: the trace.
    let (x_gen, x_mark, x_event, x_state, x_out) = (306.0, 334.0, 346.0, 446.0, 578.0);
    c.line((298.0, 36.0), (298.0, height - 8.0), r##"stroke="#ddd""##);
    let head = format!(r#"font-size="11" font-weight="bold" fill="{DARK}""#);
    c.text(x_gen, 50.0, &head, "gen");
    c.text(x_event, 50.0, &head, "event");
    c.text(x_state, 50.0, &head, "state after");
    c.text(x_out, 50.0, &head, "then prints (~ silent)");
    if !shown.is_empty() {
        c.line(
            (x_mark, row_y(0) - 4.0),
            (x_mark, row_y(shown.len() - 1) - 4.0),
            r##"stroke="#ccc" stroke-width="2""##,
        );
    }
    let body = format!(r#"font-size="11" fill="{DARK}""#);
    for (k, r) in shown.iter().enumerate() {
        let y = row_y(k);
        if k > 0 && shown[k - 1].generator != r.generator {
            c.line((x_gen, y - 13.0), (792.0, y - 13.0), r##"stroke="#eee""##);
        }
        c.text(x_gen, y, &body, &format!("#{}", r.generator));
        c.circle(
            (x_mark, y - 4.0),
            5.0,
            &format!(
                r#"fill="{}" stroke="white" data-step="{}" data-state="{}""#,
                r.state.kind().colour(),
                k + 1,
                r.state.kind().name()
            ),
            Some(&format!(
                "step {}: generator #{} {} → {}",
                k + 1,
                r.generator,
                r.event_label(),
                r.state.label()
            )),
        );
        c.text(x_event, y, &body, &r.event_label());
        c.text(
            x_state,
            y,
            &format!(r#"font-size="11" fill="{DARK}" font-family="monospace""#),
            &r.state.label(),
        );
        let out = if r.output.is_empty() && r.event == GenEvent::Created {
            "(none of the body runs)".to_string()
        } else {
            r.output.join(" · ")
        };
        c.text(
            x_out,
            y,
            &format!(r#"font-size="11" fill="{GREY}""#),
            &clip(&out, 37),
        );
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_marks_a_cut() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("abcdef", 4), "abc…");
    }

    #[test]
    fn state_after_each_event() {
        assert_eq!(
            State::after(GenEvent::Yielded(3)).label(),
            "Suspend0 { i: 3 }"
        );
        assert_eq!(State::after(GenEvent::Created), State::Unresumed);
        assert_eq!(State::after(GenEvent::Dropped(6)), State::Dropped);
    }
}
