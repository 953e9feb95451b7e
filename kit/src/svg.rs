//! A grouped bar chart drawn as inline SVG, for pages that plot what their crate measured.
//!
//! mdBook renders inline SVG as-is, so a chapter program can print a chart and the
//! page shows it. Output is deterministic: fixed sizes, values printed with two
//! decimals, no fonts or scripts loaded. Text is XML-escaped.

use std::fmt::Write as _;

/// A grouped bar chart: one group of bars per category, one bar per series.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Chart title, drawn at the top.
    pub title: String,
    /// Label of the value axis.
    pub y_label: String,
    /// Category names along the x axis.
    pub categories: Vec<String>,
    /// `(series name, one value per category)`.
    pub series: Vec<(String, Vec<f64>)>,
}

/// Colour-blind-safe palette (Okabe–Ito).
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A "nice" upper bound for the axis: 1, 2 or 5 times a power of ten.
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&c| c >= v)
        .unwrap_or(10.0 * p)
}

impl BarChart {
    /// Render the chart as one `<svg>` element (no XML prolog: it is inlined in HTML).
    pub fn to_svg(&self) -> String {
        let (w, h) = (760.0, 360.0);
        let (left, right, top, bottom) = (70.0, 20.0, 40.0, 80.0);
        let plot_w = w - left - right;
        let plot_h = h - top - bottom;
        let max = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let top_value = nice_max(max);
        let y = |v: f64| top + plot_h - (v / top_value) * plot_h;

        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}" font-family="sans-serif" font-size="12">"#,
            t = esc(&self.title)
        );
        let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{x}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{t}</text>"#,
            x = w / 2.0,
            t = esc(&self.title)
        );
        for i in 0..=4 {
            let v = top_value * f64::from(i) / 4.0;
            let yy = y(v);
            let _ = writeln!(
                s,
                r##"<line x1="{left}" y1="{yy:.1}" x2="{x2}" y2="{yy:.1}" stroke="#ddd"/><text x="{lx}" y="{ty:.1}" text-anchor="end">{v}</text>"##,
                x2 = w - right,
                lx = left - 6.0,
                ty = yy + 4.0,
                v = trim_num(v)
            );
        }
        let _ = writeln!(
            s,
            r#"<text transform="translate(16 {cy}) rotate(-90)" text-anchor="middle">{l}</text>"#,
            cy = top + plot_h / 2.0,
            l = esc(&self.y_label)
        );
        let groups = self.categories.len().max(1) as f64;
        let group_w = plot_w / groups;
        let bars = self.series.len().max(1) as f64;
        let bar_w = group_w * 0.8 / bars;
        for (ci, cat) in self.categories.iter().enumerate() {
            let gx = left + group_w * ci as f64;
            for (si, (name, values)) in self.series.iter().enumerate() {
                let v = values.get(ci).copied().unwrap_or(0.0);
                let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                let x = gx + group_w * 0.1 + bar_w * si as f64;
                let yy = y(v);
                let _ = writeln!(
                    s,
                    r#"<rect x="{x:.1}" y="{yy:.1}" width="{bw:.1}" height="{bh:.1}" fill="{c}"><title>{n} / {cat}: {v:.2}</title></rect>"#,
                    bw = bar_w,
                    bh = top + plot_h - yy,
                    c = PALETTE[si % PALETTE.len()],
                    n = esc(name),
                    cat = esc(cat)
                );
            }
            let _ = writeln!(
                s,
                r#"<text x="{x:.1}" y="{ty}" text-anchor="middle">{c}</text>"#,
                x = gx + group_w / 2.0,
                ty = top + plot_h + 16.0,
                c = esc(cat)
            );
        }
        // Legend along the bottom.
        let item_w = plot_w / bars;
        for (si, (name, _)) in self.series.iter().enumerate() {
            let x = left + item_w * si as f64;
            let ly = h - 24.0;
            let _ = writeln!(
                s,
                r#"<rect x="{x:.1}" y="{ry}" width="12" height="12" fill="{c}"/><text x="{tx:.1}" y="{ly}">{n}</text>"#,
                ry = ly - 10.0,
                c = PALETTE[si % PALETTE.len()],
                tx = x + 16.0,
                n = esc(name)
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

fn trim_num(v: f64) -> String {
    let t = format!("{v:.2}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> BarChart {
        BarChart {
            title: "A <b> & c".into(),
            y_label: "per element".into(),
            categories: vec!["random".into(), "ascending".into()],
            series: vec![
                ("timsort".into(), vec![13.5, 1.0]),
                ("merge".into(), vec![14.0, 7.5]),
            ],
        }
    }

    #[test]
    fn one_bar_per_series_per_category_and_escaped_text() {
        let svg = chart().to_svg();
        assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(
            svg.matches("<rect x=").count(),
            4 + 2,
            "4 bars + 2 legend swatches"
        );
        assert!(svg.contains("A &lt;b&gt; &amp; c") && !svg.contains("<b>"));
        assert!(svg.contains("<title>merge / ascending: 7.50</title>"));
    }

    #[test]
    fn taller_value_taller_bar() {
        let svg = chart().to_svg();
        let height = |label: &str| -> f64 {
            let line = svg
                .lines()
                .find(|l| l.contains(label))
                .expect("bar present");
            let h = line
                .split("height=\"")
                .nth(1)
                .and_then(|r| r.split('"').next());
            h.and_then(|v| v.parse().ok()).expect("height")
        };
        assert!(height("merge / random") > height("timsort / random"));
        assert!(height("timsort / random") > height("timsort / ascending"));
        assert_eq!(nice_max(14.0), 20.0);
        assert_eq!(nice_max(0.0), 1.0);
    }
}
