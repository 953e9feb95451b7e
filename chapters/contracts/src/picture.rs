//! The latency contract as a picture: each version's measured requests, sorted by
//! latency, drawn against the p95 target (200 ms) and the p99 SLO (500 ms).
//!
//! The x axis is the percentile with the tail stretched (50 %, 90 %, 99 %, 99.9 % are
//! equally spaced, a log scale of 1 / (1 − p)), so the few slow requests that decide p99
//! get as much room as the many fast ones. Each version's curve is its sorted sample:
//! every measured request takes 1/n of the percentiles at the height of its latency
//! (equal latencies make one wider step), and p50, p95 and p99 are dots on it, at the
//! nearest-rank latency the report states. The data is a real run: [`virtual_runs`] repeats the run behind the
//! verdicts' latency table in-process, on the service-time model's virtual clock.

use std::time::Duration;

use kit::svg::{Canvas, PALETTE};

use crate::error::CheckError;
use crate::latency::{LatencyReport, P95_LIMIT, P99_LIMIT};
use crate::search::Version;
use crate::service::ServerConfig;
use crate::suite::{SuiteConfig, run_suite_in_process};

/// The latency run behind the verdicts' table, for `v1` and `v2`: a fresh server per
/// version with service-time seed `seed`, the semantic suite's requests first (the
/// default 64 cases per promise, which move the server's request counter exactly as
/// over HTTP), then `warmup` + `measured` probe requests one at a time, timed on the
/// virtual clock. The same seed gives the same reports, samples included.
pub fn virtual_runs(
    seed: u64,
    warmup: usize,
    measured: usize,
) -> Result<Vec<(Version, LatencyReport)>, CheckError> {
    [Version::V1, Version::V2]
        .into_iter()
        .map(|v| {
            let config = SuiteConfig {
                seed,
                warmup,
                measured,
                ..SuiteConfig::default()
            };
            let report = run_suite_in_process(ServerConfig::new(v, seed), &config, true, None)?;
            let latency = report.latency.ok_or_else(|| {
                CheckError::Local("the suite ran without its latency probe".to_string())
            })?;
            Ok((v, latency))
        })
        .collect()
}

/// Picture width (the `viewBox`).
const WIDTH: f64 = 760.0;
/// Picture height (the `viewBox`).
const HEIGHT: f64 = 450.0;
/// One colour per run, in order.
const CURVES: [&str; 2] = [PALETTE[0], PALETTE[3]];
/// The p95 target's line.
const P95_COLOUR: &str = PALETTE[1];
/// The p99 SLO's line.
const P99_COLOUR: &str = PALETTE[5];

/// Where a percentile and a latency land: the plot area and its two scales.
#[derive(Debug, Clone, Copy)]
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// The largest fraction drawn, 1 − 1/(2n): the slowest request's step ends there.
    q_end: f64,
    /// The latency at the top edge, milliseconds.
    top_ms: f64,
}

impl Frame {
    /// The frame for runs of at most `n` requests whose slowest took `max_ms`.
    fn new(n: usize, max_ms: f64) -> Frame {
        let slo = ms(P99_LIMIT);
        let top_ms = (max_ms.max(slo * 1.1) / 200.0).ceil() * 200.0;
        Frame {
            left: 70.0,
            right: 730.0,
            top: 62.0,
            bottom: 340.0,
            q_end: 1.0 - 1.0 / (2.0 * n.max(1) as f64),
            top_ms,
        }
    }

    /// x of the fraction `q` (0 = fastest, 0.99 = p99): log10(1 / (1 − q)), scaled so
    /// `q_end` is the right edge.
    fn x(&self, q: f64) -> f64 {
        let u = |q: f64| -(1.0 - q.clamp(0.0, self.q_end)).log10();
        self.left + (self.right - self.left) * u(q) / u(self.q_end)
    }

    /// y of a latency in milliseconds.
    fn y(&self, ms: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * ms.clamp(0.0, self.top_ms) / self.top_ms
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The sorted sample as steps: `(first rank, rank after the last, latency)`, ranks
/// 0-based, one step per run of equal latencies. Every request is in exactly one step.
fn steps(samples: &[Duration]) -> Vec<(usize, usize, Duration)> {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let mut out: Vec<(usize, usize, Duration)> = Vec::new();
    for (i, d) in sorted.into_iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.2 == d => last.1 = i + 1,
            _ => out.push((i, i + 1, d)),
        }
    }
    out
}

/// A box on the picture: (x0, y0, x1, y1), x0 ≤ x1, y0 ≤ y1.
type Box4 = (f64, f64, f64, f64);

/// The box an 11 px label covers when written at (`x`, `y`) with `anchor`, with a
/// little room around it (an estimate: 6.2 px per character).
fn label_box(text: &str, x: f64, y: f64, anchor: &str) -> Box4 {
    let w = 6.2 * text.chars().count() as f64;
    let x0 = if anchor == "end" { x - w } else { x };
    (x0 - 2.0, y - 11.0, x0 + w + 2.0, y + 3.0)
}

/// Whether the segment from `a` to `b` (the curves' are horizontal or vertical)
/// crosses the box.
fn crosses((x0, y0, x1, y1): Box4, a: (f64, f64), b: (f64, f64)) -> bool {
    a.0.min(b.0) <= x1 && a.0.max(b.0) >= x0 && a.1.min(b.1) <= y1 && a.1.max(b.1) >= y0
}

/// Where to write a dot's label: above-left, above-right, below-left or below-right
/// of the dot, the first inside the plot that crosses no curve and no earlier label
/// (else above-left).
fn place_label(
    text: &str,
    (x, y): (f64, f64),
    f: &Frame,
    curves: &[Vec<(f64, f64)>],
    taken: &[Box4],
) -> (f64, f64, &'static str) {
    let options = [
        (x - 8.0, y - 7.0, "end"),
        (x + 8.0, y - 7.0, "start"),
        (x - 8.0, y + 16.0, "end"),
        (x + 8.0, y + 16.0, "start"),
    ];
    options
        .into_iter()
        .find(|&(tx, ty, anchor)| {
            let b = label_box(text, tx, ty, anchor);
            let inside = b.0 >= f.left && b.2 <= f.right && b.1 >= f.top && b.3 <= f.bottom;
            let overlaps = |o: &Box4| b.0 <= o.2 && b.2 >= o.0 && b.1 <= o.3 && b.3 >= o.1;
            inside
                && !taken.iter().any(overlaps)
                && !curves
                    .iter()
                    .any(|pts| pts.windows(2).any(|w| crosses(b, w[0], w[1])))
        })
        .unwrap_or(options[0])
}

/// The picture: one curve per labelled report (its measured requests sorted by
/// latency, one step each), dots at p50, p95 and p99, the 200 ms p95 target and the
/// 500 ms p99 SLO as dashed lines, and a legend line per run with its verdicts.
/// `seed` is named in the subtitle. One `<svg>` element; all text escaped.
pub fn latency_svg(seed: u64, runs: &[(&str, &LatencyReport)]) -> String {
    let n = runs.iter().map(|(_, r)| r.samples.len()).max().unwrap_or(0);
    let max_ms = runs
        .iter()
        .flat_map(|(_, r)| r.samples.iter().copied().map(ms))
        .fold(0.0, f64::max);
    let f = Frame::new(n, max_ms);
    let names: Vec<&str> = runs.iter().map(|(label, _)| *label).collect();
    let title = format!(
        "{} against the latency contract: p95 < {:.0} ms, p99 < {:.0} ms",
        names.join(" and "),
        ms(P95_LIMIT),
        ms(P99_LIMIT)
    );
    let mut c = Canvas::new(WIDTH, HEIGHT, &title);
    c.title(&title);
    let warmup = runs.first().map_or(0, |(_, r)| r.warmup);
    c.text(
        WIDTH / 2.0,
        42.0,
        r##"text-anchor="middle" fill="#555""##,
        &format!(
            "each version's {n} measured requests, sorted by latency \
             (seed {seed}, after {warmup} warm-up, virtual time)"
        ),
    );

    // Latency grid and axis.
    let step = 200.0 * (f.top_ms / 2000.0).ceil().max(1.0);
    let mut v = 0.0;
    while v <= f.top_ms + 1e-9 {
        c.line((f.left, f.y(v)), (f.right, f.y(v)), r##"stroke="#eee""##);
        c.text(
            f.left - 6.0,
            f.y(v) + 4.0,
            r##"text-anchor="end" fill="#555""##,
            &format!("{v:.0}"),
        );
        v += step;
    }
    c.text(
        0.0,
        0.0,
        &format!(
            r##"transform="translate(20 {:.1}) rotate(-90)" text-anchor="middle" fill="#333""##,
            (f.top + f.bottom) / 2.0
        ),
        "latency (ms)",
    );

    // Percentile axis: 50 %, 90 %, 99 %, … equally spaced, as far as the sample reaches.
    let ticks = [
        (0.0, "0%"),
        (0.5, "50%"),
        (0.9, "90%"),
        (0.95, "95%"),
        (0.99, "99%"),
        (0.999, "99.9%"),
        (0.9999, "99.99%"),
    ];
    let last_rank = 1.0 - 1.0 / n.max(1) as f64;
    for (q, label) in ticks.into_iter().filter(|(q, _)| *q <= last_rank + 1e-9) {
        let x = f.x(q);
        let guide = if q == 0.95 || q == 0.99 {
            r##"stroke="#999" stroke-dasharray="2 3""##
        } else {
            r##"stroke="#eee""##
        };
        c.line((x, f.top), (x, f.bottom), guide);
        c.text(
            x,
            f.bottom + 16.0,
            r##"text-anchor="middle" fill="#555""##,
            label,
        );
    }
    c.text(
        f.right,
        f.bottom + 16.0,
        r##"text-anchor="end" fill="#555""##,
        "max",
    );
    c.line(
        (f.left, f.bottom),
        (f.right, f.bottom),
        r##"stroke="#555""##,
    );
    c.line((f.left, f.top), (f.left, f.bottom), r##"stroke="#555""##);
    c.text(
        (f.left + f.right) / 2.0,
        f.bottom + 36.0,
        r##"text-anchor="middle" fill="#333""##,
        "percentile of the measured requests (tail stretched: 90%, 99%, 99.9% equally spaced)",
    );

    // The contract.
    for (limit, colour, name) in [
        (P95_LIMIT, P95_COLOUR, "p95 target"),
        (P99_LIMIT, P99_COLOUR, "p99 SLO"),
    ] {
        let y = f.y(ms(limit));
        c.line(
            (f.left, y),
            (f.right, y),
            &format!(r#"stroke="{colour}" stroke-width="2" stroke-dasharray="8 5""#),
        );
        c.text(
            f.left + 8.0,
            y - 6.0,
            r##"fill="#333""##,
            &format!("{name}: {:.0} ms", ms(limit)),
        );
    }

    // One curve per run, then its marked percentiles, then their value labels placed
    // clear of every curve and of each other, then a legend line per run.
    let curves: Vec<Vec<(f64, f64)>> = runs
        .iter()
        .map(|(_, report)| {
            let count = report.samples.len().max(1) as f64;
            steps(&report.samples)
                .into_iter()
                .flat_map(|(a, b, d)| {
                    let y = f.y(ms(d));
                    [(f.x(a as f64 / count), y), (f.x(b as f64 / count), y)]
                })
                .collect()
        })
        .collect();
    for (i, ((label, report), points)) in runs.iter().zip(&curves).enumerate() {
        c.polyline(
            points,
            &format!(
                r#"stroke="{}" stroke-width="2" stroke-linejoin="round""#,
                CURVES[i % CURVES.len()]
            ),
            Some(&format!(
                "{label}: {} requests, sorted by latency",
                report.samples.len()
            )),
        );
    }
    let mut taken: Vec<Box4> = Vec::new();
    for (i, (label, report)) in runs.iter().enumerate() {
        let colour = CURVES[i % CURVES.len()];
        // The report's own percentiles: the dots mark exactly what the table prints.
        let marked = [
            (50.0, "p50", report.p50_ms),
            (95.0, "p95", report.p95_ms),
            (99.0, "p99", report.p99_ms),
        ];
        for (p, name, at_ms) in marked {
            let (x, y) = (f.x(p / 100.0), f.y(at_ms));
            c.circle(
                (x, y),
                4.5,
                &format!(r#"fill="{colour}" stroke="white" stroke-width="1.5""#),
                Some(&format!("{label} {name} = {at_ms:.0} ms")),
            );
            if p >= 95.0 {
                let text = format!("{name} {at_ms:.0} ms");
                let (tx, ty, anchor) = place_label(&text, (x, y), &f, &curves, &taken);
                taken.push(label_box(&text, tx, ty, anchor));
                c.text(
                    tx,
                    ty,
                    &format!(r##"text-anchor="{anchor}" font-size="11" fill="#333""##),
                    &text,
                );
            }
        }
        let ly = f.bottom + 66.0 + 22.0 * i as f64;
        c.line(
            (f.left, ly - 4.0),
            (f.left + 24.0, ly - 4.0),
            &format!(r#"stroke="{colour}" stroke-width="3""#),
        );
        let verdict = |holds: bool, limit: Duration| {
            if holds {
                format!("< {:.0} ✓", ms(limit))
            } else {
                format!("≥ {:.0} ✗", ms(limit))
            }
        };
        c.text(
            f.left + 32.0,
            ly,
            r##"fill="#333""##,
            &format!(
                "{label}: p50 {:.0} ms, p95 {:.0} ms {}, p99 {:.0} ms {}, max {:.0} ms",
                report.p50_ms,
                report.p95_ms,
                verdict(report.p95_holds(), P95_LIMIT),
                report.p99_ms,
                verdict(report.p99_holds(), P99_LIMIT),
                report.max_ms,
            ),
        );
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(line: &str, name: &str) -> f64 {
        line.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line}"))
    }

    fn points(svg: &str, label: &str) -> Vec<(f64, f64)> {
        let line = svg
            .lines()
            .find(|l| l.starts_with("<polyline") && l.contains(&format!("<title>{label}: ")))
            .unwrap_or_else(|| panic!("no curve for {label}"));
        line.split("points=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("points")
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').expect("x,y");
                (x.parse().expect("x"), y.parse().expect("y"))
            })
            .collect()
    }

    /// The page's run, small enough for a debug test: the same seed and model, the
    /// suite's requests first.
    fn run() -> Vec<(Version, LatencyReport)> {
        virtual_runs(9, 100, 1000).expect("in-process run")
    }

    #[test]
    fn every_request_is_on_its_curve_in_latency_order() {
        let runs = run();
        let labelled: Vec<(&str, &LatencyReport)> =
            runs.iter().map(|(v, r)| (v.name(), r)).collect();
        let svg = latency_svg(9, &labelled);
        let n = 1000;
        let max_ms = runs
            .iter()
            .flat_map(|(_, r)| r.samples.iter().copied().map(ms))
            .fold(0.0, f64::max);
        let f = Frame::new(n, max_ms);
        for (v, report) in &runs {
            assert_eq!(
                report.samples.len(),
                n,
                "{v:?}: one sample per measured request"
            );
            let pts = points(&svg, v.name());
            // Rebuild the expected curve from the raw samples, independently of `steps`:
            // count each latency, walk them in ascending order.
            let mut counts = std::collections::BTreeMap::<Duration, usize>::new();
            for d in &report.samples {
                *counts.entry(*d).or_default() += 1;
            }
            assert_eq!(pts.len(), 2 * counts.len(), "{v:?}: two points per latency");
            let mut rank = 0;
            for ((d, k), pair) in counts.iter().zip(pts.chunks(2)) {
                let y = format!("{:.1}", f.y(ms(*d)));
                assert_eq!(format!("{:.1}", pair[0].1), y, "{v:?} {d:?}");
                assert_eq!(format!("{:.1}", pair[1].1), y, "{v:?} {d:?}: a flat step");
                assert_eq!(
                    format!("{:.1}", pair[0].0),
                    format!("{:.1}", f.x(rank as f64 / n as f64))
                );
                rank += k;
                assert_eq!(
                    format!("{:.1}", pair[1].0),
                    format!("{:.1}", f.x(rank as f64 / n as f64)),
                    "{v:?} {d:?}: {k} requests wide"
                );
            }
            assert_eq!(rank, n);
            // Left to right, latencies only grow (smaller y is higher on the picture).
            assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 >= w[1].1));
            assert_eq!(pts[0].0, f.left);
            assert_eq!(pts[pts.len() - 1].0, f.right);
        }
        // The scale: each tenfold rarer tail gets the same width.
        let width = |a: f64, b: f64| f.x(b) - f.x(a);
        assert!((width(0.0, 0.9) - width(0.9, 0.99)).abs() < 1e-9);
        assert!((width(0.9, 0.99) - width(0.99, 0.999)).abs() < 1e-9);
        assert_eq!(f.y(0.0), f.bottom);
        assert_eq!(f.y(f.top_ms), f.top);
    }

    #[test]
    fn the_dots_sit_at_the_reports_percentiles_and_show_v2s_broken_tail() {
        let runs = run();
        let labelled: Vec<(&str, &LatencyReport)> =
            runs.iter().map(|(v, r)| (v.name(), r)).collect();
        let svg = latency_svg(9, &labelled);
        let line_y = |colour: &str| {
            let l = svg
                .lines()
                .find(|l| l.starts_with("<line") && l.contains(colour))
                .expect("threshold line");
            attr(l, "y1")
        };
        let (target_y, slo_y) = (line_y(P95_COLOUR), line_y(P99_COLOUR));
        let dot = |label: &str| -> (f64, f64) {
            let l = svg
                .lines()
                .find(|l| l.starts_with("<circle") && l.contains(&format!("<title>{label} = ")))
                .unwrap_or_else(|| panic!("no dot {label}"));
            (attr(l, "cx"), attr(l, "cy"))
        };
        assert_eq!(svg.matches("<circle").count(), 3 * runs.len());
        for (v, r) in &runs {
            for (name, value) in [("p50", r.p50_ms), ("p95", r.p95_ms), ("p99", r.p99_ms)] {
                let label = format!("{} {name}", v.name());
                assert!(
                    svg.contains(&format!("<title>{label} = {value:.0} ms</title>")),
                    "{label}"
                );
            }
        }
        let (v1, v2) = (&runs[0].1, &runs[1].1);
        // The lesson: v2 keeps the p95 target and breaks the p99 SLO; v1 keeps both.
        assert!(v2.p95_holds() && !v2.p99_holds() && v1.p95_holds() && v1.p99_holds());
        assert!(
            dot("v2 p95").1 > target_y,
            "v2's p95 dot is below the 200 ms line"
        );
        assert!(
            dot("v2 p99").1 < slo_y,
            "v2's p99 dot is above the 500 ms line"
        );
        assert!(dot("v1 p99").1 > slo_y && dot("v1 p95").1 > target_y);
        // p95 left of p99, p99 on the 99 % guide.
        assert!(dot("v2 p95").0 < dot("v2 p99").0);
        assert!(svg.contains(&format!(
            "v2: p50 {:.0} ms, p95 {:.0} ms &lt; 200 ✓, p99 {:.0} ms ≥ 500 ✗",
            v2.p50_ms, v2.p95_ms, v2.p99_ms
        )));
    }

    #[test]
    fn one_svg_element_with_every_label_escaped() {
        let samples: Vec<Duration> = [5, 5, 7, 120, 640]
            .into_iter()
            .map(Duration::from_millis)
            .collect();
        let report = LatencyReport::from_samples(2, &samples).expect("report");
        let hostile = r#"</text><script>alert("x")</script>&"#;
        let svg = latency_svg(1, &[(hostile, &report)]);
        assert!(
            svg.starts_with("<svg ") && svg.ends_with("</svg>\n"),
            "{svg}"
        );
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;/text&gt;&lt;script&gt;"), "{svg}");
        // Five requests, four latencies: four steps.
        assert_eq!(points(&svg, &kit::svg::escape(hostile)).len(), 8);
        // No run at all still draws one well-formed, empty frame.
        let empty = latency_svg(1, &[]);
        assert!(empty.starts_with("<svg ") && !empty.contains("<polyline"));
    }
}
