//! Progress on stderr for the long runs (the suite, the latency probe, the verdicts).
//!
//! The engine reports how far it is through a [`ProgressBar`] handed to it (in
//! [`crate::suite::SuiteConfig::progress`] or as an argument); by default that bar is
//! hidden. The programs pass [`stderr_bar`], which draws only when stderr is a terminal,
//! so piped output, the page build and the tests never see it, and stdout never does.
//! In the wasm32 build (the page's Try it block) there is no terminal and no clock to
//! draw with: [`ProgressBar`] is then a hidden bar with the same methods.

#[cfg(not(target_arch = "wasm32"))]
pub use indicatif::ProgressBar;

#[cfg(not(target_arch = "wasm32"))]
use std::time::Duration;

#[cfg(not(target_arch = "wasm32"))]
use indicatif::{ProgressDrawTarget, ProgressStyle};

/// A bar on stderr labelled `prefix`, hidden unless stderr is a terminal. It ticks on
/// its own, so the elapsed time moves while a phase waits (e.g. for schemathesis).
#[cfg(not(target_arch = "wasm32"))]
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

/// The wasm32 stand-in for indicatif's bar: hidden, it only keeps its position.
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Clone, Default)]
pub struct ProgressBar {
    position: std::rc::Rc<std::cell::Cell<u64>>,
}

#[cfg(target_arch = "wasm32")]
impl ProgressBar {
    /// A bar that draws nothing.
    pub fn hidden() -> ProgressBar {
        ProgressBar::default()
    }

    /// Say what is happening (not shown).
    pub fn set_message(&self, _message: impl Into<String>) {}

    /// Set the length (not shown).
    pub fn set_length(&self, _len: u64) {}

    /// Set the position.
    pub fn set_position(&self, pos: u64) {
        self.position.set(pos);
    }

    /// The position.
    pub fn position(&self) -> u64 {
        self.position.get()
    }

    /// Advance by `delta`.
    pub fn inc(&self, delta: u64) {
        self.position.set(self.position.get() + delta);
    }
}
