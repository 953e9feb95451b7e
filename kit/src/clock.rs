//! A virtual clock: simulated time that moves only when the program says so.
//!
//! Rendered programs must print the same page on every build, so they never read the
//! wall clock. A simulation owns a [`VirtualClock`], advances it explicitly, and
//! formats instants relative to its start. (Async chapters use tokio's paused clock
//! for the same purpose; this one is for plain, synchronous simulations.)

use std::fmt;
use std::time::Duration;

/// A point in virtual time, measured from the clock's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct VirtualInstant(Duration);

impl VirtualInstant {
    /// Time elapsed since the clock started.
    pub fn since_start(self) -> Duration {
        self.0
    }

    /// Time from `earlier` to `self` (zero if `earlier` is later).
    pub fn saturating_duration_since(self, earlier: VirtualInstant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

impl From<Duration> for VirtualInstant {
    /// The instant `d` after the start (for times a simulation reports as durations).
    fn from(d: Duration) -> Self {
        VirtualInstant(d)
    }
}

impl fmt::Display for VirtualInstant {
    /// `t+12.345s`, millisecond precision: stable text for pages and snapshots.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t+{}.{:03}s", self.0.as_secs(), self.0.subsec_millis())
    }
}

/// A clock that starts at zero and only moves when [`VirtualClock::advance`] is called.
#[derive(Debug, Clone, Default)]
pub struct VirtualClock {
    now: VirtualInstant,
}

impl VirtualClock {
    /// A clock at `t+0`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current virtual instant.
    pub fn now(&self) -> VirtualInstant {
        self.now
    }

    /// Move time forward by `by` and return the new instant.
    pub fn advance(&mut self, by: Duration) -> VirtualInstant {
        self.now = VirtualInstant(self.now.0 + by);
        self.now
    }

    /// Move time forward to `to`; an instant in the past leaves the clock where it is
    /// (virtual time never runs backwards).
    pub fn advance_to(&mut self, to: VirtualInstant) -> VirtualInstant {
        if to > self.now {
            self.now = to;
        }
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_only_when_told_and_never_backwards() {
        let mut c = VirtualClock::new();
        assert_eq!(c.now().to_string(), "t+0.000s");
        let t1 = c.advance(Duration::from_millis(1500));
        assert_eq!(t1.to_string(), "t+1.500s");
        c.advance_to(VirtualInstant(Duration::from_secs(1)));
        assert_eq!(c.now(), t1);
        let t2 = c.advance(Duration::from_millis(2));
        assert_eq!(t2.saturating_duration_since(t1), Duration::from_millis(2));
        assert_eq!(t1.saturating_duration_since(t2), Duration::ZERO);
        assert_eq!(
            VirtualInstant::from(Duration::from_millis(20_250)).to_string(),
            "t+20.250s"
        );
    }
}
