//! The fan-out picture (`fanout -- --svg`): one mark per source of the run, in the run's
//! order and at the run's times, the completion line at the slowest source, the
//! sequential run as contiguous segments, every label escaped, one `<svg>` element; and
//! the program prints exactly what the library draws from the same run.

use std::sync::Arc;
use std::time::Duration;

use erp_rag::config::Role;
use erp_rag::engine::{Engine, Findings};
use erp_rag::fanout::fan_out_virtual;
use erp_rag::picture::fanout_svg;
use erp_rag::record::Entity;
use erp_rag::retrieve::Retriever;
use erp_rag::sources::Fault;

const Q: &str = "What's our inventory value across all divisions?";

/// The page's run, on the virtual clock: the all-up fan-out and the same sources one
/// after another.
fn run(engine: &Engine) -> (Findings, Vec<(String, Duration)>) {
    let f = engine.gather_virtual(Q, Role::Analyst, Retriever::Hybrid);
    let seq = engine
        .sources
        .iter()
        .map(|s| {
            let (o, _) = fan_out_virtual(
                &[(Arc::clone(s), true)],
                &Entity::ALL,
                Role::Analyst,
                &engine.normaliser,
            );
            (s.config.id.clone(), o[0].latency)
        })
        .collect();
    (f, seq)
}

/// Every element line of `svg` with `data-kind="kind"`, in document order.
fn marks<'a>(svg: &'a str, kind: &str) -> Vec<&'a str> {
    let tag = format!(r#"data-kind="{kind}""#);
    svg.lines().filter(|l| l.contains(&tag)).collect()
}

/// The number in attribute `name` of an element line.
fn attr(line: &str, name: &str) -> f64 {
    let key = format!(r#" {name}=""#);
    line.split(&key)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number {name} in {line}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.15
}

#[test]
fn one_bar_and_one_arrival_per_source_in_run_order_at_run_times() {
    let engine = Engine::bundled().expect("bundled fixtures");
    let (f, seq) = run(&engine);
    let svg = fanout_svg(&f, Some(&seq));
    assert!(
        svg.starts_with("<svg ") && svg.ends_with("</svg>\n"),
        "{svg}"
    );
    assert_eq!(svg.matches("<svg").count(), 1, "one <svg> element");

    let bars = marks(&svg, "bar");
    let arrivals = marks(&svg, "arrival");
    assert_eq!(bars.len(), f.outcomes.len(), "{svg}");
    assert_eq!(arrivals.len(), f.outcomes.len(), "{svg}");
    // Every bar starts at zero; its length is its source's time, on one scale.
    let slowest = f.outcomes.iter().map(|o| o.latency).max().unwrap();
    let per_ms = |i: usize| attr(bars[i], "width") / f.outcomes[i].latency.as_millis() as f64;
    let scale = per_ms(0);
    for (i, (o, bar)) in f.outcomes.iter().zip(&bars).enumerate() {
        assert_eq!(attr(bar, "data-source"), i as f64, "data order: {bar}");
        assert_eq!(attr(bar, "data-ms"), o.latency.as_millis() as f64, "{bar}");
        assert!(bar.contains(&format!("<title>{}: ", o.id)), "{bar}");
        assert!(close(attr(bar, "x"), attr(bars[0], "x")), "{bar}");
        let expect = scale * o.latency.as_millis() as f64;
        assert!(close(attr(bar, "width"), expect), "{bar}: want {expect}");
        // The arrival sits at the bar's end, on its row (rows go down in run order).
        let a = arrivals[i];
        assert!(
            close(attr(a, "cx"), attr(bar, "x") + attr(bar, "width")),
            "{a}"
        );
        assert!(close(attr(a, "cy"), attr(bar, "y") + 6.0), "{a}");
        if i > 0 {
            assert!(attr(a, "cy") > attr(arrivals[i - 1], "cy"));
        }
        assert!(svg.contains(&format!(
            "{} ms · {} rows",
            o.latency.as_millis(),
            o.records
        )));
    }
    // The completion line is at the slowest source's arrival, and only there.
    let done = marks(&svg, "done");
    assert_eq!(done.len(), 1);
    assert_eq!(attr(done[0], "data-ms"), slowest.as_millis() as f64);
    let latest = arrivals.iter().map(|a| attr(a, "cx")).fold(0.0, f64::max);
    assert!(close(attr(done[0], "x1"), latest), "{}", done[0]);
    assert!(svg.contains(&format!("all rows in: {} ms", slowest.as_millis())));

    // The sequential run: one segment per source, end to end, in its order.
    let segs = marks(&svg, "sequential");
    assert_eq!(segs.len(), seq.len());
    let mut x = attr(bars[0], "x");
    for (j, (seg, (_, d))) in segs.iter().zip(&seq).enumerate() {
        assert_eq!(attr(seg, "data-step"), j as f64);
        assert!(close(attr(seg, "x"), x), "{seg}: want x {x}");
        assert!(
            close(attr(seg, "width"), scale * d.as_millis() as f64),
            "{seg}"
        );
        x += attr(seg, "width");
    }
    let sum: Duration = seq.iter().map(|(_, d)| *d).sum();
    assert!(sum > slowest, "fanning out must beat the sum");
    assert!(svg.contains(&format!(">{} ms</text>", sum.as_millis())));

    // The pipeline after the fan-out, with the run's own figures.
    assert_eq!(marks(&svg, "stage").len(), 3);
    let total = f.total.expect("every division answered").to_grouped(2);
    assert!(svg.contains(&format!("USD {total}")), "{svg}");
    for (cur, rate) in &f.fx_rates {
        assert!(svg.contains(&format!("{cur} {rate}")), "{cur}");
    }
    // The same run draws the same bytes.
    assert_eq!(svg, fanout_svg(&run(&engine).0, Some(&seq)));
}

#[test]
fn a_source_that_fails_is_drawn_as_failed_and_the_answer_box_says_no_total() {
    let mut engine = Engine::bundled().expect("bundled fixtures");
    engine.inject("r3-de", Fault::Down).expect("r3-de exists");
    let (f, seq) = run(&engine);
    let svg = fanout_svg(&f, Some(&seq));
    let i = f.outcomes.iter().position(|o| o.id == "r3-de").unwrap();
    let bar = marks(&svg, "bar")[i];
    let arrival = marks(&svg, "arrival")[i];
    assert!(
        bar.contains("stroke-dasharray") && bar.contains("FAILED at 0 ms"),
        "{bar}"
    );
    assert!(arrival.contains(r#"fill="white""#), "{arrival}");
    assert!(svg.contains("NO TOTAL: Germany missing"), "{svg}");
    // The answer no longer waits for Germany: the line is at the slowest that answered.
    let slowest = f.outcomes.iter().map(|o| o.latency).max().unwrap();
    assert_eq!(
        attr(marks(&svg, "done")[0], "data-ms"),
        slowest.as_millis() as f64
    );
}

#[test]
fn every_label_is_escaped() {
    let engine = Engine::bundled().expect("bundled fixtures");
    let (mut f, mut seq) = run(&engine);
    f.question = r#"</text><script>alert("q")</script>"#.into();
    f.outcomes[0].id = "<b>us&co</b>".into();
    f.outcomes[0].system = "R&D <ERP>".into();
    f.route.cross_check = vec!["<i>corp</i>".into()];
    seq[0].0 = "<b>us&co</b>".into();
    let svg = fanout_svg(&f, Some(&seq));
    for raw in ["<script", "<b>", "<i>", "R&D", "<ERP>"] {
        assert!(!svg.contains(raw), "{raw} unescaped: {svg}");
    }
    assert!(svg.contains("&lt;b&gt;us&amp;co&lt;/b&gt;"), "{svg}");
    assert!(svg.contains("R&amp;D &lt;ERP&gt;"), "{svg}");
    // Every tag is one of the picture's elements: nothing smuggled in.
    for tag in svg.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        assert!(
            ["svg", "rect", "text", "line", "circle", "polyline", "title"].contains(&name.as_str()),
            "unexpected <{name}: {svg}"
        );
    }
    // The renamed source keeps its colour in the sequential bar (matched by id).
    let bar = marks(&svg, "bar")[0];
    let seg = marks(&svg, "sequential")[0];
    let fill = |l: &str| l.split(r#"fill=""#).nth(1).unwrap()[..7].to_string();
    assert_eq!(fill(bar), fill(seg));
}

#[test]
fn the_program_prints_the_picture_of_its_own_run() {
    let engine = Engine::bundled().expect("bundled fixtures");
    let (f, seq) = run(&engine);
    let out = kit::programs::run_example("erp-rag", "fanout", &["--svg"], "").expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        fanout_svg(&f, Some(&seq)),
        "fanout --svg draws the all-up run and the sequential one, nothing else"
    );
    // The picture is of the virtual clock: it refuses the wall clock.
    let both = kit::programs::run_example("erp-rag", "fanout", &["--svg", "--realtime"], "")
        .expect("runs");
    assert_eq!(both.status.code(), Some(2), "clap rejects the combination");
}
