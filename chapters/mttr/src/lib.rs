//! # Day 11 — Mean Time to Resolution
//!
//! "MTTR" is four different numbers wearing one acronym. Each is a **mean of an
//! interval** between two moments of an incident's life, and a team that reports "our
//! MTTR" without saying which two moments has said very little. This crate makes the
//! moments typed and the intervals named, so the question "which MTTR?" has to be
//! answered in code.
//!
//! **Seven milestones** ([`Milestone`]), in the order they must happen:
//! impact started → detected (the alert) → acknowledged → work began → fix applied →
//! service restored → closed. A [`Timeline`] holds them; impact, detection and
//! restoration are required, the rest may be unrecorded, and construction rejects any
//! that run backwards.
//!
//! **Named intervals** ([`Interval`]):
//!
//! | interval | from → to | the "R" |
//! |---|---|---|
//! | detect | impact started → detected | (MTTD, not an R) |
//! | respond | detected → acknowledged | mean time to *respond* |
//! | repair | work began → fix applied | mean time to *repair* |
//! | recover (from alert) | detected → restored | mean time to *recover*, as on-call sees it |
//! | recover (from impact) | impact started → restored | the users' downtime |
//! | resolve | detected → closed | mean time to *resolve* |
//!
//! Over N incidents, the mean is total ÷ N. But incident durations are heavy-tailed
//! (roughly lognormal), so the mean is dominated by the few longest incidents; this
//! crate prints the median, the 95th percentile and the geometric mean beside it
//! ([`summarize`]), places the median recovery time in DORA's published levels
//! ([`DORA_2023`], [`DORA_2024`]), and simulates ([`montecarlo`]) how a real 10 %
//! improvement disappears into the noise of 50–300 incidents.
//!
//! ```
//! use std::time::Duration;
//! use mttr::{Incident, Offsets, Timeline, metrics};
//!
//! let min = |m: u64| Duration::from_secs(60 * m);
//! // The seed's ShopFast incident, as offsets from 14:30 when the database crashed.
//! let timeline = Timeline::from_offsets("2024-11-29T14:30:00Z", &Offsets {
//!     impact_started: min(0),
//!     detected: min(3),
//!     acknowledged: Some(min(5)),
//!     work_began: Some(min(10)),
//!     fix_applied: Some(min(13)),
//!     restored: min(15),
//!     closed: Some(min(30)),
//! })?;
//! let shopfast = Incident { id: "SF-1".into(), title: "checkout down".into(), timeline };
//! let m = metrics(&shopfast);
//! assert_eq!(m.respond, Some(min(2)));
//! assert_eq!(m.repair, Some(min(3)));          // not the seed's 15
//! assert_eq!(m.recover_from_alert, min(12));
//! assert_eq!(m.recover_from_impact, min(15));  // what users lived through
//! assert_eq!(m.resolve, Some(min(27)));
//! # Ok::<(), mttr::TimelineError>(())
//! ```
//!
//! Input files (CSV or JSON, RFC 3339 times) are read by [`read_incidents`]; their
//! columns are documented in [`input`]. Bad input is a [`MttrError`] naming file, line and
//! field — never a panic.

pub mod error;
pub mod input;
pub mod montecarlo;
pub mod render;
pub mod seed;
pub mod stats;
pub mod synthetic;
pub mod timeline;
pub mod tryit;

pub use error::{MttrError, TimelineError};
pub use input::{parse_csv, parse_json, parse_record, read_incidents, to_csv, to_json};
pub use render::{
    downtime_cost, fmt_dollars, fmt_duration, fmt_minutes, render_incident, render_report,
    report_json, timeline_svg, timeline_text,
};
pub use stats::{DORA_2023, DORA_2024, DoraLevel, DoraTable, Summary, summarize};
pub use timeline::{
    Incident, Interval, Metrics, Milestone, Offsets, Timeline, format_time, metrics, parse_time,
};
