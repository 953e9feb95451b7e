//! Typed errors: each says what went wrong and where (file, field, event).

use std::path::PathBuf;

/// Everything the engine can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum S2sError {
    /// A customer field could not be normalised (so it can't be hashed and sent).
    #[error("customer field `{field}`: {reason} (got {value:?})")]
    Normalise {
        /// The field, named as the Conversions API names it (`em`, `ph`, …).
        field: &'static str,
        /// Why the value was refused.
        reason: &'static str,
        /// The raw value (shown to the operator, never sent anywhere).
        value: String,
    },
    /// The outbox database could not be opened or used.
    #[error("outbox database {path}: {source}")]
    Outbox {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The collector's ledger database could not be opened or used.
    #[error("collector ledger {path}: {source}")]
    Ledger {
        /// The ledger file (or `:memory:`).
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A database file this program did not create (or cannot read to tell): refused
    /// before anything was written to it.
    #[error(transparent)]
    NotOurs(#[from] kit::cli::NotOurs),
    /// A database of ours that is not the kind asked for (a ledger given as an outbox).
    #[error("outbox database {path}: {why}")]
    NotAnOutbox {
        /// The database file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// An event whose `event_id` is already in the outbox: enqueueing it again would
    /// silently replace or double it.
    #[error("{origin}: event_id `{event_id}` is already in the outbox {path}; nothing was added")]
    DuplicateEvent {
        /// Where the event came from (a file name).
        origin: String,
        /// The repeated id.
        event_id: String,
        /// The outbox database.
        path: PathBuf,
    },
    /// An order the shop refuses (its value, its currency, its customer).
    #[error("order field `{field}`: {reason}")]
    InvalidOrder {
        /// The field, as the order's JSON names it.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A file to read was missing or unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An event given as JSON did not parse or lacked a field.
    #[error("event {origin}: line {line}, column {column}: {message}")]
    MalformedEvent {
        /// Where the event came from (a file name, or `outbox row 17`).
        origin: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// serde's message.
        message: String,
    },
    /// The relay's endpoint is not a usable `http://host:port/vX.Y/PIXEL/events` URL.
    #[error("endpoint {url:?}: {reason}")]
    Endpoint {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The collector could not be reached (or kept failing) for the whole retry budget.
    #[error("endpoint {url} failed {attempts} attempts in a row, last: {last}; events stay queued")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The collector refused the relay itself (wrong pixel, wrong path): retrying won't help.
    #[error("endpoint {url} answered {status}: {body}; events stay queued")]
    Refused {
        /// The endpoint.
        url: String,
        /// HTTP status.
        status: u16,
        /// The error body.
        body: String,
    },
    /// A server could not bind or serve.
    #[error("server on {addr}: {source}")]
    Serve {
        /// The address.
        addr: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The relay stopped on purpose between a 2xx and marking the batch delivered
    /// (the in-process stand-in for `kill -9`).
    #[error("relay killed after batch {batch} was accepted, before it was marked delivered")]
    Killed {
        /// The batch (outbox sequence range) during which it died.
        batch: String,
    },
}

/// Shorthand for results in this crate.
pub type Result<T, E = S2sError> = std::result::Result<T, E>;
