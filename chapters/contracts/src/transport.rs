//! How the semantic suite reaches the API: one [`Transport`] trait, two ways.
//!
//! Over HTTP ([`crate::client::Http`], native): a real request to a real server. Or
//! [`InProcess`]: the request's query pairs go straight to the server's own handling
//! ([`SearchService::answer`]), no socket, and the answer is checked and parsed exactly
//! as a client parses the HTTP body. A virtual clock advances by each answer's modelled
//! service time, so the latency promise can be measured in-process too. The wasm32
//! build (the page's Try it block) uses this one.

use std::cell::Cell;
use std::time::Duration;

use crate::catalog::Product;
use crate::error::CheckError;
use crate::search::{MAX_LIMIT, SearchRequest};
use crate::service::{SEARCH_PATH, SearchService, ServerConfig, query_pairs};

/// Something that sends a search request and returns the documented answer.
pub trait Transport {
    /// Send `req`; anything but `200` with a JSON array of products is an error.
    fn search(&self, req: &SearchRequest) -> Result<Vec<Product>, CheckError>;
}

/// The API in-process: a [`SearchService`] and a virtual clock.
#[derive(Debug)]
pub struct InProcess {
    service: SearchService,
    now: Cell<Duration>,
}

impl InProcess {
    /// A fresh server (request counter 0, clock 0) with `config`.
    pub fn new(config: ServerConfig) -> InProcess {
        InProcess {
            service: SearchService::new(config),
            now: Cell::new(Duration::ZERO),
        }
    }

    /// The virtual clock: the sum of the service times answered so far.
    pub fn now(&self) -> Duration {
        self.now.get()
    }
}

impl Transport for InProcess {
    fn search(&self, req: &SearchRequest) -> Result<Vec<Product>, CheckError> {
        let pairs = query_pairs(req);
        let answer = self.service.answer(Some(&pairs));
        if let Some(d) = answer.service_time {
            self.now.set(self.now.get().saturating_add(d));
        }
        let shown = || {
            let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("in-process {SEARCH_PATH}?{}", query.join("&"))
        };
        if answer.status != 200 {
            return Err(CheckError::Status {
                url: shown(),
                status: answer.status,
                body: excerpt(answer.body.as_bytes(), 80),
            });
        }
        // The usual case in one pass; anything else through the client's own checks,
        // which say what is wrong and where.
        serde_json::from_str::<Vec<Product>>(&answer.body)
            .or_else(|_| parse_products(&shown(), answer.body.as_bytes()))
    }
}

/// The first `n` characters of a body, for error messages.
pub(crate) fn excerpt(bytes: &[u8], n: usize) -> String {
    String::from_utf8_lossy(bytes).chars().take(n).collect()
}

/// Parse a response body as the documented array of `Product`: at most
/// [`MAX_LIMIT`] items, each with exactly the documented fields and a price of at least
/// 0. A key repeated in one object or an integer beyond 64 bits is an error too
/// ([`kit::json`]), not a silent last-one-wins or a rounded number.
pub fn parse_products(url: &str, body: &[u8]) -> Result<Vec<Product>, CheckError> {
    let value = kit::json::strict_slice(body).map_err(|e| CheckError::NotJson {
        url: url.to_string(),
        reason: e.to_string(),
        body: excerpt(body, 60),
    })?;
    let wrong = |reason: String| CheckError::WrongShape {
        url: url.to_string(),
        reason,
    };
    let serde_json::Value::Array(items) = value else {
        return Err(wrong(format!(
            "expected an array at $, got {}",
            kind(&value)
        )));
    };
    if items.len() > MAX_LIMIT as usize {
        return Err(wrong(format!(
            "$ has {} items; the document allows at most {MAX_LIMIT}",
            items.len()
        )));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let p = serde_json::from_value::<Product>(item)
                .map_err(|e| wrong(format!("$[{i}]: {e}")))?;
            if !(p.price.is_finite() && p.price >= 0.0) {
                return Err(wrong(format!(
                    "$[{i}].price: {} is below the documented minimum 0",
                    p.price
                )));
            }
            Ok(p)
        })
        .collect()
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
