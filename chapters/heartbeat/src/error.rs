//! Typed errors: what went wrong and where.

use std::time::Duration;

/// A detector was fed an instant earlier than one it had already seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("clock went backwards: {now:?} is before the last instant seen, {last:?}")]
pub struct ClockWentBackwards {
    /// The instant the caller passed.
    pub now: Duration,
    /// The latest instant the detector had already seen.
    pub last: Duration,
}

/// A packet or an instant the monitor refused. Counted and logged, never fatal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadInput {
    /// Not a packet of this protocol (wrong kind, field count, number, length or bytes).
    #[error("malformed packet ({reason}): {preview}")]
    Malformed {
        /// What was wrong with it.
        reason: &'static str,
        /// The first bytes, escaped for printing.
        preview: String,
    },
    /// A well-formed packet from a server id the monitor does not track.
    #[error("heartbeat from unknown server {server}")]
    UnknownServer {
        /// The id in the packet.
        server: u32,
    },
    /// A packet from an older incarnation, or a sequence number already seen.
    #[error("stale packet from server {server}: incarnation {incarnation}, seq {seq}")]
    Stale {
        /// The sender.
        server: u32,
        /// The incarnation in the packet.
        incarnation: u32,
        /// The sequence number in the packet.
        seq: u64,
    },
    /// The monitor's own clock went backwards; the packet was ignored.
    #[error(transparent)]
    Clock(#[from] ClockWentBackwards),
}

/// A scenario knob that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// A knob outside its allowed range.
    #[error("--{knob}: {reason}")]
    Invalid {
        /// The flag's name.
        knob: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A knob whose text does not parse.
    #[error("--{knob}: cannot read `{text}` (expected {expected})")]
    Parse {
        /// The flag's name.
        knob: &'static str,
        /// What the user typed.
        text: String,
        /// The expected shape.
        expected: &'static str,
    },
}

/// Anything that stops a scenario run.
#[derive(Debug, thiserror::Error)]
pub enum HeartbeatError {
    /// The scenario was refused before starting.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A socket or the runtime failed (binding 127.0.0.1, building tokio).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// [`crate::run_virtual`] builds its own runtime, so it cannot run inside one.
    #[error("run_virtual and run_realtime build their own tokio runtime; call them outside one")]
    NestedRuntime,
    /// A task of the cluster stopped unexpectedly.
    #[error("cluster task failed: {0}")]
    Task(String),
}

impl HeartbeatError {
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |source| HeartbeatError::Io { context, source }
    }
}
