//! The drift report as a picture: which planned resource became which real one.
//!
//! Two columns, drawn from a [`DriftReport`] and nothing else. On the left every
//! resource the intended document asks for — a template's places included, as the
//! engine names them (`web_server[production/web_servers[1]]`); on the right every
//! resource reality has. A line joins each managed pair (the same resource in both
//! documents), and every box and line takes the colour of the resource's verdict: in
//! sync, changed, missing (left only) or unmanaged (right only). Both columns keep the
//! report's order (type, then id), so the picture lists what the text report's tables
//! list. Hovering a box shows its verdict and, for a changed resource, the changed
//! paths.

use std::collections::BTreeMap;

use kit::svg::{Canvas, PALETTE};

use crate::diff::{DriftReport, ResourceState};
use crate::inventory::ResourceKey;
use crate::report::Assessment;

/// One box of the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The resource as the report names it (`s3_bucket[production/prod-assets]`); a
    /// template's place on the intended side (`web_server[production/web_servers[1]]`).
    pub label: String,
    /// The verdict of the resource it stands for.
    pub state: ResourceState,
    /// The hover text: label, verdict, and the changed paths or the template's place.
    pub tip: String,
}

/// The picture's content: both columns in the report's order, and the matched pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftMap {
    /// What the intended document asks for: managed and missing resources.
    pub intended: Vec<Mark>,
    /// What reality has: managed and unmanaged resources.
    pub actual: Vec<Mark>,
    /// `(intended index, actual index)` of each managed resource, in the report's order.
    pub pairs: Vec<(usize, usize)>,
    /// One line per template that names no instances (`template production.web_servers:
    /// count 3, reality has 4`).
    pub templates: Vec<String>,
}

/// The verdicts in the legend's order.
pub const VERDICTS: [ResourceState; 4] = [
    ResourceState::InSync,
    ResourceState::Changed,
    ResourceState::Missing,
    ResourceState::Unmanaged,
];

/// The colour of a verdict (colour-blind-safe [`PALETTE`]).
pub fn colour(state: ResourceState) -> &'static str {
    match state {
        ResourceState::InSync => PALETTE[2],
        ResourceState::Changed => PALETTE[1],
        ResourceState::Missing => PALETTE[5],
        ResourceState::Unmanaged => PALETTE[0],
    }
}

/// Both columns of `report`: a managed resource gives a box on each side and a pair, a
/// missing one a box on the left, an unmanaged one a box on the right. A fleet member
/// stands on the left as the template's place it filled.
pub fn drift_map(report: &DriftReport) -> DriftMap {
    // reality's key of a fleet member → (its place, the fleet's field, place number, count)
    let mut places: BTreeMap<&ResourceKey, (ResourceKey, &str, usize, u64)> = BTreeMap::new();
    for fleet in &report.fleets {
        for (i, key) in fleet.member_keys.iter().enumerate() {
            places.insert(
                key,
                (
                    fleet.place(i + 1),
                    fleet.field.as_str(),
                    i + 1,
                    fleet.expected,
                ),
            );
        }
    }
    let mut map = DriftMap {
        intended: Vec::new(),
        actual: Vec::new(),
        pairs: Vec::new(),
        templates: report
            .fleets
            .iter()
            .map(|f| {
                format!(
                    "template {}: count {}, reality has {}",
                    f.field,
                    f.expected,
                    f.found()
                )
            })
            .collect(),
    };
    for rd in &report.resources {
        let actual_label = rd.key.to_string();
        let mut verdict = rd.state.to_string();
        if rd.state == ResourceState::Changed {
            let paths: Vec<&str> = rd.changes.iter().map(|c| c.path.as_str()).collect();
            verdict = format!(
                "{verdict}, {} change{}: {}",
                paths.len(),
                if paths.len() == 1 { "" } else { "s" },
                paths.join(", ")
            );
        }
        let intended = match places.get(&rd.key) {
            Some((place, field, k, count)) => Mark {
                label: place.to_string(),
                state: rd.state,
                tip: format!(
                    "{place}: place {k} of {count} of template {field}, filled by \
                     {actual_label}: {verdict}"
                ),
            },
            None => Mark {
                label: actual_label.clone(),
                state: rd.state,
                tip: format!("{actual_label}: {verdict}"),
            },
        };
        let actual = Mark {
            label: actual_label.clone(),
            state: rd.state,
            tip: format!("{actual_label}: {verdict}"),
        };
        match rd.state {
            ResourceState::InSync | ResourceState::Changed => {
                map.pairs.push((map.intended.len(), map.actual.len()));
                map.intended.push(intended);
                map.actual.push(actual);
            }
            ResourceState::Missing => map.intended.push(intended),
            ResourceState::Unmanaged => map.actual.push(actual),
        }
    }
    map
}

/// Picture width (the `viewBox`).
const WIDTH: f64 = 800.0;
/// Left edge of the intended column's boxes.
const LEFT_X: f64 = 16.0;
/// Left edge of the actual column's boxes.
const RIGHT_X: f64 = 494.0;
/// Width of a box.
const BOX_W: f64 = 290.0;
/// Height of a box.
const BOX_H: f64 = 19.0;
/// Vertical distance between two boxes.
const PITCH: f64 = 23.0;
/// Top of the first box.
const FIRST_Y: f64 = 72.0;
/// Room under the last box: the template lines and the legend.
const FOOT: f64 = 58.0;

/// The top of the `i`-th box of a column.
fn row_y(i: usize) -> f64 {
    FIRST_Y + PITCH * i as f64
}

/// The picture of one run: the columns of [`drift_map`] under a header naming both
/// documents, with the legend (each verdict and its count) underneath. One `<svg>`
/// element; all text escaped by [`Canvas`].
pub fn render_svg(a: &Assessment) -> String {
    let map = drift_map(&a.report);
    let rows = map.intended.len().max(map.actual.len());
    let height = (FIRST_Y + PITCH * rows as f64 + FOOT).round();
    let title = "Intended vs actual: which planned resource became which real one";
    let mut c = Canvas::new(WIDTH, height, title);
    c.title(title);

    for (x, side, file, n) in [
        (LEFT_X, "intended", &a.intended_file, a.intended_resources),
        (RIGHT_X, "actual", &a.actual_file, a.actual_resources),
    ] {
        c.text(
            x,
            46.0,
            r##"font-weight="bold" fill="#333""##,
            &format!("{side}: {n} resources"),
        );
        c.text(x, 61.0, r##"font-size="11" fill="#555""##, file);
    }

    // Lines first, so the boxes sit on top of their ends.
    for &(i, j) in &map.pairs {
        let state = map.intended[i].state;
        let from = (LEFT_X + BOX_W, row_y(i) + BOX_H / 2.0);
        let to = (RIGHT_X, row_y(j) + BOX_H / 2.0);
        c.polyline(
            &[from, to],
            &format!(
                r#"class="pair" stroke="{}" stroke-width="1.5""#,
                colour(state)
            ),
            Some(&format!(
                "{} ↔ {}: {state}",
                map.intended[i].label, map.actual[j].label
            )),
        );
    }
    for (x, side, marks) in [
        (LEFT_X, "intended", &map.intended),
        (RIGHT_X, "actual", &map.actual),
    ] {
        for (i, m) in marks.iter().enumerate() {
            let y = row_y(i);
            let fill = colour(m.state);
            c.rect(
                (x, y),
                (BOX_W, BOX_H),
                &format!(
                    r#"class="{side}" rx="3" fill="{fill}" fill-opacity="0.14" stroke="{fill}" stroke-width="1.2""#
                ),
                Some(&m.tip),
            );
            c.rect(
                (x + 5.0, y + 5.0),
                (9.0, 9.0),
                &format!(r#"fill="{fill}""#),
                None,
            );
            c.text(x + 19.0, y + 13.5, r##"fill="#333""##, &m.label);
        }
    }

    let foot = FIRST_Y + PITCH * rows as f64 + 8.0;
    for (k, line) in map.templates.iter().enumerate() {
        c.text(
            LEFT_X,
            foot + 6.0 + 14.0 * k as f64,
            r##"font-size="11" fill="#555""##,
            line,
        );
    }
    let legend_y = height - 14.0;
    let mut x = LEFT_X;
    for state in VERDICTS {
        let n = a
            .report
            .resources
            .iter()
            .filter(|r| r.state == state)
            .count();
        c.rect(
            (x, legend_y - 10.0),
            (12.0, 12.0),
            &format!(r#"fill="{}""#, colour(state)),
            None,
        );
        c.text(
            x + 17.0,
            legend_y,
            r##"fill="#333""##,
            &format!("{state} ({n})"),
        );
        x += 125.0;
    }
    c.line(
        (x, legend_y - 4.0),
        (x + 28.0, legend_y - 4.0),
        r##"stroke="#555" stroke-width="1.5""##,
    );
    c.text(
        x + 34.0,
        legend_y,
        r##"fill="#333""##,
        "same resource in both documents",
    );
    c.finish()
}
