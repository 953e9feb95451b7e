//! Inline SVG for the pages: the one place the book's pictures are written.
//!
//! mdBook renders inline SVG as-is, so a chapter program can print a picture and the
//! page shows it. A [`Canvas`] writes the frame every picture shares (a fixed-size
//! `viewBox` at full width, an `aria-label`, a white card that reads the same in the
//! light and dark themes, a bold title) and escapes every piece of text it is given;
//! [`BarChart`] is a grouped bar chart on top of it. Output is deterministic: fixed
//! sizes, coordinates with one decimal, no fonts or scripts loaded.

use std::fmt::Write as _;

/// XML-escape text for an SVG text node or attribute value (`&`, `<`, `>`, `"`).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG picture being written, one element per line.
#[derive(Debug, Clone)]
pub struct Canvas {
    width: f64,
    svg: String,
}

impl Canvas {
    /// Open a `width` × `height` picture described to screen readers as `label`, on a
    /// white card.
    pub fn new(width: f64, height: f64, label: &str) -> Canvas {
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{}" font-family="sans-serif" font-size="12">"#,
            escape(label)
        );
        let _ = writeln!(
            svg,
            r#"<rect width="{width}" height="{height}" fill="white"/>"#
        );
        Canvas { width, svg }
    }

    /// The bold title, centred at the top.
    pub fn title(&mut self, text: &str) {
        let _ = writeln!(
            self.svg,
            r#"<text x="{}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{}</text>"#,
            self.width / 2.0,
            escape(text)
        );
    }

    /// A `<text>` at (`x`, `y`) with extra attributes (`text-anchor="end"`, a
    /// `transform`, …; written as given) and `content`, escaped.
    pub fn text(&mut self, x: f64, y: f64, attrs: &str, content: &str) {
        let attrs = spaced(attrs);
        let _ = writeln!(
            self.svg,
            r#"<text x="{x:.1}" y="{y:.1}"{attrs}>{}</text>"#,
            escape(content)
        );
    }

    /// A `<line>` from (`x1`, `y1`) to (`x2`, `y2`) with attributes (`stroke="#ddd"`).
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), attrs: &str) {
        let attrs = spaced(attrs);
        let _ = writeln!(
            self.svg,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"{attrs}/>"#
        );
    }

    /// A `<rect>` with attributes (`fill="…"`) and a hover tooltip, escaped.
    pub fn rect(&mut self, (x, y): (f64, f64), (w, h): (f64, f64), attrs: &str, tip: Option<&str>) {
        let attrs = spaced(attrs);
        let _ = write!(
            self.svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"{attrs}"#
        );
        self.close("rect", tip);
    }

    /// A `<circle>` with attributes and a hover tooltip, escaped.
    pub fn circle(&mut self, (cx, cy): (f64, f64), r: f64, attrs: &str, tip: Option<&str>) {
        let attrs = spaced(attrs);
        let _ = write!(
            self.svg,
            r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r}"{attrs}"#
        );
        self.close("circle", tip);
    }

    /// A `<polyline>` through `points` with attributes and a hover tooltip, escaped.
    pub fn polyline(&mut self, points: &[(f64, f64)], attrs: &str, tip: Option<&str>) {
        let attrs = spaced(attrs);
        let pts: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            self.svg,
            r#"<polyline points="{}" fill="none"{attrs}"#,
            pts.join(" ")
        );
        self.close("polyline", tip);
    }

    fn close(&mut self, element: &str, tip: Option<&str>) {
        match tip {
            Some(t) => {
                let _ = writeln!(self.svg, "><title>{}</title></{element}>", escape(t));
            }
            None => self.svg.push_str("/>\n"),
        }
    }

    /// Close the picture: one `<svg>` element, no XML prolog (it is inlined in HTML).
    pub fn finish(mut self) -> String {
        self.svg.push_str("</svg>\n");
        self.svg
    }
}

fn spaced(attrs: &str) -> String {
    if attrs.is_empty() {
        String::new()
    } else {
        format!(" {attrs}")
    }
}

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

/// Colour-blind-safe palette (Okabe–Ito), for every picture's series.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

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

        let mut c = Canvas::new(w, h, &self.title);
        c.title(&self.title);
        for i in 0..=4 {
            let v = top_value * f64::from(i) / 4.0;
            let yy = y(v);
            c.line((left, yy), (w - right, yy), r##"stroke="#ddd""##);
            c.text(left - 6.0, yy + 4.0, r#"text-anchor="end""#, &trim_num(v));
        }
        let cy = top + plot_h / 2.0;
        c.text(
            0.0,
            0.0,
            &format!(r#"transform="translate(16 {cy}) rotate(-90)" text-anchor="middle""#),
            &self.y_label,
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
                c.rect(
                    (x, yy),
                    (bar_w, top + plot_h - yy),
                    &format!(r#"fill="{}""#, PALETTE[si % PALETTE.len()]),
                    Some(&format!("{name} / {cat}: {v:.2}")),
                );
            }
            c.text(
                gx + group_w / 2.0,
                top + plot_h + 16.0,
                r#"text-anchor="middle""#,
                cat,
            );
        }
        // Legend along the bottom.
        let item_w = plot_w / bars;
        for (si, (name, _)) in self.series.iter().enumerate() {
            let x = left + item_w * si as f64;
            let ly = h - 24.0;
            c.rect(
                (x, ly - 10.0),
                (12.0, 12.0),
                &format!(r#"fill="{}""#, PALETTE[si % PALETTE.len()]),
                None,
            );
            c.text(x + 16.0, ly, "", name);
        }
        c.finish()
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
    fn every_text_a_canvas_writes_is_escaped() {
        let hostile = r#"</text><script>alert("x")</script>&"#;
        let mut c = Canvas::new(100.0, 50.0, hostile);
        c.title(hostile);
        c.text(1.0, 2.0, r#"text-anchor="end""#, hostile);
        c.rect((0.0, 0.0), (1.0, 1.0), r#"fill="red""#, Some(hostile));
        c.circle((1.0, 1.0), 2.0, "", Some(hostile));
        c.polyline(
            &[(0.0, 0.0), (1.25, 2.0)],
            r#"stroke="blue""#,
            Some(hostile),
        );
        c.line((0.0, 0.0), (1.0, 1.0), "");
        let svg = c.finish();
        assert!(
            !svg.contains("<script>") && !svg.contains("</text><"),
            "{svg}"
        );
        assert_eq!(svg.matches("&lt;script&gt;").count(), 6, "{svg}");
        assert!(
            svg.contains(r#"<polyline points="0.0,0.0 1.2,2.0" fill="none" stroke="blue"><title>"#)
                || svg.contains(r#"<polyline points="0.0,0.0 1.3,2.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<line x1="0.0" y1="0.0" x2="1.0" y2="1.0"/>"#),
            "{svg}"
        );
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
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
