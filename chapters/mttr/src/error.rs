//! Typed errors: what went wrong, in which file, on which line, in which field.

use thiserror::Error;

use crate::timeline::Milestone;

/// A timeline that cannot be built: a missing milestone, an unparsable time, or
/// milestones out of order. Carries the field but no file position; [`MttrError::Timeline`]
/// adds the file and line when the timeline came from a file.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TimelineError {
    /// A required milestone (impact started, detected, restored) is absent.
    #[error("field `{field}`: missing (impact_started, detected and restored are required)")]
    Missing {
        /// The absent milestone.
        field: Milestone,
    },
    /// A value is not an RFC 3339 time such as `2024-11-29T14:30:00Z`.
    #[error("field `{field}`: {value:?} is not an RFC 3339 time ({reason})")]
    BadTime {
        /// The column or parameter name (`detected`, `base`, …).
        field: &'static str,
        /// The text that failed to parse.
        value: String,
        /// The parser's explanation.
        reason: String,
    },
    /// A base time plus an offset falls outside the calendar `time` supports.
    #[error("field `{field}`: offset {offset:?} from the base is out of range")]
    OffsetOverflow {
        /// The milestone whose offset overflowed.
        field: Milestone,
        /// The offending offset.
        offset: std::time::Duration,
    },
    /// A milestone happens before one that must precede it.
    #[error(
        "field `{field}`: {at} is before `{earlier}` ({earlier_at}); milestones run \
         impact_started ≤ detected ≤ acknowledged ≤ work_began ≤ fix_applied ≤ restored ≤ closed"
    )]
    OutOfOrder {
        /// The milestone that is too early.
        field: Milestone,
        /// Its time, RFC 3339.
        at: String,
        /// The milestone it should not precede.
        earlier: Milestone,
        /// That milestone's time, RFC 3339.
        earlier_at: String,
    },
}

impl TimelineError {
    /// The column name this error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Missing { field }
            | Self::OffsetOverflow { field, .. }
            | Self::OutOfOrder { field, .. } => field.column(),
            Self::BadTime { field, .. } => field,
        }
    }
}

/// Everything that can go wrong reading incidents from a file. Every variant names the
/// file; every variant about content names the line, and the field where there is one.
#[derive(Debug, Error)]
pub enum MttrError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("{file}: {source}")]
    Io {
        /// The path as given.
        file: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file name ends in neither `.csv` nor `.json`.
    #[error("{file}: unknown format (name the file *.csv or *.json)")]
    UnknownFormat {
        /// The path as given.
        file: String,
    },
    /// Nothing to report: an empty file, or a header / array with no incidents.
    #[error("{file}:{line}: {what}")]
    Empty {
        /// The path as given.
        file: String,
        /// Where the missing content should have been.
        line: usize,
        /// What was expected there.
        what: &'static str,
    },
    /// The CSV header lacks a required column.
    #[error("{file}:{line}: field `{field}`: missing column (required: {required})")]
    MissingColumn {
        /// The path as given.
        file: String,
        /// The header's line.
        line: usize,
        /// The absent column.
        field: &'static str,
        /// The required columns, for the message.
        required: &'static str,
    },
    /// A column or JSON key this crate does not know (a typo would otherwise be ignored).
    #[error("{file}:{line}: field `{field}`: unknown column (known: {known})")]
    UnknownColumn {
        /// The path as given.
        file: String,
        /// Where the name appears.
        line: usize,
        /// The unknown name.
        field: String,
        /// The known columns, for the message.
        known: &'static str,
    },
    /// A field holds the wrong kind of value (an empty id, a JSON number for a time).
    #[error("{file}:{line}: field `{field}`: {message}")]
    BadField {
        /// The path as given.
        file: String,
        /// The field's line.
        line: usize,
        /// The field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// Two incidents share an id.
    #[error("{file}:{line}: field `id`: duplicate id {id:?} (first on line {first})")]
    DuplicateId {
        /// The path as given.
        file: String,
        /// The second occurrence's line.
        line: usize,
        /// The repeated id.
        id: String,
        /// The first occurrence's line.
        first: usize,
    },
    /// The file is not well-formed CSV or JSON.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The path as given.
        file: String,
        /// Where the parser stopped.
        line: usize,
        /// The parser's explanation.
        message: String,
    },
    /// A record whose timeline is invalid (missing, unparsable or out-of-order milestone).
    #[error("{file}:{line}: {source}")]
    Timeline {
        /// The path as given.
        file: String,
        /// The field's line (CSV: the record's line).
        line: usize,
        /// What is wrong, naming the field.
        source: TimelineError,
    },
}

impl MttrError {
    /// The line the error points at, if it is about content.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Io { .. } | Self::UnknownFormat { .. } => None,
            Self::Empty { line, .. }
            | Self::MissingColumn { line, .. }
            | Self::UnknownColumn { line, .. }
            | Self::BadField { line, .. }
            | Self::DuplicateId { line, .. }
            | Self::Syntax { line, .. }
            | Self::Timeline { line, .. } => Some(*line),
        }
    }
}
