//! Summaries of many durations — mean, median, p95, geometric mean — and the DORA
//! recovery-time levels.

use std::time::Duration;

use crate::timeline::{Incident, Interval, metrics};

/// A summary of one interval over many incidents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many incidents had this interval recorded.
    pub n: usize,
    /// Arithmetic mean: total ÷ n. The "M" in MTTR.
    pub mean: Duration,
    /// The middle value (mean of the two middle ones when n is even).
    pub median: Duration,
    /// 95th percentile, nearest-rank: the ⌈0.95·n⌉-th smallest value.
    pub p95: Duration,
    /// exp(mean(ln x)); `None` if any value is zero (its logarithm is −∞).
    pub geometric_mean: Option<Duration>,
    /// The longest.
    pub max: Duration,
}

/// Summarise `xs`; `None` when empty.
///
/// ```
/// use std::time::Duration;
/// let m = |x: u64| Duration::from_secs(60 * x);
/// let s = mttr::summarize(&[m(1), m(2), m(4), m(100)]).unwrap();
/// assert_eq!(s.mean, Duration::from_secs(60 * 107) / 4);   // total ÷ N
/// assert_eq!(s.median, Duration::from_secs(180));
/// assert_eq!(s.p95, m(100));
/// ```
pub fn summarize(xs: &[Duration]) -> Option<Summary> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_unstable();
    let n = v.len();
    let total: Duration = v.iter().sum();
    let mean = total / n as u32;
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    };
    let geometric_mean = if v[0].is_zero() {
        None
    } else {
        let mean_ln = v.iter().map(|d| d.as_secs_f64().ln()).sum::<f64>() / n as f64;
        Duration::try_from_secs_f64(mean_ln.exp()).ok()
    };
    Some(Summary {
        n,
        mean,
        median,
        p95: v[nearest_rank(n, 0.95)],
        geometric_mean,
        max: v[n - 1],
    })
}

/// The 0-based index of the nearest-rank `q`-quantile of `n` sorted values.
pub fn nearest_rank(n: usize, q: f64) -> usize {
    ((q * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1
}

/// The summary of every interval over `incidents` (`None` where no incident recorded it).
pub fn summarize_incidents(incidents: &[Incident]) -> Vec<(Interval, Option<Summary>)> {
    let all: Vec<_> = incidents.iter().map(metrics).collect();
    Interval::ALL
        .into_iter()
        .map(|i| {
            let xs: Vec<Duration> = all.iter().filter_map(|m| m.get(i)).collect();
            (i, summarize(&xs))
        })
        .collect()
}

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

/// One performance level of a DORA recovery-time table, as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoraLevel {
    /// `elite`, `high`, `medium`, `low`.
    pub name: &'static str,
    /// The published wording.
    pub published: &'static str,
    /// Inclusive lower bound.
    pub from: Duration,
    /// Exclusive upper bound; `None` for "more than …".
    pub below: Option<Duration>,
}

impl DoraLevel {
    /// Whether `d` falls in this level's published range.
    pub fn contains(&self, d: Duration) -> bool {
        d >= self.from && self.below.is_none_or(|b| d < b)
    }
}

/// A year's DORA table for recovery time ("time to restore service", renamed "failed
/// deployment recovery time" in 2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoraTable {
    /// Report year.
    pub year: u16,
    /// The four levels, best first.
    pub levels: [DoraLevel; 4],
    /// Where this crate took the table from, and whether that was the report itself.
    pub source: &'static str,
}

const fn level(
    name: &'static str,
    published: &'static str,
    from: u64,
    below: Option<u64>,
) -> DoraLevel {
    DoraLevel {
        name,
        published,
        from: Duration::from_secs(from),
        below: match below {
            Some(b) => Some(Duration::from_secs(b)),
            None => None,
        },
    }
}

/// The 2023 table, as quoted by Apache DevLake's docs ("Source: 2023 Accelerate State of
/// DevOps"). "Six months" is taken as 183 days. Note the gap between one week and six
/// months: a team there is in no level.
pub const DORA_2023: DoraTable = DoraTable {
    year: 2023,
    levels: [
        level("elite", "less than one hour", 0, Some(HOUR)),
        level("high", "less than one day", 0, Some(DAY)),
        level("medium", "between one day and one week", DAY, Some(7 * DAY)),
        level("low", "more than six months", 183 * DAY, None),
    ],
    source: "2023 report, as quoted by Apache DevLake's docs",
};

/// The 2024 table as this book's brief gives it (not checked against the report's own
/// text: see the page). "One month" is taken as 30 days.
pub const DORA_2024: DoraTable = DoraTable {
    year: 2024,
    levels: [
        level("elite", "less than one hour", 0, Some(HOUR)),
        level("high", "less than one day", 0, Some(DAY)),
        level("medium", "less than one day", 0, Some(DAY)),
        level(
            "low",
            "between one week and one month",
            7 * DAY,
            Some(30 * DAY),
        ),
    ],
    source: "the brief's figures, not verified against the 2024 report",
};

impl DoraTable {
    /// Every level whose published range contains `d` — possibly several (the ranges
    /// overlap: "less than one day" contains "less than one hour") or none (gaps).
    pub fn levels_for(&self, d: Duration) -> Vec<&'static str> {
        self.levels
            .iter()
            .filter(|l| l.contains(d))
            .map(|l| l.name)
            .collect()
    }

    /// The best level containing `d`, if any.
    pub fn best_level(&self, d: Duration) -> Option<&'static str> {
        self.levels_for(d).first().copied()
    }
}
