//! The fault run as a sequence diagram: shop → outbox → relay → collector.
//!
//! [`sequence`] turns a [`FaultReport`] into steps, one arrow per message in time
//! order, from the same rows the page's table prints ([`fault_row_sources`]): the
//! shop's commits to the outbox, each request the relay sends, the collector's answer
//! (a duplicate, a timeout and a refused connection each drawn as such), the relay
//! marking a batch delivered, and the crashes and restarts. [`sequence_svg`] draws
//! them with [`kit::svg::Canvas`]. Only the table's first rows are drawn, so the
//! picture stays legible; its title says how many.

use std::time::Duration;

use kit::clock::VirtualInstant;
use kit::svg::{Canvas, PALETTE};

use crate::relay::{RelayEvent, SendOutcome};
use crate::scenario::{FaultReport, Happening, fault_row_sources, is_refused};

/// Table rows the page's picture draws: up to the second copy the new relay sends.
pub const DEFAULT_ROWS: usize = 9;

/// A party of the sequence, one lifeline each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The shop's backend: commits each order with its event.
    Shop,
    /// The outbox table in the shop's SQLite database.
    Outbox,
    /// The relay that ships pending events.
    Relay,
    /// The ad platform's collector.
    Collector,
}

impl Party {
    const ALL: [Party; 4] = [Party::Shop, Party::Outbox, Party::Relay, Party::Collector];

    fn name(self) -> &'static str {
        match self {
            Party::Shop => "shop",
            Party::Outbox => "outbox (SQLite)",
            Party::Relay => "relay",
            Party::Collector => "collector",
        }
    }

    fn x(self) -> f64 {
        match self {
            Party::Shop => 160.0,
            Party::Outbox => 320.0,
            Party::Relay => 520.0,
            Party::Collector => 730.0,
        }
    }
}

/// What a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Orders `first..=last` committed to the outbox, each with its event.
    Write {
        /// First outbox sequence number.
        first: usize,
        /// Last outbox sequence number.
        last: usize,
    },
    /// A request with a batch of events.
    Send,
    /// A request whose connection was refused: it never reached the collector.
    Refused,
    /// A 2xx whose events the collector counted as new.
    Accepted,
    /// A 2xx for events the collector already had: dropped as duplicates.
    Duplicate,
    /// A rejection: 5xx, 429, 400.
    Failed,
    /// No answer: the relay's timeout fired (the collector may have kept the events).
    Timeout,
    /// The relay marks the batch delivered in the outbox.
    Delivered,
    /// A new relay process starts on the same outbox.
    RelayRestart,
    /// The collector crashes.
    CollectorDown,
    /// The collector comes back with its ledger from disk.
    CollectorUp,
    /// The relay parked an event it could not read.
    RelayNote,
}

impl StepKind {
    /// True for the steps drawn as an arrow between two lifelines.
    pub fn is_message(self) -> bool {
        !matches!(
            self,
            StepKind::RelayRestart
                | StepKind::CollectorDown
                | StepKind::CollectorUp
                | StepKind::RelayNote
        )
    }

    /// The `data-kind` the drawing gives the step (tests count them).
    pub fn data_kind(self) -> &'static str {
        match self {
            StepKind::Write { .. } => "write",
            StepKind::Send | StepKind::Refused => "send",
            StepKind::Accepted | StepKind::Duplicate | StepKind::Failed | StepKind::Timeout => {
                "reply"
            }
            StepKind::Delivered => "mark",
            StepKind::RelayRestart
            | StepKind::CollectorDown
            | StepKind::CollectorUp
            | StepKind::RelayNote => "event",
        }
    }
}

/// One row of the diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The time column: a table row's time as the program prints it (on its first
    /// step only), or the span of a run of commits.
    pub at: Option<String>,
    /// Sender (for a step on one lifeline, that lifeline).
    pub from: Party,
    /// Receiver.
    pub to: Party,
    /// What it is.
    pub kind: StepKind,
    /// The label on the arrow.
    pub label: String,
    /// What the relay did next, noted beside its lifeline (`wait 0.176s`).
    pub then: Option<String>,
    /// The relay was killed here (before marking the batch).
    pub killed: bool,
}

/// The steps of a run, and how much of the table they cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    /// In time order.
    pub steps: Vec<Step>,
    /// Table rows drawn.
    pub rows_shown: usize,
    /// Table rows in the run.
    pub rows_total: usize,
    /// Time of the first and the last row drawn, as printed.
    pub span: Option<(String, String)>,
}

fn printed(at: Duration) -> String {
    VirtualInstant::from(at).to_string()
}

/// The last outbox sequence number of a batch (`36-60` → 60; `17` → 17).
fn batch_last(batch: &str) -> usize {
    batch
        .rsplit('-')
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn step(from: Party, to: Party, kind: StepKind, label: String) -> Step {
    Step {
        at: None,
        from,
        to,
        kind,
        label,
        then: None,
        killed: false,
    }
}

/// The steps of the table's first `max_rows` rows, with the shop's commits merged in:
/// each run of commits is one arrow, drawn before the first step after its last
/// commit and no later than the relay's first read of those events.
pub fn sequence(r: &FaultReport, max_rows: usize) -> Sequence {
    let sources = fault_row_sources(r);
    let rows_total = sources.len();
    let shown = &sources[..max_rows.min(rows_total)];
    // (time, step); `reads` are the sends that carry events never sent before.
    let mut steps: Vec<(Duration, Step)> = Vec::new();
    let mut reads: Vec<(usize, Duration, usize)> = Vec::new();
    let mut read_max = 0;
    for src in shown {
        let at = src.row.at;
        let mut row_steps = Vec::new();
        match src.happening {
            Happening::Relay(
                RelayEvent::Sent {
                    batch,
                    events: n,
                    outcome,
                },
                seen,
            ) => {
                let last = batch_last(batch);
                if last > read_max {
                    reads.push((steps.len(), at, last));
                    read_max = last;
                }
                let events = src.row.events.trim();
                if is_refused(outcome) {
                    row_steps.push(step(
                        Party::Relay,
                        Party::Collector,
                        StepKind::Refused,
                        format!("POST {events}: {}", src.row.saw),
                    ));
                } else {
                    row_steps.push(step(
                        Party::Relay,
                        Party::Collector,
                        StepKind::Send,
                        format!(
                            "POST {events} ({n} event{})",
                            if *n == 1 { "" } else { "s" }
                        ),
                    ));
                    let kind = match outcome {
                        SendOutcome::Accepted { .. }
                            if seen.as_ref().is_some_and(|s| s.duplicates > 0) =>
                        {
                            StepKind::Duplicate
                        }
                        SendOutcome::Accepted { .. } => StepKind::Accepted,
                        SendOutcome::Transient(t) if t.starts_with("no answer") => {
                            StepKind::Timeout
                        }
                        _ => StepKind::Failed,
                    };
                    row_steps.push(step(
                        Party::Collector,
                        Party::Relay,
                        kind,
                        format!("{} · {}", src.row.saw, src.row.collector),
                    ));
                }
                match src.then {
                    Some(Happening::Relay(RelayEvent::Delivered { .. }, _)) => {
                        row_steps.push(step(
                            Party::Relay,
                            Party::Outbox,
                            StepKind::Delivered,
                            format!("mark {events} delivered"),
                        ));
                    }
                    Some(Happening::Relay(RelayEvent::Killed { .. }, _)) => {
                        if let Some(s) = row_steps.last_mut() {
                            s.then = Some(src.row.then.clone());
                            s.killed = true;
                        }
                    }
                    Some(_) if !src.row.then.is_empty() => {
                        if let Some(s) = row_steps.last_mut() {
                            s.then = Some(src.row.then.clone());
                        }
                    }
                    _ => {}
                }
            }
            Happening::RelayRestarted(_) => row_steps.push(step(
                Party::Relay,
                Party::Relay,
                StepKind::RelayRestart,
                format!("{} · {}", src.row.saw, src.row.then),
            )),
            Happening::CollectorDown => row_steps.push(step(
                Party::Collector,
                Party::Collector,
                StepKind::CollectorDown,
                src.row.saw.clone(),
            )),
            Happening::CollectorUp(_) => row_steps.push(step(
                Party::Collector,
                Party::Collector,
                StepKind::CollectorUp,
                format!("{} · {}", src.row.saw, src.row.collector),
            )),
            Happening::Relay(_, _) => row_steps.push(step(
                Party::Relay,
                Party::Relay,
                StepKind::RelayNote,
                src.row.then.clone(),
            )),
        }
        if let Some(first) = row_steps.first_mut() {
            first.at = Some(printed(at));
        }
        steps.extend(row_steps.into_iter().map(|s| (at, s)));
    }

    // The shop's commits: one arrow per run of them, in time order.
    let mut inserts: Vec<(usize, Step)> = Vec::new();
    let mut written = 0;
    for (read_index, read_at, last) in reads {
        let before = r.writes.iter().take_while(|w| **w < read_at).count();
        let k = before.max(last).min(r.writes.len());
        if k <= written {
            continue;
        }
        let (t0, t1) = (r.writes[written], r.writes[k - 1]);
        let pos = steps.partition_point(|(t, _)| *t <= t1).min(read_index);
        let at = if t0 == t1 {
            printed(t0)
        } else {
            format!("{}–{}", printed(t0), printed(t1).trim_start_matches("t+"))
        };
        let (first, last) = (written + 1, k);
        let orders = if first == last {
            format!("order {first}")
        } else {
            format!("orders {first}-{last}")
        };
        let mut s = step(
            Party::Shop,
            Party::Outbox,
            StepKind::Write { first, last },
            format!("{orders} committed"),
        );
        s.at = Some(at);
        inserts.push((pos, s));
        written = k;
    }
    let mut steps: Vec<Step> = steps.into_iter().map(|(_, s)| s).collect();
    for (pos, s) in inserts.into_iter().rev() {
        steps.insert(pos, s);
    }
    let span = shown
        .first()
        .zip(shown.last())
        .map(|(a, b)| (printed(a.row.at), printed(b.row.at)));
    Sequence {
        steps,
        rows_shown: shown.len(),
        rows_total,
        span,
    }
}

const WIDTH: f64 = 800.0;
const TIME_X: f64 = 98.0;
const HEAD_Y: f64 = 32.0;
const FIRST_ROW_Y: f64 = 76.0;
const ROW_H: f64 = 17.0;

/// Colour and dash of a message arrow.
fn stroke(kind: StepKind) -> (&'static str, &'static str) {
    match kind {
        StepKind::Write { .. } => (PALETTE[0], ""),
        StepKind::Send => ("#555", ""),
        StepKind::Refused | StepKind::Failed => (PALETTE[5], ""),
        StepKind::Timeout => (PALETTE[5], r#" stroke-dasharray="5 3""#),
        StepKind::Accepted => (PALETTE[2], ""),
        StepKind::Duplicate => (PALETTE[3], ""),
        StepKind::Delivered => (PALETTE[1], ""),
        _ => ("#555", ""),
    }
}

/// A note left of the lifeline at `x` (a wait, a kill, a restart), bold when it matters.
fn relay_note(c: &mut Canvas, x: f64, y: f64, text: &str, bold: bool) {
    let weight = if bold { r#" font-weight="bold""# } else { "" };
    c.text(
        x - 12.0,
        y - 4.0,
        &format!(r##"text-anchor="end" font-size="11" fill="#333"{weight}"##),
        text,
    );
}

fn cross(c: &mut Canvas, (x, y): (f64, f64), colour: &str) {
    let attrs = format!(r#"stroke="{colour}" stroke-width="2""#);
    c.line((x - 5.0, y - 5.0), (x + 5.0, y + 5.0), &attrs);
    c.line((x - 5.0, y + 5.0), (x + 5.0, y - 5.0), &attrs);
}

/// The y of the `i`-th step's arrow.
pub fn row_y(i: usize) -> f64 {
    FIRST_ROW_Y + i as f64 * ROW_H
}

/// The fault run's first `max_rows` table rows as a sequence diagram: one `<svg>`
/// element, deterministic, every label escaped by the [`Canvas`].
pub fn sequence_svg(r: &FaultReport, max_rows: usize) -> String {
    let seq = sequence(r, max_rows);
    let n = seq.steps.len();
    let bottom = row_y(n.max(1) - 1) + 12.0;
    let height = bottom + 34.0;
    let span = seq
        .span
        .as_ref()
        .map_or(String::new(), |(a, b)| format!(" ({a} to {b})"));
    let title = if seq.rows_shown < seq.rows_total {
        format!(
            "The fault run as messages: the table's first {} of {} rows{span}",
            seq.rows_shown, seq.rows_total
        )
    } else {
        format!(
            "The fault run as messages: all {} rows{span}",
            seq.rows_total
        )
    };
    let mut c = Canvas::new(
        WIDTH,
        height,
        &format!(
            "Sequence diagram of the fault run: shop, outbox, relay and collector, \
             one arrow per message in time order. {title}."
        ),
    );
    c.title(&title);

    // Lifelines, with a head box each.
    for p in Party::ALL {
        let x = p.x();
        c.line(
            (x, HEAD_Y + 20.0),
            (x, bottom),
            r##"stroke="#bbb" stroke-dasharray="4 3""##,
        );
        let w = 12.0 + 6.6 * p.name().chars().count() as f64;
        c.rect(
            (x - w / 2.0, HEAD_Y),
            (w, 20.0),
            r##"fill="#f4f4f4" stroke="#555" rx="3""##,
            None,
        );
        c.text(
            x,
            HEAD_Y + 14.0,
            r##"text-anchor="middle" font-weight="bold" fill="#333""##,
            p.name(),
        );
    }
    c.text(
        TIME_X,
        HEAD_Y + 14.0,
        r##"text-anchor="end" font-size="11" fill="#555""##,
        "virtual time",
    );

    for (i, s) in seq.steps.iter().enumerate() {
        let y = row_y(i);
        if let Some(at) = &s.at {
            c.text(
                TIME_X,
                y - 4.0,
                r##"text-anchor="end" font-size="11" fill="#555""##,
                at,
            );
        }
        let (x1, x2) = (s.from.x(), s.to.x());
        let tip = format!(
            "{} {} → {}: {}{}",
            s.at.as_deref().unwrap_or(""),
            s.from.name(),
            s.to.name(),
            s.label,
            s.then
                .as_deref()
                .map_or(String::new(), |t| format!("; then {t}"))
        );
        let kind = s.kind.data_kind();
        if s.kind.is_message() {
            let (colour, dash) = stroke(s.kind);
            let dir = if x2 > x1 { 1.0 } else { -1.0 };
            let attrs = format!(r#"stroke="{colour}" stroke-width="1.6"{dash} data-kind="{kind}""#);
            // The label sits over the part of the line that is drawn.
            let mut mid = (x1 + x2) / 2.0;
            match s.kind {
                // Never reached the collector / never came back: the line stops at a cross.
                StepKind::Refused | StepKind::Timeout => {
                    let end = x1 + (x2 - x1) * 0.8;
                    c.polyline(&[(x1, y), (end, y)], &attrs, Some(&tip));
                    cross(&mut c, (end + dir * 5.0, y), colour);
                    mid = (x1 + end) / 2.0;
                }
                _ => {
                    let head = |dy: f64| (x2 - dir * 7.0, y + dy);
                    c.polyline(
                        &[(x1, y), (x2, y), head(-4.0), (x2, y), head(4.0)],
                        &attrs,
                        Some(&tip),
                    );
                }
            }
            let weight = if s.kind == StepKind::Duplicate {
                r#" font-weight="bold""#
            } else {
                ""
            };
            c.text(
                mid,
                y - 4.0,
                &format!(r##"text-anchor="middle" font-size="11" fill="#333"{weight}"##),
                &s.label,
            );
        } else {
            // One lifeline: a mark on it, the words to its left.
            let x = s.from.x();
            match s.kind {
                StepKind::CollectorDown => cross(&mut c, (x, y - 3.0), PALETTE[5]),
                _ => c.rect(
                    (x - 6.0, y - 9.0),
                    (12.0, 12.0),
                    &format!(
                        r##"fill="{}" stroke="#333" data-kind="{kind}""##,
                        PALETTE[2]
                    ),
                    Some(&tip),
                ),
            }
            relay_note(&mut c, x, y, &s.label, s.from == Party::Relay);
        }
        if let Some(then) = &s.then {
            let x = Party::Relay.x();
            if s.killed {
                cross(&mut c, (x, y - 3.0), PALETTE[5]);
            }
            relay_note(&mut c, x, y, then, s.killed);
        }
    }

    // Legend.
    let items: [(&str, &str, &str); 7] = [
        (PALETTE[0], "", "committed"),
        ("#555", "", "request"),
        (PALETTE[2], "", "200 new"),
        (PALETTE[3], "", "200 duplicate"),
        (PALETTE[5], "", "error / refused"),
        (PALETTE[5], r#" stroke-dasharray="5 3""#, "no answer"),
        (PALETTE[1], "", "marked delivered"),
    ];
    let ly = height - 14.0;
    let mut x = 20.0;
    for (colour, dash, label) in items {
        c.line(
            (x, ly - 4.0),
            (x + 22.0, ly - 4.0),
            &format!(r#"stroke="{colour}" stroke-width="2"{dash}"#),
        );
        c.text(x + 27.0, ly, r##"font-size="11" fill="#333""##, label);
        x += 27.0 + 5.8 * label.chars().count() as f64 + 16.0;
    }
    c.finish()
}
