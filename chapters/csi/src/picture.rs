//! The story run as a picture: the spec's volume lifecycle on top, and under it
//! one row per RPC the run made, with a dot in the column of the state the volume
//! was in afterwards.
//!
//! The header draws the lifecycle's states ([`LifecycleState::ALL`], after a
//! "no volume" column) as boxes, with the RPC that climbs into each state above
//! the arrow and the one that goes back below it. Each row is one [`RpcEvent`]
//! in the order the run made them: its number, the RPC as the text prints it,
//! the node it was for, its status code, and a dot coloured by node where the
//! state database put the volume after it. A line joins the dots, so the
//! failover reads as a walk down the columns on node-a and back up on node-b;
//! a refused call keeps its dot where the volume stayed, ringed in red.
//! [`lifecycle_svg`] writes it with [`kit::svg::Canvas`].

use crate::lifecycle::LifecycleState;
use crate::story::RpcEvent;
use kit::svg::{Canvas, PALETTE};

const WIDTH: f64 = 800.0;
/// Left edge of the state columns.
const COLUMNS_X: f64 = 362.0;
/// Width of one state column.
const COLUMN_W: f64 = 86.0;
const BOX_W: f64 = 72.0;
const BOX_TOP: f64 = 62.0;
const BOX_H: f64 = 26.0;
const HEADING_Y: f64 = 138.0;
const FIRST_ROW_Y: f64 = 156.0;
const ROW_H: f64 = 18.5;
/// The x of the row's number (right-aligned), RPC, node and result.
const NUMBER_X: f64 = 30.0;
const RPC_X: f64 = 38.0;
const NODE_X: f64 = 196.0;
const RESULT_X: f64 = 240.0;

/// The colour for calls and states with no node (provisioning).
const NO_NODE: &str = "#555";
/// The colour of a refused call.
const REFUSED: &str = PALETTE[5];

/// Column of a state: 0 for "no volume", then CREATED = 1 … PUBLISHED = 4.
pub fn column(state: Option<LifecycleState>) -> usize {
    match state {
        None => 0,
        Some(s) => {
            1 + LifecycleState::ALL
                .iter()
                .position(|x| *x == s)
                .unwrap_or(0)
        }
    }
}

/// The x of column `col`'s centre.
pub fn column_x(col: usize) -> f64 {
    COLUMNS_X + COLUMN_W * (col as f64 + 0.5)
}

/// The y of the `i`-th row (0-based), the baseline of its text and the centre of its dot.
pub fn row_y(i: usize) -> f64 {
    FIRST_ROW_Y + ROW_H * i as f64
}

/// The nodes in the order the run first names them (the call's node or a state's).
fn nodes_of(events: &[RpcEvent]) -> Vec<String> {
    let mut nodes: Vec<String> = Vec::new();
    for e in events {
        let named = e
            .node
            .iter()
            .chain(e.after.iter().flatten().filter_map(|p| p.node.as_ref()));
        for n in named {
            if !nodes.contains(n) {
                nodes.push(n.clone());
            }
        }
    }
    nodes
}

fn node_colour(nodes: &[String], node: Option<&String>) -> &'static str {
    match node.and_then(|n| nodes.iter().position(|x| x == n)) {
        Some(i) => [PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4]][i % 5],
        None => NO_NODE,
    }
}

/// Where a call left the volume: one (column, node) per node it is on, or the
/// "no volume" / CREATED column with no node.
fn marks(e: &RpcEvent) -> Vec<(usize, Option<&String>)> {
    match &e.after {
        None => vec![(0, None)],
        Some(ps) => ps
            .iter()
            .map(|p| (column(Some(p.state)), p.node.as_ref()))
            .collect(),
    }
}

/// The state after a call, as the tooltip says it: `PUBLISHED@node-a`, `no volume`.
fn state_text(e: &RpcEvent) -> String {
    match &e.after {
        None => "no volume".to_string(),
        Some(ps) => ps
            .iter()
            .map(|p| match &p.node {
                Some(n) => format!("{}@{n}", p.state.name()),
                None => p.state.name().to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A line from `from` to `to` with an arrowhead at `to`.
fn arrow(c: &mut Canvas, from: (f64, f64), to: (f64, f64), colour: &str) {
    let dir = if to.0 >= from.0 { 1.0 } else { -1.0 };
    let head = |dy: f64| (to.0 - dir * 5.0, to.1 + dy);
    c.polyline(
        &[from, to, head(-3.5), to, head(3.5)],
        &format!(r#"stroke="{colour}" stroke-width="1.4""#),
        None,
    );
}

/// The lifecycle's boxes and transitions, one column each, with "no volume" first.
fn lifecycle_header(c: &mut Canvas) {
    let mid = BOX_TOP + BOX_H / 2.0;
    for col in 0..=LifecycleState::ALL.len() {
        let x = column_x(col);
        let (fill, stroke, dash, label) = if col == 0 {
            ("white", "#999", r#" stroke-dasharray="4 3""#, "no volume")
        } else {
            ("#f4f4f4", "#555", "", LifecycleState::ALL[col - 1].name())
        };
        c.rect(
            (x - BOX_W / 2.0, BOX_TOP),
            (BOX_W, BOX_H),
            &format!(r#"fill="{fill}" stroke="{stroke}" rx="3"{dash}"#),
            None,
        );
        let weight = if col == 0 {
            ""
        } else {
            r#" font-weight="bold""#
        };
        c.text(
            x,
            mid + 3.5,
            &format!(r##"text-anchor="middle" font-size="9.5" fill="#333"{weight}"##),
            label,
        );
    }
    // Between column k and k+1: the RPC up into state k+1 above, the one back below.
    // Neighbouring labels sit at two heights, so the long names never meet.
    for (k, state) in LifecycleState::ALL.iter().enumerate() {
        let (up, down) = state.transitions();
        let left = column_x(k) + BOX_W / 2.0;
        let right = column_x(k + 1) - BOX_W / 2.0;
        let gap = (left + right) / 2.0;
        let (up_y, down_y) = if k % 2 == 0 {
            (BOX_TOP - 8.0, BOX_TOP + BOX_H + 16.0)
        } else {
            (BOX_TOP - 21.0, BOX_TOP + BOX_H + 29.0)
        };
        arrow(c, (left, mid - 5.0), (right, mid - 5.0), "#333");
        arrow(c, (right, mid + 5.0), (left, mid + 5.0), "#555");
        let leader = r##"stroke="#bbb" stroke-width="0.8""##;
        c.line((gap, up_y + 3.0), (gap, mid - 7.0), leader);
        c.line((gap, mid + 7.0), (gap, down_y - 10.0), leader);
        c.text(
            gap,
            up_y,
            r##"text-anchor="middle" font-size="10" fill="#333""##,
            up,
        );
        c.text(
            gap,
            down_y,
            r##"text-anchor="middle" font-size="10" fill="#555""##,
            down,
        );
    }
}

/// The legend in the empty corner left of the lifecycle: node colours, a refused call.
fn legend(c: &mut Canvas, nodes: &[String]) {
    let mut y = 50.0;
    c.text(
        20.0,
        y,
        r##"font-size="11" fill="#333""##,
        "dot: where the volume is after the call",
    );
    let mut items: Vec<(String, &str)> = nodes
        .iter()
        .map(|n| (format!("on {n}"), node_colour(nodes, Some(n))))
        .collect();
    items.push(("on no node".to_string(), NO_NODE));
    let mut x = 26.0;
    y += 18.0;
    for (label, colour) in &items {
        c.circle((x, y - 4.0), 4.5, &format!(r#"fill="{colour}""#), None);
        c.text(x + 9.0, y, r##"font-size="11" fill="#333""##, label);
        x += 22.0 + 6.0 * label.chars().count() as f64;
    }
    y += 18.0;
    c.circle(
        (26.0, y - 4.0),
        6.5,
        &format!(r#"fill="none" stroke="{REFUSED}" stroke-width="2""#),
        None,
    );
    c.text(
        38.0,
        y,
        r##"font-size="11" fill="#333""##,
        "refused: the volume stays where it was",
    );
}

/// The run's RPCs on the lifecycle: one `<svg>` element, one dot (`data-call`) per
/// call and state it left the volume in, rows in the order the calls were made.
pub fn lifecycle_svg(events: &[RpcEvent]) -> String {
    let nodes = nodes_of(events);
    let height = row_y(events.len().max(1) - 1) + 22.0;
    let title = format!(
        "One volume's CSI lifecycle, call by call: the {} RPCs of the run",
        events.len()
    );
    let mut c = Canvas::new(
        WIDTH,
        height,
        &format!(
            "{title}. Top: the states no volume, {}, with the RPC that moves up into \
             each state and the one that moves back. Below: each RPC in order, with the \
             node it was for, its result, and a dot in the column of the state the volume \
             was in afterwards.",
            LifecycleState::ALL.map(LifecycleState::name).join(", ")
        ),
    );
    c.title(&title);
    lifecycle_header(&mut c);
    legend(&mut c, &nodes);

    let last_y = row_y(events.len().max(1) - 1);
    for col in 0..=LifecycleState::ALL.len() {
        let x = column_x(col);
        c.line(
            (x, HEADING_Y + 6.0),
            (x, last_y + 8.0),
            r##"stroke="#e4e4e4""##,
        );
    }
    let heading = r##"font-size="11" fill="#555" font-weight="bold""##;
    c.text(
        NUMBER_X,
        HEADING_Y,
        &format!(r#"{heading} text-anchor="end""#),
        "#",
    );
    c.text(RPC_X, HEADING_Y, heading, "RPC");
    c.text(NODE_X, HEADING_Y, heading, "node");
    c.text(RESULT_X, HEADING_Y, heading, "result");
    c.text(
        column_x(2),
        HEADING_Y,
        &format!(r#"{heading} text-anchor="middle""#),
        "state after the call",
    );

    // The walk: one point per call (its highest state when it is on several nodes).
    let walk: Vec<(f64, f64)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let col = marks(e).iter().map(|m| m.0).max().unwrap_or(0);
            (column_x(col), row_y(i))
        })
        .collect();
    if walk.len() > 1 {
        c.polyline(&walk, r##"stroke="#999" stroke-width="1.5""##, None);
    }

    for (i, e) in events.iter().enumerate() {
        let y = row_y(i);
        let refused = e.code != "OK";
        let text = r##"font-size="11" fill="#333""##;
        c.text(
            NUMBER_X,
            y + 4.0,
            &format!(r#"{text} text-anchor="end""#),
            &e.n.to_string(),
        );
        c.text(RPC_X, y + 4.0, text, &e.rpc);
        c.text(NODE_X, y + 4.0, text, e.node.as_deref().unwrap_or("—"));
        let result = if refused {
            format!(r#"font-size="10" fill="{REFUSED}" font-weight="bold""#)
        } else {
            r##"font-size="10" fill="#555""##.to_string()
        };
        c.text(RESULT_X, y + 4.0, &result, e.code);
        // The printed row, the state it left, and the plugin's message with a failure.
        let tip = format!(
            "{} {} {} {} {} → {}{}",
            e.n,
            e.caller,
            e.rpc,
            e.args,
            e.code,
            state_text(e),
            e.message
                .as_deref()
                .map_or(String::new(), |m| format!("; {m}"))
        );
        for (col, node) in marks(e) {
            let x = column_x(col);
            if refused {
                c.circle(
                    (x, y),
                    8.0,
                    &format!(r#"fill="none" stroke="{REFUSED}" stroke-width="2""#),
                    None,
                );
            }
            c.circle(
                (x, y),
                5.0,
                &format!(
                    r#"fill="{}" stroke="white" data-call="{}""#,
                    node_colour(&nodes, node),
                    e.n
                ),
                Some(&tip),
            );
        }
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::Placement;

    fn event(
        n: usize,
        rpc: &str,
        node: Option<&str>,
        code: &'static str,
        after: Option<(LifecycleState, Option<&str>)>,
    ) -> RpcEvent {
        RpcEvent {
            n,
            caller: "attacher".into(),
            rpc: rpc.into(),
            args: "vol-000001".into(),
            node: node.map(str::to_string),
            code,
            message: (code != "OK").then(|| "held by <node-a> & co".to_string()),
            after: after.map(|(state, node)| {
                vec![Placement {
                    node: node.map(str::to_string),
                    state,
                    targets: usize::from(state == LifecycleState::Published),
                }]
            }),
        }
    }

    fn dots(svg: &str) -> Vec<(usize, f64, f64)> {
        let attr = |line: &str, name: &str| -> String {
            line.split(&format!(r#" {name}=""#))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_default()
                .to_string()
        };
        svg.lines()
            .filter(|l| l.contains("data-call="))
            .map(|l| {
                (
                    attr(l, "data-call").parse().expect("call"),
                    attr(l, "cx").parse().expect("cx"),
                    attr(l, "cy").parse().expect("cy"),
                )
            })
            .collect()
    }

    #[test]
    fn one_dot_per_call_in_its_state_column_in_call_order() {
        use LifecycleState::*;
        let events = vec![
            event(1, "CreateVolume", None, "OK", Some((Created, None))),
            event(
                2,
                "ControllerPublishVolume",
                Some("node-a"),
                "OK",
                Some((NodeReady, Some("node-a"))),
            ),
            event(
                3,
                "ControllerPublishVolume",
                Some("node-b"),
                "FAILED_PRECONDITION",
                Some((NodeReady, Some("node-a"))),
            ),
            event(
                4,
                "ControllerUnpublishVolume",
                Some("node-a"),
                "OK",
                Some((Created, None)),
            ),
            event(5, "DeleteVolume", None, "OK", None),
        ];
        let svg = lifecycle_svg(&events);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<svg").count(), 1);
        let got = dots(&svg);
        assert_eq!(got.len(), events.len(), "one dot per call");
        let want_cols = [1, 2, 2, 1, 0];
        for (i, (n, x, y)) in got.iter().enumerate() {
            assert_eq!(*n, i + 1, "rows in call order");
            assert_eq!(*x, column_x(want_cols[i]), "call {n} in its state's column");
            assert_eq!(*y, row_y(i));
        }
        // Node colours: node-a first named, then node-b; provisioning grey.
        let line = |n: usize| {
            svg.lines()
                .find(|l| l.contains(&format!(r#"data-call="{n}""#)))
                .expect("dot")
        };
        assert!(
            line(1).contains(NO_NODE)
                && line(2).contains(PALETTE[0])
                && line(3).contains(PALETTE[0])
        );
        // The refused call is ringed, and its plugin message is escaped in the tooltip.
        assert_eq!(
            svg.matches(&format!(r#"fill="none" stroke="{REFUSED}""#))
                .count(),
            1 + 1,
            "legend + call 3"
        );
        assert!(svg.contains("held by &lt;node-a&gt; &amp; co") && !svg.contains("<node-a>"));
        // Every state name of the lifecycle heads a column, with its two RPCs.
        for s in LifecycleState::ALL {
            let (up, down) = s.transitions();
            for label in [s.name(), up, down] {
                assert!(svg.contains(&format!(">{label}</text>")), "{label}");
            }
        }
    }

    #[test]
    fn the_picture_fits_its_frame() {
        let events: Vec<RpcEvent> = (1..=18)
            .map(|n| {
                event(
                    n,
                    "ControllerUnpublishVolume",
                    Some("node-b"),
                    "FAILED_PRECONDITION",
                    Some((LifecycleState::Published, Some("node-b"))),
                )
            })
            .collect();
        let svg = lifecycle_svg(&events);
        let (w, h) = svg
            .split(r#"viewBox="0 0 "#)
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.split_once(' '))
            .map(|(w, h)| (w.parse::<f64>().expect("w"), h.parse::<f64>().expect("h")))
            .expect("viewBox");
        assert!(w <= 800.0 && h <= 500.0, "{w}x{h}");
        assert!(dots(&svg).iter().all(|(_, x, y)| *x < w && *y < h));
        assert_eq!(lifecycle_svg(&events), svg, "deterministic");
    }
}
