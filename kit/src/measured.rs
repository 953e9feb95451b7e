//! The footer of a measured block: when and on what the figures above it were taken.
//!
//! A page marks a program whose output holds wall-clock figures with `<!-- measured -->`.
//! The book build keeps such an output until the program's code changes (xtask's freeze
//! cache), so the program itself says when it measured: that line stays true however
//! long the page keeps it.
//!
//! ```
//! let line = kit::measured::footer();
//! assert!(line.starts_with("measured at ") && line.contains(" UTC on "));
//! ```

use std::time::SystemTime;

/// `measured at 2026-12-05 14:02 UTC on 2 CPU cores`: now, to the minute, and the cores
/// this process may use.
pub fn footer() -> String {
    footer_at(SystemTime::now(), cores())
}

/// [`footer`] for a given time and core count.
pub fn footer_at(when: SystemTime, cores: usize) -> String {
    // RFC 3339 to the second, e.g. `2026-12-05T14:02:09Z`: date, then hours and minutes.
    let stamp = humantime::format_rfc3339_seconds(when).to_string();
    let (date, time) = stamp.split_once('T').unwrap_or((&stamp, ""));
    let minutes = time.get(..5).unwrap_or(time);
    let plural = if cores == 1 { "" } else { "s" };
    format!("measured at {date} {minutes} UTC on {cores} CPU core{plural}")
}

/// The CPU cores this process may use (1 when the system will not say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn footer_names_the_minute_in_utc_and_the_cores() {
        // 2026-12-05 14:02:09 UTC
        let t = UNIX_EPOCH + Duration::from_secs(1_796_479_329);
        assert_eq!(
            footer_at(t, 2),
            "measured at 2026-12-05 14:02 UTC on 2 CPU cores"
        );
        assert!(footer_at(t, 1).ends_with("on 1 CPU core"));
    }
}
