//! φ over time for one server, drawn as an inline SVG line chart.

use kit::svg::Canvas;
use std::time::Duration;

use crate::detector::{PhiAccrualDetector, PhiConfig};
use crate::scenario::{EventKind, ScenarioReport};

/// φ above this is drawn at the top edge (φ grows without bound during an outage).
pub const PHI_CAP: f64 = 16.0;

/// φ of `server` every `step`, replaying the report's heartbeat arrivals into a φ
/// detector with Akka's defaults (its first estimate: the scenario's interval).
pub fn phi_series(report: &ScenarioReport, server: u32, step: Duration) -> Vec<(Duration, f64)> {
    let step = step.max(Duration::from_millis(1));
    let mut detector = PhiAccrualDetector::new(PhiConfig {
        first_heartbeat_estimate: report.scenario.interval,
        ..PhiConfig::default()
    });
    let mut arrivals = report
        .heartbeats
        .iter()
        .filter(|h| h.server == server)
        .peekable();
    let mut out = Vec::new();
    let mut t = Duration::ZERO;
    while t <= report.scenario.duration {
        while let Some(h) = arrivals.next_if(|h| h.at <= t) {
            // Arrivals are in order, so the detector's clock never goes backwards.
            let _ = crate::FailureDetector::heartbeat(&mut detector, h.at);
        }
        out.push((t, detector.phi(t)));
        t += step;
    }
    out
}

/// Line colours, one per report.
const COLOURS: [&str; 4] = ["#0072B2", "#009E73", "#CC79A7", "#E69F00"];

/// The chart: φ of `server` in each labelled report (same duration and failures,
/// different networks, say), the thresholds 8 and 12, shaded spans where the server
/// was paused or down (taken from the first report), and a dot where φ 8 declared
/// it dead. An empty `reports` gives an empty chart.
pub fn phi_svg(reports: &[(&str, &ScenarioReport)], server: u32) -> String {
    let Some(&(_, report)) = reports.first() else {
        return r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>"#.into();
    };
    let (w, h) = (760.0, 320.0);
    let (left, right, top, bottom) = (60.0, 740.0, 40.0, 270.0);
    let end = report.scenario.duration.as_secs_f64().max(1.0);
    let x = |t: f64| left + (right - left) * t / end;
    let y = |phi: f64| bottom - (bottom - top) * phi.min(PHI_CAP) / PHI_CAP;
    let title = format!(
        "φ of server {server} over time (seed {})",
        report.scenario.seed
    );
    let (w, h) = (w, h + 20.0 * reports.len() as f64);
    let mut c = Canvas::new(w, h, &title);
    c.title(&title);
    // Shaded spans: pauses (orange) and down periods (grey).
    let mut spans: Vec<(f64, f64, &str, &str)> = Vec::new();
    for p in report.scenario.pauses.iter().filter(|p| p.server == server) {
        let a = p.at.as_secs_f64();
        spans.push((a, a + p.length.as_secs_f64(), "#E69F00", "paused"));
    }
    for (a, b) in report.down_periods(server) {
        let b = if b == Duration::MAX {
            end
        } else {
            b.as_secs_f64()
        };
        spans.push((a.as_secs_f64(), b.min(end), "#999999", "down"));
    }
    for (a, b, colour, label) in spans {
        c.rect(
            (x(a), top),
            ((x(b) - x(a)).max(1.0), bottom - top),
            &format!(r#"fill="{colour}" fill-opacity="0.25""#),
            Some(label),
        );
        c.text(x(a) + 3.0, top + 12.0, r#"font-size="11""#, label);
    }
    for phi in [0.0, 4.0, 8.0, 12.0, 16.0] {
        c.line((left, y(phi)), (right, y(phi)), r##"stroke="#ddd""##);
        c.text(
            left - 6.0,
            y(phi) + 4.0,
            r#"text-anchor="end""#,
            &phi.to_string(),
        );
    }
    let step = if end > 60.0 { 20.0 } else { 10.0 };
    let mut t: f64 = 0.0;
    while t <= end + 1e-9 {
        c.text(
            x(t),
            bottom + 16.0,
            r#"text-anchor="middle""#,
            &t.to_string(),
        );
        t += step;
    }
    c.text(
        (left + right) / 2.0,
        bottom + 36.0,
        r#"text-anchor="middle""#,
        "seconds since start",
    );
    c.text(
        0.0,
        0.0,
        &format!(
            r#"transform="translate(18 {}) rotate(-90)" text-anchor="middle""#,
            (top + bottom) / 2.0
        ),
        &format!("φ (capped at {PHI_CAP})"),
    );
    for (threshold, colour) in [(8.0, "#D55E00"), (12.0, "#CC79A7")] {
        c.line(
            (left, y(threshold)),
            (right, y(threshold)),
            &format!(r#"stroke="{colour}" stroke-dasharray="6 4""#),
        );
        c.text(
            right - 4.0,
            y(threshold) - 4.0,
            &format!(r#"text-anchor="end" fill="{colour}""#),
            &format!("threshold {threshold}"),
        );
    }
    for (i, &(label, report)) in reports.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<(f64, f64)> = phi_series(report, server, Duration::from_millis(100))
            .iter()
            .map(|(t, phi)| (x(t.as_secs_f64()), y(*phi)))
            .collect();
        c.polyline(
            &points,
            &format!(r#"stroke="{colour}" stroke-width="1.5""#),
            Some(label),
        );
        let ly = bottom + 56.0 + 20.0 * i as f64;
        c.line(
            (left, ly),
            (left + 24.0, ly),
            &format!(r#"stroke="{colour}" stroke-width="3""#),
        );
        c.text(left + 30.0, ly + 4.0, "", label);
        for e in &report.events {
            if let EventKind::DeclaredDead {
                server: sv,
                detector,
                ..
            } = &e.kind
                && *sv == server
                && detector == "phi 8"
            {
                c.circle(
                    (x(e.at.as_secs_f64()), y(8.0)),
                    4.0,
                    &format!(r#"fill="{colour}""#),
                    Some(&format!(
                        "{label}: phi 8 declared it dead at {:.3}s",
                        e.at.as_secs_f64()
                    )),
                );
            }
        }
    }
    c.finish()
}
