//! The page's Try it block: edit an incident's milestones and the revenue rate, and see
//! every interval, a text timeline and the money line recomputed. Pure computation on
//! strings, so it also runs as wasm32 in the reader's browser (see [`kit::tryit`]);
//! `cargo run -p mttr --example try_it -- --help` lists the same knobs.

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};

use crate::seed::{SHOPFAST_CLAIMS, check_claims, render_checks};
use crate::{
    Milestone, downtime_cost, fmt_dollars, fmt_duration, metrics, parse_record, render_incident,
    timeline_text,
};

/// The seed's ShopFast incident (`fixtures/shopfast.csv`) as `column: value` lines.
const SHOPFAST: &str = "id: SF-2024-1129
title: ShopFast checkout down: DB connection pool exhausted
impact_started: 2024-11-29T14:30:00Z
detected:       2024-11-29T14:33:00Z
acknowledged:   2024-11-29T14:35:00Z
work_began:     2024-11-29T14:40:00Z
fix_applied:    2024-11-29T14:43:00Z
restored:       2024-11-29T14:45:00Z
closed:         2024-11-29T15:00:00Z
";

/// Width of the text timeline's axis, in columns.
const TIMELINE_WIDTH: usize = 60;

/// Day 11's engine for the page: knobs `incident`, `rate`, `claims`.
pub const ENGINE: Engine = Engine {
    chapter: "mttr",
    title: "edit the incident's milestones (RFC 3339 times; empty = not recorded) and the revenue rate; every interval and the cost are recomputed.",
    knobs: &[
        Knob {
            name: "incident",
            label: "incident (column: value)",
            help: "one incident, one `column: value` per line, the CSV's columns (id, title, impact_started, detected, acknowledged, work_began, fix_applied, restored, closed)",
            kind: Kind::Text {
                rows: 9,
                max_bytes: 4_000,
            },
            default: SHOPFAST,
        },
        Knob {
            name: "rate",
            label: "revenue lost per minute ($)",
            help: "dollars lost per minute of downtime (the seed's figure is 50000)",
            kind: Kind::Int {
                min: 0,
                max: 100_000_000,
            },
            default: "50000",
        },
        Knob {
            name: "claims",
            label: "check the seed's claims",
            help: "also check the seed's four ShopFast numbers (respond 2, repair 15, recover 12, resolve 27 min) against these times",
            kind: Kind::Bool,
            default: "false",
        },
    ],
    run,
};

fn run(v: &Values) -> Result<String, TryItError> {
    let incident = parse_record("incident", v.text("incident")?).map_err(TryItError::engine)?;
    let rate = u64::try_from(v.int("rate")?).unwrap_or(0);
    let mut out = render_incident(&incident);
    out.push('\n');
    out += &timeline_text(&incident, TIMELINE_WIDTH);
    if v.bool("claims")? {
        out.push('\n');
        out += &render_checks(&check_claims(&incident, &SHOPFAST_CLAIMS));
    }
    let m = metrics(&incident);
    let gap = incident
        .timeline
        .between(Milestone::ImpactStarted, Milestone::Detected)
        .unwrap_or_default();
    let (users, on_call) = (
        downtime_cost(m.recover_from_impact, rate),
        downtime_cost(m.recover_from_alert, rate),
    );
    out += &format!(
        "\nRevenue lost at {}/minute:\n  \
         users' downtime (impact → restored, {}): {}\n  \
         counted from the alert (alert → restored, {}): {}\n  \
         the detection gap ({}) is the difference: {}\n",
        fmt_dollars(rate),
        fmt_duration(m.recover_from_impact),
        fmt_dollars(users),
        fmt_duration(m.recover_from_alert),
        fmt_dollars(on_call),
        fmt_duration(gap),
        fmt_dollars(users.saturating_sub(on_call)),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{ENGINE, SHOPFAST};

    #[test]
    fn the_default_is_the_shopfast_fixture() {
        let fixture =
            crate::parse_csv("shopfast.csv", include_str!("../fixtures/shopfast.csv")).unwrap();
        let typed = crate::parse_record("incident", SHOPFAST).unwrap();
        assert_eq!(fixture, vec![typed]);
    }

    #[test]
    fn defaults_run_and_show_the_seed_money_line() {
        let out = ENGINE.run_defaults().unwrap();
        assert!(
            out.contains("| recover (from impact) | impact_started → restored | 15m 00s"),
            "{out}"
        );
        assert!(
            out.contains("users' downtime (impact → restored, 15m 00s): $750,000"),
            "{out}"
        );
        assert!(
            out.contains("the detection gap (3m 00s) is the difference: $150,000"),
            "{out}"
        );
    }

    #[test]
    fn an_earlier_alert_shrinks_the_gap_and_the_bill() {
        let earlier = SHOPFAST.replace("14:33:00Z", "14:31:00Z");
        let out = ENGINE
            .run_pairs(&[("incident", &earlier), ("rate", "1000")])
            .unwrap();
        assert!(
            out.contains("the detection gap (1m 00s) is the difference: $1,000"),
            "{out}"
        );
        assert!(
            out.contains("users' downtime (impact → restored, 15m 00s): $15,000"),
            "{out}"
        );
    }

    #[test]
    fn claims_are_checked_on_request() {
        assert!(!ENGINE.run_defaults().unwrap().contains("WRONG"));
        let out = ENGINE.run_pairs(&[("claims", "true")]).unwrap();
        assert!(
            out.contains("| Repair (diagnosis → fix)   |   15 |      3.0 | WRONG |"),
            "{out}"
        );
    }

    #[test]
    fn out_of_order_and_bad_times_are_named_errors() {
        let backwards = SHOPFAST.replace("14:35:00Z", "14:32:00Z");
        let err = ENGINE
            .run_pairs(&[("incident", &backwards)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "incident:5: field `acknowledged`: 2024-11-29T14:32:00Z is before `detected`"
            ),
            "{err}"
        );
        let bad = SHOPFAST.replace("2024-11-29T14:45:00Z", "14:45");
        let err = ENGINE
            .run_pairs(&[("incident", &bad)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("incident:8: field `restored`: \"14:45\" is not an RFC 3339 time"),
            "{err}"
        );
        let typo = SHOPFAST.replace("closed:", "clsoed:");
        let err = ENGINE
            .run_pairs(&[("incident", &typo)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("incident:9: field `clsoed`: unknown column"),
            "{err}"
        );
        let missing = SHOPFAST.replace("restored:       2024-11-29T14:45:00Z", "restored:");
        let err = ENGINE
            .run_pairs(&[("incident", &missing)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("field `restored`: missing"), "{err}");
    }

    #[test]
    fn unrecorded_milestones_are_shown_as_such() {
        let no_ack = SHOPFAST.replace("acknowledged:   2024-11-29T14:35:00Z", "acknowledged:");
        let out = ENGINE.run_pairs(&[("incident", &no_ack)]).unwrap();
        assert!(out.contains("respond                not recorded"), "{out}");
    }
}
