//! Errors that say what went wrong and where: which source, which file, which record.

use std::path::PathBuf;

/// Everything that can go wrong between a config file and an answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// The sources config is wrong (unknown kind, duplicate id, bad field).
    #[error("config {path}: {message}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A record of a source could not be read or normalised.
    #[error("source `{source_id}`, {location}: {message}")]
    Record {
        /// The source id from the config.
        source_id: String,
        /// File and record (line, index or key).
        location: String,
        /// What is wrong with it.
        message: String,
    },
    /// A reference table (FX rates, parts, cross-reference) is malformed.
    #[error("{path}:{line}: {message}")]
    Table {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The SQL database failed.
    #[error("source `{source_id}` (SQL): {message}")]
    Sql {
        /// The source id.
        source_id: String,
        /// The database's message (credentials removed).
        message: String,
    },
    /// A URL given on the command line is unusable.
    #[error("bad URL {url:?}: {message}")]
    Url {
        /// The URL, password removed.
        url: String,
        /// Why.
        message: String,
    },
    /// The evaluation set is malformed.
    #[error("eval set {path}: {message}")]
    Eval {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A command-line value is unusable (unknown source in `--down`, bad role…).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Shorthand for a record error.
    pub fn record(
        source_id: &str,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Error {
        Error::Record {
            source_id: source_id.to_string(),
            location: location.into(),
            message: message.into(),
        }
    }

    /// Shorthand for an I/O error on `path`.
    pub fn io(path: &std::path::Path, e: &std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// Result with this crate's error.
pub type Result<T> = std::result::Result<T, Error>;
