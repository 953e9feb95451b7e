//! The report as text tables (for the terminal and the page) and as an SVG chart.

use kit::svg::BarChart;
use kit::table::render;

use crate::item::{Item, QuestionType};
use crate::score::{KNOB_ORDER, Report, Tally, knob_summary, most_missed};

/// Parts of the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Header and one row per model: accuracy with CI, both policies, failure kinds.
    Overall,
    /// Accuracy per question type, one column per model.
    Types,
    /// Accuracy per difficulty-knob value, one column per model.
    Knobs,
    /// Which extraction layer fired, per model.
    Layers,
    /// The items missed by the most models.
    Missed,
    /// Answers that were not scored (unknown ids, duplicates).
    Stray,
}

impl Section {
    /// Every section, in order.
    pub const ALL: [Section; 6] = [
        Section::Overall,
        Section::Types,
        Section::Knobs,
        Section::Layers,
        Section::Missed,
        Section::Stray,
    ];
}

/// `0.625, (0.51, 0.72)` → `62 (51-72)`: whole percentages, compact enough for four
/// models side by side in 80 columns.
pub fn cell(t: &Tally) -> String {
    if t.n == 0 {
        return "-".into();
    }
    let (lo, hi) = t.interval();
    format!(
        "{:.0} ({:.0}-{:.0})",
        t.accuracy() * 100.0,
        lo * 100.0,
        hi * 100.0
    )
}

/// Render the chosen sections of `report` (scored over `items`) as text.
pub fn render_text(report: &Report, items: &[Item], sections: &[Section]) -> String {
    let mut out = String::new();
    let models: Vec<&str> = report.models.iter().map(|m| m.model.as_str()).collect();
    for section in sections {
        match section {
            Section::Overall => {
                out.push_str(&format!(
                    "{} items, {} with a tied gold set\ntie policy: {} ({})\n",
                    report.items,
                    report.tied_items,
                    report.policy.name(),
                    report.policy.explain()
                ));
                out.push_str("accuracy in %, 95% Wilson interval in brackets\n");
                let other = match report.policy {
                    crate::score::TiePolicy::Any => "if all",
                    crate::score::TiePolicy::All => "if any",
                };
                let rows: Vec<Vec<String>> = report
                    .models
                    .iter()
                    .map(|m| {
                        vec![
                            m.model.clone(),
                            cell(&m.overall),
                            format!("{:.0}", m.other_policy.accuracy() * 100.0),
                            m.overall.wrong.to_string(),
                            m.overall.unextracted.to_string(),
                            m.overall.missing.to_string(),
                        ]
                    })
                    .collect();
                out.push_str(&render(
                    &[
                        "model",
                        "accuracy",
                        other,
                        "wrong",
                        "unextracted",
                        "missing",
                    ],
                    &rows,
                ));
                out.push('\n');
            }
            Section::Types => {
                let mut header = vec!["type", "n"];
                header.extend(&models);
                let rows: Vec<Vec<String>> = QuestionType::ALL
                    .iter()
                    .filter_map(|qt| {
                        let n = report.models.first()?.by_type.get(qt)?.n;
                        let mut row = vec![qt.name().to_string(), n.to_string()];
                        for m in &report.models {
                            row.push(m.by_type.get(qt).map_or("-".into(), cell));
                        }
                        Some(row)
                    })
                    .collect();
                out.push_str(&render(&header, &rows));
                out.push('\n');
            }
            Section::Knobs => {
                let mut header = vec!["knob", "n"];
                header.extend(&models);
                let rows: Vec<Vec<String>> = KNOB_ORDER
                    .iter()
                    .filter_map(|k| {
                        let n = report.models.first()?.by_knob.get(*k)?.n;
                        let mut row = vec![k.to_string(), n.to_string()];
                        for m in &report.models {
                            row.push(m.by_knob.get(*k).map_or("-".into(), cell));
                        }
                        Some(row)
                    })
                    .collect();
                out.push_str(&render(&header, &rows));
                out.push('\n');
            }
            Section::Layers => {
                let layers = ["bare", "answer:", "name", "last", "none"];
                let mut header = vec!["model"];
                header.extend(layers);
                header.push("no reply");
                let rows: Vec<Vec<String>> = report
                    .models
                    .iter()
                    .map(|m| {
                        let mut row = vec![m.model.clone()];
                        for l in layers {
                            row.push(m.layers.get(l).copied().unwrap_or(0).to_string());
                        }
                        row.push(m.no_reply.to_string());
                        row
                    })
                    .collect();
                out.push_str("which extraction layer read each reply\n");
                out.push_str(&render(&header, &rows));
                out.push('\n');
            }
            Section::Missed => {
                let all = most_missed(report);
                let top = all.first().map_or(0, |(_, who)| who.len());
                let tied = all.iter().filter(|(_, who)| who.len() == top).count();
                let missed = &all[..all.len().min(8)];
                out.push_str("items missed by the most models\n");
                if tied > 1 {
                    out.push_str(&format!(
                        "{tied} items are missed by {top} of {} models; the first {} in item order:\n",
                        report.models.len(),
                        missed.len().min(tied)
                    ));
                }
                let rows: Vec<Vec<String>> = missed
                    .iter()
                    .map(|(i, who)| {
                        let item = &items[*i];
                        vec![
                            item.id.clone(),
                            item.question_type.name().to_string(),
                            knob_summary(item),
                            who.join(" "),
                        ]
                    })
                    .collect();
                out.push_str(&render(&["item", "type", "knobs", "missed by"], &rows));
                out.push('\n');
                for (i, _) in missed.iter().take(1) {
                    let which = if tied > 1 {
                        "the first of them"
                    } else {
                        "the hardest one"
                    };
                    out.push_str(&format!("\n{which}, {}:\n", items[*i].id));
                    out.push_str(&wrap(&items[*i].prompt, 78));
                    out.push_str(&format!(
                        "\ngold: {}\n",
                        crate::item::label_list(&items[*i].gold)
                    ));
                    for m in &report.models {
                        let v = &m.verdicts[*i];
                        out.push_str(&format!(
                            "{:>14}: {:?} via {}\n",
                            m.model,
                            crate::item::label_list(&v.extraction.labels),
                            v.extraction.layer.map_or("nothing", |l| l.name())
                        ));
                    }
                }
            }
            Section::Stray => {
                if report.stray.is_empty() {
                    out.push_str("every answer matched an item\n");
                } else {
                    out.push_str(&format!("{} answers not scored:\n", report.stray.len()));
                    let rows: Vec<Vec<String>> = report
                        .stray
                        .iter()
                        .map(|s| {
                            vec![
                                s.line.to_string(),
                                s.model.clone(),
                                s.id.clone(),
                                s.reason.clone(),
                            ]
                        })
                        .collect();
                    out.push_str(&render(&["line", "model", "id", "reason"], &rows));
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// Accuracy per question type as a grouped bar chart, one bar per model.
pub fn chart(report: &Report) -> BarChart {
    let types: Vec<QuestionType> = QuestionType::ALL
        .iter()
        .copied()
        .filter(|qt| {
            report
                .models
                .first()
                .is_some_and(|m| m.by_type.contains_key(qt))
        })
        .collect();
    BarChart {
        title: format!(
            "Accuracy by question type (tie policy: {})",
            report.policy.name()
        ),
        y_label: "accuracy, %".into(),
        categories: types.iter().map(|t| t.name().to_string()).collect(),
        series: report
            .models
            .iter()
            .map(|m| {
                (
                    m.model.clone(),
                    types
                        .iter()
                        .map(|t| m.by_type.get(t).map_or(0.0, |x| x.accuracy() * 100.0))
                        .collect(),
                )
            })
            .collect(),
    }
}

/// Wrap `text` for a narrow page: lines longer than `width` characters break at the
/// last space before it, continuing with a four-space indent. (For display only; the
/// prompt a model receives is never wrapped.)
///
/// ```
/// let w = behilos::report::wrap("aaa bbb ccc", 8);
/// assert_eq!(w, "aaa bbb\n    ccc");
/// ```
pub fn wrap(text: &str, width: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let mut rest = line.to_string();
        let mut first = true;
        loop {
            let indent = if first { "" } else { "    " };
            let budget = width.saturating_sub(indent.len()).max(1);
            if rest.chars().count() <= budget {
                out.push(format!("{indent}{rest}"));
                break;
            }
            let cut_at = rest
                .char_indices()
                .take_while(|(i, _)| rest[..*i].chars().count() <= budget)
                .filter(|(_, c)| *c == ' ')
                .map(|(i, _)| i)
                .last();
            match cut_at {
                Some(i) if i > 0 => {
                    out.push(format!("{indent}{}", &rest[..i]));
                    rest = rest[i + 1..].to_string();
                    first = false;
                }
                _ => {
                    out.push(format!("{indent}{rest}"));
                    break;
                }
            }
        }
    }
    out.join("\n")
}
