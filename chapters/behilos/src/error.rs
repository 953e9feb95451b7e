//! Typed errors: each says what went wrong and where (file, line, item id).

use std::path::{Path, PathBuf};

/// Everything that can go wrong reading, running or scoring a benchmark.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not valid JSON for its schema.
    #[error("{file}:{line}: not a valid {what} line: {source}")]
    Json {
        /// The file (as given on the command line).
        file: String,
        /// 1-based line number.
        line: usize,
        /// `item` or `answer`.
        what: &'static str,
        /// The parser's message (with column).
        source: serde_json::Error,
    },
    /// An item parses but contradicts itself (gold vs values, labels, notation).
    #[error("{file}:{line}: item {id:?} is inconsistent: {reason}")]
    InvalidItem {
        /// The file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The item's id.
        id: String,
        /// What is inconsistent.
        reason: String,
    },
    /// Two items share an id.
    #[error("{file}:{line}: item id {id:?} already used on line {first}")]
    DuplicateId {
        /// The file.
        file: String,
        /// The repeated line.
        line: usize,
        /// The id.
        id: String,
        /// Where it first appeared.
        first: usize,
    },
    /// A file holds no items or no answers at all (empty, or only blank lines).
    #[error("{file}: no {what} lines (the file is empty or blank)")]
    Empty {
        /// The file.
        file: String,
        /// `item` or `answer`.
        what: &'static str,
    },
    /// Two answers of one model to one item that say different things: which one to
    /// score would be a silent choice.
    #[error(
        "{file}:{line}: model {model:?} already answered item {id:?} on line {first}, differently; keep one answer per model and item"
    )]
    ConflictingAnswer {
        /// The file.
        file: String,
        /// The second, conflicting line.
        line: usize,
        /// Where the first answer is.
        first: usize,
        /// The model.
        model: String,
        /// The item id.
        id: String,
    },
    /// A model URL that is not an `http://` or `https://` URL with a host (and a port
    /// in 1..=65535, when it names one).
    #[error("{url:?} is not a usable model URL: {reason}")]
    BadUrl {
        /// What was given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `--model` names no baseline and is not a URL.
    #[error("unknown model {0:?}: use first, random, lexical, solver, mock, or an http:// URL")]
    UnknownModel(String),
    /// A generator knob is out of range.
    #[error("bad generator setting: {0}")]
    Config(String),
    /// Nobody answers at the model's URL (checked before the run, and again whenever an
    /// item's connection is refused): the run stops instead of retrying every item.
    #[error("no model server answers at {url} ({reason}); start the server, or check the URL")]
    Unreachable {
        /// The base URL given on the command line.
        url: String,
        /// What the connection attempt said, and where in the run it happened.
        reason: String,
    },
    /// The mock server could not start.
    #[error("mock server: {0}")]
    Mock(std::io::Error),
    /// Writing the output failed (e.g. a closed pipe).
    #[error("writing output: {0}")]
    Write(std::io::Error),
}

/// Read a whole file, naming it in the error.
pub fn read_file(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}
