//! The fan-out as a picture: one question, every routed source queried at once, and
//! the pipeline the rows go through once the last one is in.
//!
//! [`fanout_svg`] draws a run's [`Findings`] with [`kit::svg::Canvas`]: the question;
//! one horizontal bar per source, in the fan-out's order, as long as that source took
//! and ending where its rows arrived; a dashed line where the last one arrived (the
//! slowest source, which is when the answer can start); the same sources queried one
//! after another, if the run measured that; then normalise → retrieval → answer, with
//! the rates, records, rows and total of the same run. Nothing is estimated: every
//! figure is one the findings hold.

use std::time::Duration;

use kit::svg::{Canvas, PALETTE};

use crate::answer::format_value;
use crate::config::division_name;
use crate::engine::Findings;
use crate::fanout::{SourceOutcome, Status};
use crate::render::wrap;

const WIDTH: f64 = 800.0;
/// Where the time axis starts and ends.
const X0: f64 = 200.0;
const X1: f64 = 540.0;
/// The question box and the trunk its fan-out lines leave from.
const QX: f64 = 12.0;
const QW: f64 = 146.0;
const TRUNK_X: f64 = 176.0;
/// The pipeline column.
const PX: f64 = 576.0;
const PW: f64 = 212.0;
const PIPE_TOP: f64 = 74.0;
/// The first source's bar, and the distance between bars.
const FIRST_ROW_Y: f64 = 100.0;
const ROW_H: f64 = 48.0;
/// Where the completion line starts (and its label sits just above it).
const DONE_TOP: f64 = 60.0;

/// Text drawn over lines keeps a white halo, so a line crossing it never hides a letter.
const HALO: &str = r#"stroke="white" stroke-width="3" paint-order="stroke""#;

/// The y of the `i`-th source's bar (its centre line).
pub fn row_y(i: usize) -> f64 {
    FIRST_ROW_Y + i as f64 * ROW_H
}

/// A round upper bound for the time axis and its tick step, in ms: the step is the
/// smallest of 100, 200, 250, 500, 1000, 2000, 2500, 5000, … that gives at most five
/// ticks past zero.
pub fn axis(max_ms: u128) -> (u128, u128) {
    let mut power = 100;
    loop {
        for step in [power, power * 2, power * 5 / 2, power * 5] {
            if step * 5 >= max_ms {
                return (max_ms.div_ceil(step).max(1) * step, step);
            }
        }
        power *= 10;
    }
}

fn colour(i: usize) -> &'static str {
    // PALETTE[5] (vermillion) is the completion line's; [6] (yellow) is too pale on white.
    const SOURCES: [usize; 6] = [0, 1, 2, 3, 4, 7];
    PALETTE[SOURCES[i % SOURCES.len()]]
}

fn status_word(o: &SourceOutcome) -> String {
    match &o.status {
        Status::Ok => format!("{} ms · {} rows", o.latency.as_millis(), o.records),
        Status::TimedOut => format!("TIMED OUT at {} ms", o.latency.as_millis()),
        Status::Failed(_) => format!("FAILED at {} ms", o.latency.as_millis()),
        Status::BadData(_) => format!("BAD DATA at {} ms", o.latency.as_millis()),
    }
}

/// An arrow head at `tip` pointing right (`dx` = 1), left (-1), or down (`dy` = 1).
fn head(c: &mut Canvas, (x, y): (f64, f64), (dx, dy): (f64, f64), attrs: &str) {
    let back = (x - 7.0 * dx, y - 7.0 * dy);
    let side = (4.0 * dy, 4.0 * dx);
    c.polyline(
        &[
            (back.0 + side.0, back.1 + side.1),
            (x, y),
            (back.0 - side.0, back.1 - side.1),
        ],
        attrs,
        None,
    );
}

/// The lines of the pipeline's three boxes, from the run's findings.
fn stages(f: &Findings) -> [(String, Vec<String>); 3] {
    let arrived: usize = f
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Ok)
        .map(|o| o.records)
        .sum();
    let mut normalise = vec![format!("{arrived} records into one shape:")];
    match f.fx_date {
        Some(date) => {
            normalise.push(format!(
                "units as UN/CEFACT codes; money in USD at the closing rates of {date} \
                 (USD per unit):"
            ));
            // Two rates a line, so a currency and its rate stay together.
            let rates: Vec<String> = f
                .fx_rates
                .iter()
                .map(|(cur, rate)| format!("{cur} {rate}"))
                .collect();
            for pair in rates.chunks(2) {
                normalise.push(pair.join(", "));
            }
        }
        None => normalise.push("units as UN/CEFACT codes".to_string()),
    }
    let cited: usize = f.rows.iter().map(|r| r.citations.len()).sum();
    let mut retrieval = match &f.route.query {
        Some(q) => vec![
            format!("structured: {}", q.measure.label()),
            format!("{cited} cited records → {} rows", f.rows.len()),
        ],
        None => vec![
            "open question: ranked passages".to_string(),
            format!("top {} passages kept", f.passages.len()),
        ],
    };
    if !f.route.cross_check.is_empty() {
        retrieval.push(format!(
            "cross-check only, not added: {}",
            f.route.cross_check.join(", ")
        ));
    }
    let answer = match (&f.denied, f.total) {
        (Some(_), _) => vec!["access denied: no source queried".to_string()],
        (None, Some(total)) => vec![
            format!("{}:", f.headline),
            format_value(total, &f.unit),
            format!("{} lines, each cited", f.rows.len()),
        ],
        (None, None) if !f.missing.is_empty() => {
            let names: Vec<&str> = f
                .missing
                .iter()
                .map(|m| division_name(&m.division))
                .collect();
            vec![format!("NO TOTAL: {} missing", names.join(", "))]
        }
        (None, None) => vec![format!("{} lines", f.rows.len().max(f.passages.len()))],
    };
    [
        ("normalise (per source)".to_string(), normalise),
        ("retrieval".to_string(), retrieval),
        ("answer".to_string(), answer),
    ]
}

/// A stage's lines wrapped to its box's width.
fn wrapped(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .flat_map(|l| {
            wrap(l, 31, "")
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn stage_height(lines: &[String]) -> f64 {
    30.0 + 15.0 * wrapped(lines).len() as f64
}

/// The gap between two boxes of the pipeline, where the arrow goes.
const STAGE_GAP: f64 = 26.0;

/// A box of the pipeline at `top`: a bold header and the lines, wrapped to its width.
/// Returns its bottom.
fn stage_box(c: &mut Canvas, top: f64, index: usize, header: &str, lines: &[String]) -> f64 {
    let h = stage_height(lines);
    c.rect(
        (PX, top),
        (PW, h),
        &format!(r##"fill="#f7f7f7" stroke="#555" rx="4" data-kind="stage" data-stage="{index}""##),
        None,
    );
    c.text(
        PX + 10.0,
        top + 18.0,
        r##"font-weight="bold" fill="#333""##,
        header,
    );
    for (i, l) in wrapped(lines).iter().enumerate() {
        c.text(
            PX + 10.0,
            top + 34.0 + 15.0 * i as f64,
            r##"font-size="11" fill="#333""##,
            l,
        );
    }
    top + h
}

/// The fan-out of `f` (one run's findings) as one `<svg>` element: a bar per source in
/// `f.outcomes` order, the completion line at the slowest source's time, `sequential`
/// (each source's time when queried one after another, if the run measured it) as one
/// stacked bar, and normalise → retrieval → answer. Deterministic; every label is
/// escaped by the [`Canvas`].
pub fn fanout_svg(f: &Findings, sequential: Option<&[(String, Duration)]>) -> String {
    let outcomes = &f.outcomes;
    let done = outcomes.iter().map(|o| o.latency).max().unwrap_or_default();
    let slowest: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.latency == done)
        .map(|o| o.id.as_str())
        .collect();
    let seq_sum: Option<Duration> = sequential.map(|s| s.iter().map(|(_, d)| *d).sum());
    let (top_ms, step_ms) = axis(done.max(seq_sum.unwrap_or_default()).as_millis());
    let x = |d: Duration| X0 + (X1 - X0) * d.as_millis() as f64 / top_ms as f64;

    let last_row = row_y(outcomes.len().max(1) - 1);
    let seq_y = sequential.map(|_| last_row + 52.0);
    let axis_y = seq_y.unwrap_or(last_row) + 26.0;
    let stage_list = stages(f);
    let pipe_bottom = PIPE_TOP
        + stage_list
            .iter()
            .map(|(_, lines)| stage_height(lines) + STAGE_GAP)
            .sum::<f64>();
    let legend_y = (axis_y + 48.0).max(pipe_bottom + 8.0);
    let height = legend_y + 16.0;

    let title = match seq_sum {
        Some(sum) => format!(
            "Fan-out on the virtual clock: all rows in after {} ms; one after another, {} ms",
            done.as_millis(),
            sum.as_millis()
        ),
        None => format!(
            "Fan-out on the virtual clock: all rows in after {} ms",
            done.as_millis()
        ),
    };
    let mut c = Canvas::new(
        WIDTH,
        height,
        &format!(
            "{title}. The question goes to {} sources at once; each bar is one source's \
             time until its rows arrived; then normalise, retrieval and answer.",
            outcomes.len()
        ),
    );
    c.title(&title);

    // Grid and axis.
    let mut t = 0;
    while t <= top_ms {
        let xx = x(Duration::from_millis(t as u64));
        c.line((xx, FIRST_ROW_Y - 26.0), (xx, axis_y), r##"stroke="#eee""##);
        c.line((xx, axis_y), (xx, axis_y + 4.0), r##"stroke="#999""##);
        let label = if t == top_ms {
            format!("{t} ms")
        } else {
            t.to_string()
        };
        c.text(
            xx,
            axis_y + 16.0,
            r##"text-anchor="middle" font-size="11" fill="#555""##,
            &label,
        );
        t += step_ms;
    }
    c.line((X0, axis_y), (X1, axis_y), r##"stroke="#999""##);
    c.text(
        (X0 + X1) / 2.0,
        axis_y + 32.0,
        r##"text-anchor="middle" font-size="11" fill="#555""##,
        "virtual time from the start of the fan-out",
    );

    // The question, and a line from it to each source.
    let rows_mid = (row_y(0) + last_row) / 2.0;
    let question = wrap(&f.question, 22, "");
    let q_lines: Vec<&str> = question.lines().collect();
    let qh = 36.0 + 15.0 * q_lines.len() as f64;
    let qtop = rows_mid - qh / 2.0;
    c.rect(
        (QX, qtop),
        (QW, qh),
        r##"fill="#f7f7f7" stroke="#555" rx="4" data-kind="question""##,
        None,
    );
    c.text(
        QX + 10.0,
        qtop + 18.0,
        r##"font-weight="bold" fill="#333""##,
        &format!("question ({})", f.role.name()),
    );
    for (i, l) in q_lines.iter().enumerate() {
        c.text(
            QX + 10.0,
            qtop + 36.0 + 15.0 * i as f64,
            r##"font-size="11" fill="#333""##,
            l,
        );
    }
    let fork = r##"stroke="#555" stroke-width="1.2""##;
    for i in 0..outcomes.len() {
        let y = row_y(i);
        c.polyline(
            &[
                (QX + QW, rows_mid),
                (TRUNK_X, rows_mid),
                (TRUNK_X, y),
                (X0 - 3.0, y),
            ],
            fork,
            None,
        );
        head(&mut c, (X0 - 3.0, y), (1.0, 0.0), fork);
    }

    // The completion line: the answer can start when the slowest source is in.
    let done_x = x(done);
    let done_colour = PALETTE[5];
    c.line(
        (done_x, DONE_TOP),
        (done_x, axis_y),
        &format!(
            r#"stroke="{done_colour}" stroke-width="1.6" stroke-dasharray="6 4" data-kind="done" data-ms="{}""#,
            done.as_millis()
        ),
    );
    c.text(
        done_x + 5.0,
        DONE_TOP - 6.0,
        &format!(r#"font-size="11" font-weight="bold" fill="{done_colour}""#),
        &format!(
            "all rows in: {} ms (slowest: {})",
            done.as_millis(),
            slowest.join(", ")
        ),
    );
    // From there to the pipeline.
    let mid = PX + PW / 2.0;
    let to_pipe = format!(r#"stroke="{done_colour}" stroke-width="1.6""#);
    c.polyline(
        &[(done_x, DONE_TOP), (mid, DONE_TOP), (mid, PIPE_TOP - 2.0)],
        &to_pipe,
        None,
    );
    head(&mut c, (mid, PIPE_TOP - 2.0), (0.0, 1.0), &to_pipe);

    // One bar per source, in the fan-out's order.
    for (i, o) in outcomes.iter().enumerate() {
        let y = row_y(i);
        let col = colour(i);
        let end = x(o.latency);
        let ok = o.status == Status::Ok;
        let role = if o.required { "" } else { " (cross-check)" };
        c.text(
            X0,
            y - 11.0,
            &format!(r##"font-size="11" fill="#333" {HALO}"##),
            &format!(
                "{} · {}, {}{role}",
                o.id,
                o.system,
                division_name(&o.division)
            ),
        );
        let fill = if ok {
            format!(r#"fill="{col}""#)
        } else {
            format!(r#"fill="{col}" fill-opacity="0.3" stroke="{col}" stroke-dasharray="3 2""#)
        };
        let tip = format!("{}: {}", o.id, status_word(o));
        c.rect(
            (X0, y - 6.0),
            ((end - X0).max(1.5), 12.0),
            &format!(
                r#"{fill} data-kind="bar" data-source="{i}" data-ms="{}""#,
                o.latency.as_millis()
            ),
            Some(&tip),
        );
        let marker = if ok {
            format!(r##"fill="{col}" stroke="#333" stroke-width="1.2""##)
        } else {
            format!(r#"fill="white" stroke="{col}" stroke-width="2""#)
        };
        c.circle(
            (end, y),
            5.0,
            &format!(r#"{marker} data-kind="arrival" data-source="{i}""#),
            Some(&tip),
        );
        c.text(
            end + 9.0,
            y + 4.0,
            &format!(r##"font-size="11" fill="#333" {HALO}"##),
            &status_word(o),
        );
    }

    // The same sources one after another, each segment in its source's colour.
    if let (Some(seq), Some(sy), Some(sum)) = (sequential, seq_y, seq_sum) {
        c.text(
            X0,
            sy - 11.0,
            &format!(r##"font-size="11" fill="#333" {HALO}"##),
            "the same sources one after another",
        );
        let mut at = Duration::ZERO;
        for (j, (id, d)) in seq.iter().enumerate() {
            let col = outcomes
                .iter()
                .position(|o| &o.id == id)
                .map_or("#999", colour);
            c.rect(
                (x(at), sy - 6.0),
                (x(at + *d) - x(at), 12.0),
                &format!(
                    r#"fill="{col}" stroke="white" data-kind="sequential" data-step="{j}" data-ms="{}""#,
                    d.as_millis()
                ),
                Some(&format!(
                    "{id}: {} ms, from {} ms",
                    d.as_millis(),
                    at.as_millis()
                )),
            );
            at += *d;
        }
        c.text(
            x(sum) + 6.0,
            sy + 4.0,
            &format!(r##"font-size="11" font-weight="bold" fill="#333" {HALO}"##),
            &format!("{} ms", sum.as_millis()),
        );
    }

    // normalise → retrieval → answer.
    let mut top = PIPE_TOP;
    for (i, (header, lines)) in stage_list.iter().enumerate() {
        let bottom = stage_box(&mut c, top, i, header, lines);
        if i + 1 < stage_list.len() {
            let a = r##"stroke="#555" stroke-width="1.2""##;
            c.line((mid, bottom), (mid, bottom + STAGE_GAP - 2.0), a);
            head(&mut c, (mid, bottom + STAGE_GAP - 2.0), (0.0, 1.0), a);
        }
        top = bottom + STAGE_GAP;
    }

    c.text(
        QX,
        legend_y,
        r##"font-size="11" fill="#555""##,
        "bar: one source's round trip (its timeout is the limit) · dot: its rows \
         arrived · dashed: the slowest is in, the answer can start",
    );
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_rounds_up_to_a_round_step() {
        assert_eq!(axis(2150), (2500, 500));
        assert_eq!(axis(950), (1000, 200));
        assert_eq!(axis(1100), (1250, 250));
        assert_eq!(axis(0), (100, 100));
        assert_eq!(axis(12_000), (12_500, 2500));
    }
}
