//! The typed incident timeline: seven milestones, and the named intervals between them.

use std::fmt;
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::TimelineError;

/// One moment in an incident's life, in the order they must happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Milestone {
    /// Users start to feel the failure (often known only afterwards).
    ImpactStarted,
    /// An alert fires: the organisation now knows. Also called *alert* or *detection*.
    Detected,
    /// A responder acknowledges the page: someone owns the incident.
    Acknowledged,
    /// Hands-on work on a fix starts (diagnosis done, or mitigation begun).
    WorkBegan,
    /// The technical fix is in place.
    FixApplied,
    /// Users are served normally again.
    Restored,
    /// The incident is confirmed resolved and closed (verification, write-up).
    Closed,
}

impl Milestone {
    /// All seven, in order.
    pub const ALL: [Milestone; 7] = [
        Milestone::ImpactStarted,
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::WorkBegan,
        Milestone::FixApplied,
        Milestone::Restored,
        Milestone::Closed,
    ];

    /// The three every incident must have; the others may be unknown.
    pub const REQUIRED: [Milestone; 3] = [
        Milestone::ImpactStarted,
        Milestone::Detected,
        Milestone::Restored,
    ];

    /// The CSV column / JSON key for this milestone.
    pub fn column(self) -> &'static str {
        match self {
            Milestone::ImpactStarted => "impact_started",
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::WorkBegan => "work_began",
            Milestone::FixApplied => "fix_applied",
            Milestone::Restored => "restored",
            Milestone::Closed => "closed",
        }
    }

    /// A short label for tables and charts.
    pub fn label(self) -> &'static str {
        match self {
            Milestone::ImpactStarted => "impact started",
            Milestone::Detected => "alert (detected)",
            Milestone::Acknowledged => "acknowledged",
            Milestone::WorkBegan => "work began",
            Milestone::FixApplied => "fix applied",
            Milestone::Restored => "service restored",
            Milestone::Closed => "closed",
        }
    }

    /// The milestone whose column is `name`.
    pub fn from_column(name: &str) -> Option<Milestone> {
        Milestone::ALL.into_iter().find(|m| m.column() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Milestone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.column())
    }
}

/// Parse an RFC 3339 time (`2024-11-29T14:30:00Z`, `2024-11-29T09:30:00-05:00`).
pub fn parse_time(field: &'static str, value: &str) -> Result<OffsetDateTime, TimelineError> {
    OffsetDateTime::parse(value.trim(), &Rfc3339).map_err(|e| TimelineError::BadTime {
        field,
        value: value.to_string(),
        reason: e.to_string(),
    })
}

/// Format a time as RFC 3339 (in the offset it was given with).
pub fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| format!("{t}")) // only years outside 0..=9999 fail
}

/// An incident's milestones. `impact_started`, `detected` and `restored` are always
/// present; the others are `None` when nobody recorded them. Present milestones never
/// go backwards in time (checked on construction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    at: [Option<OffsetDateTime>; 7],
}

/// Offsets from a base time, for building a timeline out of `Duration`s (a simulation's
/// clock, a detector's verdict). `None` means the milestone was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Offsets {
    /// When users started to feel the failure.
    pub impact_started: Duration,
    /// When the alert fired.
    pub detected: Duration,
    /// When a responder acknowledged.
    pub acknowledged: Option<Duration>,
    /// When hands-on work began.
    pub work_began: Option<Duration>,
    /// When the fix was in place.
    pub fix_applied: Option<Duration>,
    /// When users were served normally again.
    pub restored: Duration,
    /// When the incident was closed.
    pub closed: Option<Duration>,
}

impl Offsets {
    fn get(&self, m: Milestone) -> Option<Duration> {
        match m {
            Milestone::ImpactStarted => Some(self.impact_started),
            Milestone::Detected => Some(self.detected),
            Milestone::Acknowledged => self.acknowledged,
            Milestone::WorkBegan => self.work_began,
            Milestone::FixApplied => self.fix_applied,
            Milestone::Restored => Some(self.restored),
            Milestone::Closed => self.closed,
        }
    }
}

impl Timeline {
    /// Build from `(milestone, time)` pairs; later pairs for the same milestone win.
    ///
    /// Fails if a required milestone is absent or two present ones are out of order.
    pub fn from_milestones(
        pairs: &[(Milestone, OffsetDateTime)],
    ) -> Result<Timeline, TimelineError> {
        let mut at = [None; 7];
        for &(m, t) in pairs {
            at[m.index()] = Some(t);
        }
        for m in Milestone::REQUIRED {
            if at[m.index()].is_none() {
                return Err(TimelineError::Missing { field: m });
            }
        }
        // Every present milestone must be no earlier than the latest present one before it.
        let mut latest: Option<(Milestone, OffsetDateTime)> = None;
        for m in Milestone::ALL {
            let Some(t) = at[m.index()] else { continue };
            if let Some((pm, pt)) = latest
                && t < pt
            {
                return Err(TimelineError::OutOfOrder {
                    field: m,
                    at: format_time(t),
                    earlier: pm,
                    earlier_at: format_time(pt),
                });
            }
            latest = Some((m, t));
        }
        Ok(Timeline { at })
    }

    /// Build from a base RFC 3339 time plus offsets — the easy way from `Duration`s.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mttr::{Offsets, Timeline, Milestone};
    /// let min = |m: u64| Duration::from_secs(60 * m);
    /// let t = Timeline::from_offsets("2024-11-29T14:30:00Z", &Offsets {
    ///     detected: min(3),
    ///     restored: min(15),
    ///     ..Offsets::default()
    /// })?;
    /// assert_eq!(t.between(Milestone::Detected, Milestone::Restored), Some(min(12)));
    /// # Ok::<(), mttr::TimelineError>(())
    /// ```
    pub fn from_offsets(base: &str, offsets: &Offsets) -> Result<Timeline, TimelineError> {
        let base = parse_time("base", base)?;
        let mut pairs = Vec::with_capacity(7);
        for m in Milestone::ALL {
            if let Some(d) = offsets.get(m) {
                let t = time::Duration::try_from(d)
                    .ok()
                    .and_then(|d| base.checked_add(d))
                    .ok_or(TimelineError::OffsetOverflow {
                        field: m,
                        offset: d,
                    })?;
                pairs.push((m, t));
            }
        }
        Timeline::from_milestones(&pairs)
    }

    /// When `m` happened, if recorded.
    pub fn get(&self, m: Milestone) -> Option<OffsetDateTime> {
        self.at[m.index()]
    }

    /// The time from `from` to `to`, if both are recorded and `from` is not after `to`.
    pub fn between(&self, from: Milestone, to: Milestone) -> Option<Duration> {
        let (a, b) = (self.get(from)?, self.get(to)?);
        if b < a {
            return None;
        }
        Some((b - a).unsigned_abs())
    }

    /// When users started to feel the failure (always present).
    pub fn impact_started(&self) -> OffsetDateTime {
        self.required(Milestone::ImpactStarted)
    }

    /// When the alert fired (always present).
    pub fn detected(&self) -> OffsetDateTime {
        self.required(Milestone::Detected)
    }

    /// When service was restored (always present).
    pub fn restored(&self) -> OffsetDateTime {
        self.required(Milestone::Restored)
    }

    /// The last recorded milestone (closed if known, else the latest present one).
    pub fn end(&self) -> OffsetDateTime {
        self.at
            .iter()
            .rev()
            .flatten()
            .next()
            .copied()
            .unwrap_or(self.restored())
    }

    /// The recorded milestones, in order.
    pub fn milestones(&self) -> Vec<(Milestone, OffsetDateTime)> {
        Milestone::ALL
            .into_iter()
            .filter_map(|m| self.get(m).map(|t| (m, t)))
            .collect()
    }

    /// Every ordered pair of recorded milestones exactly `d` apart — which interval a
    /// quoted number could have come from.
    pub fn pairs_spanning(&self, d: Duration) -> Vec<(Milestone, Milestone)> {
        let ms = self.milestones();
        let mut out = Vec::new();
        for (i, &(a, _)) in ms.iter().enumerate() {
            for &(b, _) in &ms[i + 1..] {
                if self.between(a, b) == Some(d) {
                    out.push((a, b));
                }
            }
        }
        out
    }

    fn required(&self, m: Milestone) -> OffsetDateTime {
        // Construction guarantees the required milestones; fall back rather than panic.
        self.at[m.index()]
            .or(self.at.iter().flatten().next().copied())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// One incident: an id unique within its file, a title, and its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Unique id (`INC-1042`).
    pub id: String,
    /// What broke, for humans.
    pub title: String,
    /// The milestones.
    pub timeline: Timeline,
}

/// A named interval between two milestones — one meaning of the letters "MTTR" (or its
/// cousin MTTD). Teams must say which one they report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    /// Impact started → detected: how long users suffered before anyone knew (MTTD).
    Detect,
    /// Detected → acknowledged: how fast a human owns the alert (mean time to *respond*).
    Respond,
    /// Work began → fix applied: hands-on repair time (mean time to *repair*).
    Repair,
    /// Detected → restored: recovery as the on-call team sees it (mean time to *recover*).
    RecoverFromAlert,
    /// Impact started → restored: recovery as users see it (the downtime; DORA's
    /// "time to restore service" asks about this one).
    RecoverFromImpact,
    /// Detected → closed: the whole lifecycle (mean time to *resolve*).
    Resolve,
}

impl Interval {
    /// All six, in the order tables print them.
    pub const ALL: [Interval; 6] = [
        Interval::Detect,
        Interval::Respond,
        Interval::Repair,
        Interval::RecoverFromAlert,
        Interval::RecoverFromImpact,
        Interval::Resolve,
    ];

    /// The milestones the interval runs between.
    pub fn span(self) -> (Milestone, Milestone) {
        use Milestone::*;
        match self {
            Interval::Detect => (ImpactStarted, Detected),
            Interval::Respond => (Detected, Acknowledged),
            Interval::Repair => (WorkBegan, FixApplied),
            Interval::RecoverFromAlert => (Detected, Restored),
            Interval::RecoverFromImpact => (ImpactStarted, Restored),
            Interval::Resolve => (Detected, Closed),
        }
    }

    /// Its name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Interval::Detect => "detect",
            Interval::Respond => "respond",
            Interval::Repair => "repair",
            Interval::RecoverFromAlert => "recover (from alert)",
            Interval::RecoverFromImpact => "recover (from impact)",
            Interval::Resolve => "resolve",
        }
    }

    /// A machine-friendly key for JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Interval::Detect => "detect",
            Interval::Respond => "respond",
            Interval::Repair => "repair",
            Interval::RecoverFromAlert => "recover_from_alert",
            Interval::RecoverFromImpact => "recover_from_impact",
            Interval::Resolve => "resolve",
        }
    }
}

/// One incident's intervals. Those between required milestones are always known; the
/// others are `None` when a milestone was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    /// Impact started → detected.
    pub detect: Duration,
    /// Detected → acknowledged.
    pub respond: Option<Duration>,
    /// Work began → fix applied.
    pub repair: Option<Duration>,
    /// Detected → restored.
    pub recover_from_alert: Duration,
    /// Impact started → restored (the users' downtime).
    pub recover_from_impact: Duration,
    /// Detected → closed.
    pub resolve: Option<Duration>,
}

impl Metrics {
    /// The value of one interval.
    pub fn get(&self, i: Interval) -> Option<Duration> {
        match i {
            Interval::Detect => Some(self.detect),
            Interval::Respond => self.respond,
            Interval::Repair => self.repair,
            Interval::RecoverFromAlert => Some(self.recover_from_alert),
            Interval::RecoverFromImpact => Some(self.recover_from_impact),
            Interval::Resolve => self.resolve,
        }
    }
}

/// Every interval of one incident.
pub fn metrics(incident: &Incident) -> Metrics {
    let t = &incident.timeline;
    let get = |i: Interval| {
        let (a, b) = i.span();
        t.between(a, b)
    };
    Metrics {
        detect: get(Interval::Detect).unwrap_or_default(),
        respond: get(Interval::Respond),
        repair: get(Interval::Repair),
        recover_from_alert: get(Interval::RecoverFromAlert).unwrap_or_default(),
        recover_from_impact: get(Interval::RecoverFromImpact).unwrap_or_default(),
        resolve: get(Interval::Resolve),
    }
}
