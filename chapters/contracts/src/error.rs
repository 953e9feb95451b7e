//! Typed errors: what went wrong and where.

use thiserror::Error;

/// A catalogue file that can't be used.
#[derive(Debug, Error)]
pub enum CatalogError {
    /// Not valid JSON, or not an array of products.
    #[error("catalogue: line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json said.
        message: String,
    },
    /// Two products share an id.
    #[error("catalogue: product #{index} repeats id {id:?}")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// 0-based position of the second occurrence.
        index: usize,
    },
    /// A negative or non-finite price.
    #[error("catalogue: product {id:?} has an invalid price {price}")]
    BadPrice {
        /// The product.
        id: String,
        /// The price found.
        price: f64,
    },
}

/// Why a check could not be carried out (as opposed to a promise being broken).
#[derive(Debug, Error)]
pub enum CheckError {
    /// The base URL can't be used to build a request URL.
    #[error("{url}: not a usable http:// base URL ({reason})")]
    BadUrl {
        /// What was given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// Nothing answered (refused, timed out, reset).
    #[error("{url}: no answer ({reason})")]
    Unreachable {
        /// The request URL.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// An answer with a status the contract doesn't allow for a valid request.
    #[error("{url}: HTTP {status} for a valid request (body starts: {body:?})")]
    Status {
        /// The request URL.
        url: String,
        /// The status code.
        status: u16,
        /// The first bytes of the body.
        body: String,
    },
    /// The body is not JSON.
    #[error("{url}: response is not JSON as documented ({reason}; body starts: {body:?})")]
    NotJson {
        /// The request URL.
        url: String,
        /// The parser's message.
        reason: String,
        /// The first bytes of the body.
        body: String,
    },
    /// JSON, but not an array of products as documented.
    #[error("{url}: response is not the documented array of Product ({reason})")]
    WrongShape {
        /// The request URL.
        url: String,
        /// What didn't fit, with the JSON path.
        reason: String,
    },
    /// A body larger than any documented answer.
    #[error("{url}: response body is larger than {limit} bytes; refused")]
    TooLarge {
        /// The request URL.
        url: String,
        /// The largest body read.
        limit: usize,
    },
    /// A local problem: a runtime or socket that could not be created.
    #[error("{0}")]
    Local(String),
}
