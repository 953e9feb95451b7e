//! The drift map picture (`report --svg`): every resource of the run drawn once, in the
//! report's order, each managed pair joined at the right rows, colours from the verdicts,
//! text escaped, one `<svg>` element.

use std::collections::BTreeMap;

use drift::picture::{colour, drift_map, render_svg};
use drift::{Assessment, Policy, ResourceState, parse_str};

fn assessment(plan: &str, real: &str) -> Assessment {
    let i = parse_str("plan.yaml", plan, false).expect("plan");
    let a = parse_str("real.yaml", real, false).expect("real");
    Assessment::new("plan.yaml", &i, "real.yaml", &a, &[], &Policy::builtin())
}

fn seed() -> Assessment {
    assessment(drift::fixtures::INTENDED_YAML, drift::fixtures::ACTUAL_YAML)
}

/// The value of attribute `name` in one SVG line.
fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split(&format!(" {name}=\"")).nth(1)?.split('"').next()
}

/// The element's `<title>` (hover text) or text content.
fn body(line: &str) -> &str {
    let start = line.find('>').map_or(line.len(), |i| i + 1);
    let rest = &line[start..];
    let rest = rest.strip_prefix("<title>").unwrap_or(rest);
    rest.split('<').next().unwrap_or("")
}

/// A column's boxes as drawn: (top y, fill, hover text), in document order.
fn boxes(svg: &str, side: &str) -> Vec<(f64, String, String)> {
    svg.lines()
        .filter(|l| l.starts_with("<rect ") && l.contains(&format!("class=\"{side}\"")))
        .map(|l| {
            (
                attr(l, "y").and_then(|v| v.parse().ok()).expect("y"),
                attr(l, "fill").expect("fill").to_string(),
                body(l).to_string(),
            )
        })
        .collect()
}

/// Every pair line: (y at the intended end, y at the actual end, stroke, hover text).
fn pairs(svg: &str) -> Vec<(f64, f64, String, String)> {
    svg.lines()
        .filter(|l| l.starts_with("<polyline ") && l.contains("class=\"pair\""))
        .map(|l| {
            let pts: Vec<f64> = attr(l, "points")
                .expect("points")
                .split([' ', ','])
                .map(|v| v.parse().expect("number"))
                .collect();
            assert_eq!(pts.len(), 4, "a pair is one straight line: {l}");
            (
                pts[1],
                pts[3],
                attr(l, "stroke").expect("stroke").to_string(),
                body(l).to_string(),
            )
        })
        .collect()
}

#[test]
fn the_seed_run_draws_every_resource_once_and_joins_each_managed_pair_at_its_rows() {
    let a = seed();
    let r = &a.report;
    let svg = render_svg(&a);
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    assert_eq!(svg.matches("<svg").count(), 1, "one <svg> element");

    // One box per resource the plan asks for (the fleet's three places included) and
    // per resource reality has: the counts the text report prints.
    let left = boxes(&svg, "intended");
    let right = boxes(&svg, "actual");
    assert_eq!((left.len(), right.len()), (9, 16));
    assert_eq!(left.len(), a.intended_resources);
    assert_eq!(right.len(), a.actual_resources);
    assert_eq!(left.len(), r.managed() + r.missing());
    assert_eq!(right.len(), r.managed() + r.unmanaged());

    // The right column is the report's resources minus the missing ones, in its order,
    // each coloured by its own verdict.
    let real: Vec<_> = r
        .resources
        .iter()
        .filter(|d| d.state != ResourceState::Missing)
        .collect();
    for ((_, fill, tip), d) in right.iter().zip(&real) {
        assert!(tip.starts_with(&format!("{}: {}", d.key, d.state)), "{tip}");
        assert_eq!(fill, colour(d.state), "{tip}");
    }
    // Positions follow the data order, top to bottom.
    for col in [&left, &right] {
        assert!(col.windows(2).all(|w| w[0].0 < w[1].0), "rows in order");
    }

    // One line per managed resource, from its intended box to its actual box.
    let lines = pairs(&svg);
    assert_eq!(lines.len(), r.managed());
    let centre = |col: &[(f64, String, String)], label: &str| -> f64 {
        let hits: Vec<f64> = col
            .iter()
            .filter(|(_, _, tip)| tip.starts_with(&format!("{label}:")))
            .map(|(y, _, _)| *y)
            .collect();
        assert_eq!(hits.len(), 1, "one box for {label}");
        hits[0] + 9.5
    };
    let state_of: BTreeMap<String, ResourceState> = r
        .resources
        .iter()
        .map(|d| (d.key.to_string(), d.state))
        .collect();
    for (y1, y2, stroke, tip) in &lines {
        let (ends, state) = tip.rsplit_once(": ").expect("tip names the verdict");
        let (from, to) = ends.split_once(" ↔ ").expect("tip names both ends");
        assert!((centre(&left, from) - y1).abs() < 0.05, "{tip}");
        assert!((centre(&right, to) - y2).abs() < 0.05, "{tip}");
        let verdict = state_of[to];
        assert_eq!(state, verdict.to_string());
        assert!(matches!(
            verdict,
            ResourceState::InSync | ResourceState::Changed
        ));
        assert_eq!(stroke, colour(verdict), "{tip}");
    }

    // The fleet: the template's places, filled in name order; server_4 has no line.
    for k in 1..=3 {
        assert!(svg.contains(&format!(
            "<title>web_server[production/web_servers[{k}]] ↔ web_server[production/server_{k}]: changed</title>"
        )));
    }
    assert!(!lines.iter().any(|l| l.3.contains("server_4")));
    assert!(svg.contains(">template production.web_servers: count 3, reality has 4</text>"));

    // The legend: the engine's verdict names with the report's counts.
    for (label, n) in [
        ("in sync", r.managed() - r.changed()),
        ("changed", r.changed()),
        ("missing", r.missing()),
        ("unmanaged", r.unmanaged()),
    ] {
        assert!(svg.contains(&format!(">{label} ({n})</text>")), "{label}");
    }

    // Same run, same bytes.
    assert_eq!(svg, render_svg(&seed()));
}

#[test]
fn empty_places_are_missing_without_a_line_and_every_label_is_escaped() {
    let a = assessment(
        r#"
prod:
  web_servers: {type: t3.small, count: 3}
  s3_buckets:
    - name: "<b>logs & \"more\""
      versioning: enabled
"#,
        r#"
prod:
  web_servers:
    web_a: {type: t3.small}
  s3_buckets:
    - name: "<b>logs & \"more\""
      versioning: suspended
    - name: "<script>x"
"#,
    );
    let map = drift_map(&a.report);
    let states: Vec<ResourceState> = map.intended.iter().map(|m| m.state).collect();
    assert_eq!(
        states,
        [
            ResourceState::InSync, // the environment's own settings
            ResourceState::Changed,
            ResourceState::InSync,
            ResourceState::Missing,
            ResourceState::Missing
        ]
    );
    assert_eq!(map.intended[0].label, "environment[prod]");
    assert_eq!(map.intended[2].label, "web_server[prod/web_servers[1]]");
    assert_eq!(map.intended[3].label, "web_server[prod/web_servers[2]]");
    assert_eq!(map.intended[4].label, "web_server[prod/web_servers[3]]");
    assert_eq!(map.actual[3].label, "web_server[prod/web_a]");
    assert_eq!(map.pairs, [(0, 0), (1, 1), (2, 3)]);

    let svg = render_svg(&a);
    assert_eq!(boxes(&svg, "intended").len(), 5);
    assert_eq!(boxes(&svg, "actual").len(), 4);
    let lines = pairs(&svg);
    assert_eq!(lines.len(), 3, "missing places get no line");
    let fills: Vec<String> = boxes(&svg, "intended").into_iter().map(|b| b.1).collect();
    assert_eq!(fills[3], colour(ResourceState::Missing));
    assert_eq!(fills[4], colour(ResourceState::Missing));
    assert_eq!(boxes(&svg, "actual")[2].1, colour(ResourceState::Unmanaged));
    assert!(svg.contains(">template prod.web_servers: count 3, reality has 1</text>"));

    assert!(!svg.contains("<b>") && !svg.contains("<script>"), "{svg}");
    assert!(svg.contains("s3_bucket[prod/&lt;b&gt;logs &amp; &quot;more&quot;]"));
    assert!(svg.contains("s3_bucket[prod/&lt;script&gt;x]"));
    assert_eq!(svg.matches("<svg").count(), 1);
}
