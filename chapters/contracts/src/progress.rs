//! Progress on stderr for the long runs (the suite, the latency probe, the verdicts).
//!
//! The engine reports how far it is through an [`indicatif::ProgressBar`] handed to it
//! (in [`crate::suite::SuiteConfig::progress`] or as an argument); by default that bar is
//! hidden. The programs pass [`stderr_bar`], which draws only when stderr is a terminal,
//! so piped output, the page build and the tests never see it, and stdout never does.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar on stderr labelled `prefix`, hidden unless stderr is a terminal. It ticks on
/// its own, so the elapsed time moves while a phase waits (e.g. for schemathesis).
pub fn stderr_bar(prefix: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix} {elapsed:>4} [{bar:20}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix.to_string());
    bar.set_message("starting");
    if !bar.is_hidden() {
        bar.enable_steady_tick(Duration::from_millis(250));
    }
    bar
}

/// Start a new phase on `bar`: `len` steps, position 0, `message`.
pub fn phase(bar: &ProgressBar, len: u64, message: impl Into<String>) {
    bar.set_message(message.into());
    bar.set_position(0);
    bar.set_length(len);
}
