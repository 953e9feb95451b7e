//! Text output, at most 80 columns wide.

use crate::answer::{Written, format_value};
use crate::config::division_name;
use crate::engine::Findings;
use crate::fanout::{SourceOutcome, Status};

/// Greedy word wrap to `width` columns. A line's leading spaces are kept;
/// continuation lines get them plus `indent` (plus two more under a `- ` item).
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    for para in text.lines() {
        let trimmed = para.trim_start();
        let lead = &para[..para.len() - trimmed.len()];
        let item = if trimmed.starts_with("- ") { "  " } else { "" };
        let hang = format!("{lead}{indent}{item}");
        let mut line = lead.to_string();
        let mut empty = true;
        for w in trimmed.split_whitespace() {
            if !empty && line.chars().count() + 1 + w.chars().count() > width {
                out.push_str(&line);
                out.push('\n');
                line = hang.clone();
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(w);
            empty = false;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The fan-out table.
pub fn fanout_table(outcomes: &[SourceOutcome]) -> String {
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| {
            vec![
                o.id.clone(),
                division_name(&o.division).to_string(),
                if o.required {
                    "answer".into()
                } else {
                    "cross-check".into()
                },
                match &o.status {
                    Status::Ok => "ok".into(),
                    Status::TimedOut => "TIMED OUT".into(),
                    Status::Failed(_) => "FAILED".into(),
                    Status::BadData(_) => "BAD DATA".into(),
                },
                o.records.to_string(),
                format!("{} ms", o.latency.as_millis()),
            ]
        })
        .collect();
    kit::table::render(
        &[
            "source", "division", "used for", "status", "records", "done at",
        ],
        &rows,
    )
}

/// One source's outcome as a live line, printed the moment the source finishes
/// (`--realtime`): when, which source, how it ended.
pub fn live_outcome(o: &SourceOutcome) -> String {
    let how = match &o.status {
        Status::Ok => format!("ok, {} records", o.records),
        Status::TimedOut => format!("TIMED OUT after its {} ms timeout", o.timeout.as_millis()),
        Status::Failed(m) => format!("FAILED: {m}"),
        Status::BadData(m) => format!("BAD DATA: {m}"),
    };
    format!(
        "  {:>6} ms  {:<12} {:<13} {how}",
        o.latency.as_millis(),
        o.id,
        division_name(&o.division)
    )
}

/// The whole `ask` output.
pub fn ask_text(f: &Findings, w: &Written, clock: &str) -> String {
    ask_text_width(f, w, clock, 78)
}

/// [`ask_text`] with its prose wrapped to `width` columns (the tables keep theirs).
pub fn ask_text_width(f: &Findings, w: &Written, clock: &str, width: usize) -> String {
    let mut out = String::new();
    out.push_str(&wrap(&format!("Question: {}", f.question), width, "  "));
    out.push_str(&format!("Role: {}\n", f.role.name()));
    let route = match &f.route.query {
        Some(q) => q.measure.label(),
        None => "open question → retrieval".into(),
    };
    out.push_str(&wrap(
        &format!(
            "Route: {route}; sources {}",
            if f.route.sources.is_empty() {
                "none".to_string()
            } else {
                f.route.sources.join(", ")
            }
        ),
        width,
        "  ",
    ));
    if !f.route.cross_check.is_empty() {
        out.push_str(&format!(
            "Cross-check: {}\n",
            f.route.cross_check.join(", ")
        ));
    }
    if !f.outcomes.is_empty() {
        out.push_str(&format!("\nFan-out ({clock}):\n"));
        out.push_str(&fanout_table(&f.outcomes));
        out.push('\n');
        let slowest = f
            .outcomes
            .iter()
            .map(|o| o.latency)
            .max()
            .unwrap_or_default();
        let sum: std::time::Duration = f.outcomes.iter().map(|o| o.latency).sum();
        out.push_str(&format!(
            "All sources done after {} ms; one after another: {} ms.\n",
            slowest.as_millis(),
            sum.as_millis()
        ));
        for o in &f.outcomes {
            if let Status::Failed(m) | Status::BadData(m) = &o.status {
                out.push_str(&wrap(&format!("  {}: {m}", o.id), width, "    "));
            }
        }
    }
    if !f.rows.is_empty() && f.unit != "part" && f.rows.len() <= 6 {
        out.push('\n');
        let rows: Vec<Vec<String>> = f
            .rows
            .iter()
            .map(|r| {
                vec![
                    shorten(r.label.split(" (").next().unwrap_or(&r.label), 30),
                    r.as_of.map(|d| d.to_string()).unwrap_or_default(),
                    r.native
                        .as_ref()
                        .filter(|n| n.currency != "USD")
                        .map(|n| format!("{} {}", n.currency, n.amount.to_grouped(2)))
                        .unwrap_or_default(),
                    r.rate
                        .filter(|(x, _)| *x != crate::dec::Dec::ONE)
                        .map(|(x, _)| x.to_trimmed())
                        .unwrap_or_default(),
                    format_value(r.value, &f.unit)
                        .replace("USD ", "")
                        .replace(" (C62)", "")
                        .replace(" (KGM)", ""),
                ]
            })
            .collect();
        let unit_col = match f.unit.as_str() {
            "USD" => "USD",
            "count" => "count",
            "C62" => "pieces",
            _ => "kg",
        };
        out.push_str(&kit::table::render(
            &["breakdown", "as of", "native", "rate", unit_col],
            &rows,
        ));
        out.push('\n');
    }
    out.push_str(&format!("\nAnswer ({}):\n", w.by));
    out.push_str(&wrap(&w.text, width, "  "));
    for r in &w.rejected {
        out.push_str(&wrap(&format!("  rejected: {r}"), width, "    "));
    }
    if !f.missing.is_empty() {
        let names: Vec<&str> = f
            .missing
            .iter()
            .map(|m| division_name(&m.division))
            .collect();
        out.push_str(&format!("Incomplete: {} missing.\n", names.join(", ")));
    }
    out
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
