//! Typed errors: what went wrong, in which file, at which line and column or field.

use thiserror::Error;

/// Everything that can go wrong reading documents and policies or writing an adopted
/// state. Every variant that comes from a file names it; syntax errors carry the line
/// and column the parser reported; shape errors carry the field path
/// (`production.web_servers.count`).
#[derive(Debug, Error)]
pub enum DriftError {
    /// The file could not be read (missing, unreadable, not UTF-8) or written.
    #[error("{file}: {source}")]
    Io {
        /// The path as given.
        file: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The YAML or JSON parser rejected the text.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The path as given.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's explanation.
        message: String,
    },
    /// The file holds no document at all (empty, or only comments).
    #[error("{file}: empty document (expected a map of environments or a CloudFormation template)")]
    Empty {
        /// The path as given.
        file: String,
    },
    /// The document parses, but a field has the wrong shape or type.
    #[error("{file}: field `{field}`: {message}")]
    Shape {
        /// The path as given (`<template>` for in-memory values).
        file: String,
        /// Where in the document, dotted (`production.web_servers.count`).
        field: String,
        /// What was expected and what was found.
        message: String,
    },
    /// Two entries normalise to the same resource type and id.
    #[error("{file}: field `{field}`: duplicate {rtype} `{id}` (first at `{first}`)")]
    Duplicate {
        /// The path as given.
        file: String,
        /// Where the second one is.
        field: String,
        /// Resource type.
        rtype: String,
        /// Resource id.
        id: String,
        /// Where the first one is.
        first: String,
    },
    /// A `--ignore` argument or a policy pattern is not an RFC 6901 JSON pointer.
    #[error("bad JSON pointer {pointer:?}: {message}")]
    Pointer {
        /// The text given.
        pointer: String,
        /// Why it is not a pointer.
        message: String,
    },
    /// A policy file is well-formed YAML but breaks a policy rule (duplicate rule name,
    /// bad pointer in `has`).
    #[error("{file}: policy: {message}")]
    Policy {
        /// The policy file.
        file: String,
        /// What is wrong, naming the rule.
        message: String,
    },
    /// An inventory cannot be written back in the format it came from.
    #[error("cannot write {rtype} `{id}`: {message}")]
    Unwritable {
        /// Resource type.
        rtype: String,
        /// Resource id.
        id: String,
        /// Why the format cannot express it.
        message: String,
    },
}

impl DriftError {
    /// A shape error at `field` in `file`.
    pub(crate) fn shape(file: &str, field: &str, message: impl Into<String>) -> Self {
        Self::Shape {
            file: file.to_string(),
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A YAML parser error, with its location when the parser gave one.
    pub(crate) fn yaml(file: &str, e: &serde_yaml_ng::Error) -> Self {
        let message = strip_location(&e.to_string());
        match e.location() {
            Some(loc) => Self::Syntax {
                file: file.to_string(),
                line: loc.line(),
                column: loc.column(),
                message,
            },
            None => Self::Shape {
                file: file.to_string(),
                field: String::new(),
                message,
            },
        }
    }

    /// A JSON parser error (serde_json always knows the line and column).
    pub(crate) fn json(file: &str, e: &serde_json::Error) -> Self {
        Self::Syntax {
            file: file.to_string(),
            line: e.line(),
            // serde_json says column 0 at the start of a line (e.g. at end of input).
            column: e.column().max(1),
            message: strip_location(&e.to_string()),
        }
    }
}

/// Parsers append " at line L column C"; the error puts the location up front instead.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
