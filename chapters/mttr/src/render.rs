//! Text tables, JSON and an SVG timeline for incidents.

use std::fmt::Write as _;
use std::time::Duration;

use kit::svg::Canvas;
use serde_json::{Value, json};

use crate::stats::{DORA_2023, DORA_2024, Summary, summarize_incidents};
use crate::timeline::{Incident, Interval, Milestone, format_time, metrics};

/// `12m 00s`, `1h 05m`, `2d 03h`: short, exact enough to read.
pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 3600 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}d {:02}h", s / 86_400, (s % 86_400) / 3600)
    }
}

/// Minutes with one decimal (`12.0`), for numeric table columns.
pub fn fmt_minutes(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() / 60.0)
}

/// Whole dollars with thousands separators: `$1,250,000`.
pub fn fmt_dollars(x: u64) -> String {
    let digits = x.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("${out}")
}

/// Revenue lost during `downtime` at `dollars_per_minute`, to the nearest dollar.
pub fn downtime_cost(downtime: Duration, dollars_per_minute: u64) -> u64 {
    let secs = u128::from(downtime.as_secs());
    let cost = (secs * u128::from(dollars_per_minute) + 30) / 60;
    u64::try_from(cost).unwrap_or(u64::MAX)
}

/// One incident as two text tables: its milestones, then its intervals.
///
/// ```
/// # let inc = mttr::Incident { id: "X".into(), title: "t".into(),
/// #   timeline: mttr::Timeline::from_offsets("2024-01-01T00:00:00Z", &mttr::Offsets {
/// #     detected: std::time::Duration::from_secs(60), restored: std::time::Duration::from_secs(600),
/// #     ..Default::default() })? };
/// let text = mttr::render_incident(&inc);
/// assert!(text.contains("| recover (from alert)  |"));
/// # Ok::<(), mttr::TimelineError>(())
/// ```
pub fn render_incident(incident: &Incident) -> String {
    let t = &incident.timeline;
    let start = t.impact_started();
    let rows: Vec<Vec<String>> = Milestone::ALL
        .into_iter()
        .map(|m| match t.get(m) {
            Some(at) => vec![
                m.label().into(),
                format_time(at),
                fmt_duration((at - start).unsigned_abs()),
            ],
            None => vec![m.label().into(), "not recorded".into(), String::new()],
        })
        .collect();
    let mut out = format!("{} — {}\n\n", incident.id, incident.title);
    out += &kit::table::render(&["milestone", "time", "since impact"], &rows);
    out.push_str("\n\n");
    let m = metrics(incident);
    let rows: Vec<Vec<String>> = Interval::ALL
        .into_iter()
        .map(|i| {
            let (a, b) = i.span();
            let d = m.get(i);
            vec![
                i.name().into(),
                format!("{a} → {b}"),
                d.map(fmt_duration).unwrap_or_else(|| "—".into()),
                d.map(fmt_minutes).unwrap_or_default(),
            ]
        })
        .collect();
    out += &kit::table::render(&["interval", "from → to", "duration", "min"], &rows);
    out.push('\n');
    out
}

fn summary_cells(s: &Option<Summary>) -> Vec<String> {
    match s {
        Some(s) => vec![
            s.n.to_string(),
            fmt_minutes(s.mean),
            fmt_minutes(s.median),
            fmt_minutes(s.p95),
            s.geometric_mean
                .map(fmt_minutes)
                .unwrap_or_else(|| "—".into()),
            fmt_minutes(s.max),
        ],
        None => vec![
            "0".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ],
    }
}

/// Many incidents as text: every interval's mean, median, p95, geometric mean and max
/// (minutes), then where the median recovery time falls in DORA's tables.
pub fn render_report(incidents: &[Incident]) -> String {
    let mut out = String::new();
    let first = incidents.iter().map(|i| i.timeline.impact_started()).min();
    let last = incidents.iter().map(|i| i.timeline.impact_started()).max();
    if let (Some(a), Some(b)) = (first, last) {
        let _ = writeln!(
            out,
            "{} incidents, impact started {} … {}\n",
            incidents.len(),
            format_time(a),
            format_time(b)
        );
    }
    let rows: Vec<Vec<String>> = summarize_incidents(incidents)
        .iter()
        .map(|(i, s)| {
            let mut row = vec![i.name().to_string()];
            row.extend(summary_cells(s));
            row
        })
        .collect();
    out += &kit::table::render(
        &["minutes", "n", "mean", "median", "p95", "geo mean", "max"],
        &rows,
    );
    out.push_str("\n\n");
    let recover: Vec<Duration> = incidents
        .iter()
        .map(|i| metrics(i).recover_from_impact)
        .collect();
    if let Some(s) = crate::summarize(&recover) {
        let _ = writeln!(
            out,
            "DORA recovery level of the median recover (from impact), {}:\n",
            fmt_duration(s.median)
        );
        let rows: Vec<Vec<String>> = [DORA_2023, DORA_2024]
            .iter()
            .map(|t| {
                let inside = t.levels_for(s.median);
                vec![
                    t.year.to_string(),
                    t.best_level(s.median).unwrap_or("none (a gap)").into(),
                    if inside.len() > 1 {
                        inside[1..].join(", ")
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        out += &kit::table::render(&["table", "best level", "also inside"], &rows);
        out.push('\n');
    }
    out
}

fn summary_json(s: &Option<Summary>) -> Value {
    match s {
        Some(s) => json!({
            "n": s.n,
            "mean_s": s.mean.as_secs_f64(),
            "median_s": s.median.as_secs_f64(),
            "p95_s": s.p95.as_secs_f64(),
            "geometric_mean_s": s.geometric_mean.map(|g| g.as_secs_f64()),
            "max_s": s.max.as_secs_f64(),
        }),
        None => json!({ "n": 0 }),
    }
}

/// Many incidents as one JSON object (durations in seconds).
pub fn report_json(incidents: &[Incident]) -> Value {
    let mut intervals = serde_json::Map::new();
    for (i, s) in summarize_incidents(incidents) {
        intervals.insert(i.key().into(), summary_json(&s));
    }
    let recover: Vec<Duration> = incidents
        .iter()
        .map(|i| metrics(i).recover_from_impact)
        .collect();
    let median = crate::summarize(&recover).map(|s| s.median);
    let dora: Vec<Value> = [DORA_2023, DORA_2024]
        .iter()
        .map(|t| {
            json!({
                "year": t.year,
                "levels": median.map(|m| t.levels_for(m)).unwrap_or_default(),
                "source": t.source,
            })
        })
        .collect();
    json!({
        "incidents": incidents.len(),
        "intervals": intervals,
        "median_recover_from_impact_s": median.map(|m| m.as_secs_f64()),
        "dora": dora,
    })
}

/// Okabe–Ito, one colour per interval.
const COLOURS: [&str; 6] = [
    "#D55E00", "#E69F00", "#009E73", "#0072B2", "#56B4E9", "#CC79A7",
];

/// A Gantt-like timeline of one incident as a single `<svg>` element: one bar per
/// interval, a dashed line per milestone, minutes since impact along the axis.
/// Deterministic; all text is XML-escaped.
pub fn timeline_svg(incident: &Incident) -> String {
    let t = &incident.timeline;
    let start = t.impact_started();
    let total = (t.end() - start).unsigned_abs().as_secs_f64().max(1.0);
    let (w, left, right, top, row_h) = (760.0, 160.0, 130.0, 56.0, 30.0);
    let plot_w = w - left - right;
    let rows = Interval::ALL.len() as f64;
    let axis_y = top + rows * row_h + 8.0;
    let h = axis_y + 130.0;
    let x = |d: f64| left + d / total * plot_w;
    let secs = |m: Milestone| t.get(m).map(|at| (at - start).unsigned_abs().as_secs_f64());

    let title = format!("{} — {}", incident.id, incident.title);
    let mut c = Canvas::new(w, h, &format!("Incident timeline: {title}"));
    c.title(&title);
    // Axis ticks: a step that gives at most about eight ticks.
    let minutes = total / 60.0;
    let step = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 240.0, 720.0, 1440.0,
    ]
    .into_iter()
    .find(|st| minutes / st <= 8.0)
    .unwrap_or(2880.0);
    let mut tick: f64 = 0.0;
    while tick <= minutes + 1e-9 {
        let xx = x(tick * 60.0);
        c.line((xx, top), (xx, axis_y), r##"stroke="#eee""##);
        c.text(
            xx,
            top - 8.0,
            r##"text-anchor="middle" fill="#555""##,
            &tick.to_string(),
        );
        tick += step;
    }
    c.text(
        left - 8.0,
        top - 8.0,
        r##"text-anchor="end" fill="#555""##,
        "minutes since impact",
    );
    // Milestones: dashed verticals, labels below the axis, slanted so close ones fit.
    let mut last_x = f64::NEG_INFINITY;
    for m in Milestone::ALL {
        let Some(d) = secs(m) else { continue };
        let xx = x(d);
        let lx = if xx - last_x < 13.0 {
            last_x + 13.0
        } else {
            xx
        };
        last_x = lx;
        let label = format!("{} {}", m.label(), clock(t.get(m)));
        c.line(
            (xx, top),
            (xx, axis_y),
            r##"stroke="#333" stroke-dasharray="3 3""##,
        );
        c.text(
            0.0,
            0.0,
            &format!(
                r##"transform="translate({lx:.1} {}) rotate(35)" fill="#333""##,
                axis_y + 14.0
            ),
            &label,
        );
    }
    // One bar per interval.
    let m = metrics(incident);
    for (row, i) in Interval::ALL.into_iter().enumerate() {
        let y = top + row as f64 * row_h;
        let ty = y + row_h / 2.0 + 4.0;
        c.text(left - 8.0, ty, r#"text-anchor="end""#, i.name());
        let (a, b) = i.span();
        match (secs(a), secs(b), m.get(i)) {
            (Some(da), Some(db), Some(d)) => {
                let (x0, x1) = (x(da), x(db));
                c.rect(
                    (x0, y + 6.0),
                    ((x1 - x0).max(2.0), row_h - 12.0),
                    &format!(r#"fill="{}""#, COLOURS[row % COLOURS.len()]),
                    Some(&format!("{}: {a} → {b}, {}", i.name(), fmt_duration(d))),
                );
                c.text(x1.max(x0 + 2.0) + 6.0, ty, "", &fmt_duration(d));
            }
            _ => c.text(left, ty, r##"fill="#777""##, "not recorded"),
        }
    }
    c.finish()
}

/// A text version of [`timeline_svg`]: one row of `#` per interval on a shared axis of
/// minutes (hours, days for long incidents) since impact, `width` columns wide (at least 20), for terminals and `<pre>`.
///
/// ```
/// # let inc = mttr::Incident { id: "X".into(), title: "t".into(),
/// #   timeline: mttr::Timeline::from_offsets("2024-01-01T00:00:00Z", &mttr::Offsets {
/// #     detected: std::time::Duration::from_secs(60), restored: std::time::Duration::from_secs(600),
/// #     ..Default::default() })? };
/// let text = mttr::render::timeline_text(&inc, 40);
/// assert!(text.lines().any(|l| l.starts_with("recover (from impact)") && l.contains('#')));
/// # Ok::<(), mttr::TimelineError>(())
/// ```
pub fn timeline_text(incident: &Incident, width: usize) -> String {
    let width = width.max(20);
    let t = &incident.timeline;
    let start = t.impact_started();
    let total = (t.end() - start).unsigned_abs().as_secs_f64().max(1.0);
    let secs = |m: Milestone| t.get(m).map(|at| (at - start).unsigned_abs().as_secs_f64());
    // Column of a moment: impact at 0, the last milestone at `width`. A bar fills the
    // columns from its start up to (not including) its end, at least one.
    let col = |d: f64| ((d / total * width as f64).round() as usize).min(width);
    // The axis unit: minutes up to six hours, hours up to ten days, then days.
    let (unit, unit_secs) = if total <= 6.0 * 3600.0 {
        ("minutes", 60.0)
    } else if total <= 10.0 * 86_400.0 {
        ("hours", 3600.0)
    } else {
        ("days", 86_400.0)
    };
    let axis = format!("{unit} since impact");
    let label_w = Interval::ALL
        .iter()
        .map(|i| i.name().chars().count())
        .max()
        .unwrap_or(0)
        .max(axis.len());
    // Ticks: a round step giving at most about six labels.
    let span = total / unit_secs;
    let mut step = 1.0;
    for candidate in [1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 30.0, 60.0] {
        step = candidate;
        if span / candidate <= 6.0 {
            break;
        }
    }
    while span / step > 6.0 {
        step *= 2.0;
    }
    let mut labels = vec![' '; width + 8];
    let mut ruler = vec!['-'; width + 1];
    let mut tick = 0.0;
    while tick <= span + 1e-9 {
        let c = col(tick * unit_secs);
        ruler[c] = '+';
        for (k, ch) in format!("{tick}").chars().enumerate() {
            if let Some(slot) = labels.get_mut(c + k) {
                *slot = ch;
            }
        }
        tick += step;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:label_w$}  {}",
        axis,
        labels.iter().collect::<String>().trim_end()
    );
    let _ = writeln!(out, "{:label_w$}  {}", "", ruler.iter().collect::<String>());
    let m = metrics(incident);
    for i in Interval::ALL {
        let (a, b) = i.span();
        let bar = match (secs(a), secs(b), m.get(i)) {
            (Some(da), Some(db), Some(d)) => {
                let c0 = col(da).min(width - 1);
                let c1 = col(db).max(c0 + 1);
                format!(
                    "{}{} {}",
                    " ".repeat(c0),
                    "#".repeat(c1 - c0),
                    fmt_duration(d)
                )
            }
            _ => "not recorded".to_string(),
        };
        let _ = writeln!(out, "{:label_w$}  {bar}", i.name());
    }
    out
}

/// `14:33:00` from a recorded time.
fn clock(t: Option<time::OffsetDateTime>) -> String {
    t.map(|t| {
        let (h, m, s) = t.to_hms();
        format!("{h:02}:{m:02}:{s:02}")
    })
    .unwrap_or_default()
}
