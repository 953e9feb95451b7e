//! The seed's own numbers, checked against its own timestamps.

use std::time::Duration;

use crate::render::{fmt_duration, fmt_minutes};
use crate::timeline::{Incident, Interval, metrics};

/// A number the seed printed for one interval of one incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    /// The seed's words.
    pub what: &'static str,
    /// The interval the seed's definition names.
    pub interval: Interval,
    /// The seed's number, in whole minutes.
    pub minutes: u64,
}

const fn claim(what: &'static str, interval: Interval, minutes: u64) -> Claim {
    Claim {
        what,
        interval,
        minutes,
    }
}

/// The seed's "Metrics Breakdown" for the ShopFast incident.
pub const SHOPFAST_CLAIMS: [Claim; 4] = [
    claim("Respond (alert → ack)", Interval::Respond, 2),
    claim("Repair (diagnosis → fix)", Interval::Repair, 15),
    claim("Recover (alert → restored)", Interval::RecoverFromAlert, 12),
    claim("Resolve (alert → closed)", Interval::Resolve, 27),
];

/// The seed's "Visual Comparison" diagram (alert at 0 min … closed at 60 min), whose
/// definitions table says Recover runs from "service down".
pub const DIAGRAM_CLAIMS: [Claim; 4] = [
    claim("Respond (alert → first response)", Interval::Respond, 5),
    claim("Repair (work begins → fix done)", Interval::Repair, 30),
    claim(
        "Recover (service down → restored)",
        Interval::RecoverFromImpact,
        35,
    ),
    claim("Resolve (alert → closed)", Interval::Resolve, 60),
];

/// What checking one claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimCheck {
    /// The claim.
    pub claim: Claim,
    /// What the timeline gives for the claimed interval (`None`: not recorded).
    pub computed: Option<Duration>,
    /// Whether they agree to the minute.
    pub agrees: bool,
    /// The milestone pairs that *do* span the claimed number — where it may have come from.
    pub spanned_by: Vec<String>,
}

/// Check each claim against the incident's timeline.
pub fn check_claims(incident: &Incident, claims: &[Claim]) -> Vec<ClaimCheck> {
    let m = metrics(incident);
    claims
        .iter()
        .map(|&claim| {
            let computed = m.get(claim.interval);
            let want = Duration::from_secs(60 * claim.minutes);
            ClaimCheck {
                claim,
                computed,
                agrees: computed == Some(want),
                spanned_by: incident
                    .timeline
                    .pairs_spanning(want)
                    .into_iter()
                    .map(|(a, b)| format!("{a} → {b}"))
                    .collect(),
            }
        })
        .collect()
}

/// The checks as a text table.
pub fn render_checks(checks: &[ClaimCheck]) -> String {
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            vec![
                c.claim.what.into(),
                c.claim.minutes.to_string(),
                c.computed.map(fmt_minutes).unwrap_or_else(|| "—".into()),
                if c.agrees { "ok" } else { "WRONG" }.into(),
            ]
        })
        .collect();
    let mut out = kit::table::render(&["seed's claim", "seed", "computed", ""], &rows);
    out.push('\n');
    for c in checks.iter().filter(|c| !c.agrees) {
        let (a, b) = c.claim.interval.span();
        out.push_str(&format!(
            "\n{}: {a} → {b} is {}.\n  {} min is spanned by: {}\n",
            c.claim.what,
            c.computed
                .map(fmt_duration)
                .unwrap_or_else(|| "not recorded".into()),
            c.claim.minutes,
            if c.spanned_by.is_empty() {
                "no pair of milestones".to_string()
            } else {
                c.spanned_by.join("; ")
            }
        ));
    }
    out
}
