//! A client of the search endpoint that refuses anything but the documented JSON.

use std::time::Duration;

use reqwest::Url;

use crate::catalog::Product;
use crate::error::CheckError;
use crate::search::SearchRequest;
use crate::server::SEARCH_PATH;

/// An HTTP client for one API base URL (`http://host:port`).
#[derive(Debug, Clone)]
pub struct Api {
    endpoint: Url,
    http: reqwest::Client,
}

/// The first `n` characters of a body, for error messages.
fn excerpt(bytes: &[u8], n: usize) -> String {
    String::from_utf8_lossy(bytes).chars().take(n).collect()
}

impl Api {
    /// A client for `base_url`, giving up on a request after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Api, CheckError> {
        let bad = |reason: &str| CheckError::BadUrl {
            url: base_url.to_string(),
            reason: reason.to_string(),
        };
        let base = Url::parse(base_url).map_err(|e| bad(&e.to_string()))?;
        if base.scheme() != "http" {
            return Err(bad("only http:// is supported (this build has no TLS)"));
        }
        if base.host_str().is_none() {
            return Err(bad("no host"));
        }
        let mut endpoint = base.clone();
        let path = format!("{}{SEARCH_PATH}", base.path().trim_end_matches('/'));
        endpoint.set_path(&path);
        endpoint.set_query(None);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| CheckError::Local(format!("cannot build an HTTP client: {e}")))?;
        Ok(Api { endpoint, http })
    }

    /// The URL of `req` (what a curl user would type).
    pub fn url_of(&self, req: &SearchRequest) -> Url {
        let mut url = self.endpoint.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("query", &req.query);
            q.append_pair("limit", &req.limit.to_string());
            if req.offset != 0 {
                q.append_pair("offset", &req.offset.to_string());
            }
            if let Some(b) = req.in_stock {
                q.append_pair("inStock", if b { "true" } else { "false" });
            }
        }
        url
    }

    /// `GET` the search endpoint; anything but `200` with a JSON array of products is an error.
    pub async fn search(&self, req: &SearchRequest) -> Result<Vec<Product>, CheckError> {
        let url = self.url_of(req);
        let shown = url.to_string();
        let resp = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| CheckError::Unreachable {
                url: shown.clone(),
                reason: error_chain(&e),
            })?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| CheckError::Unreachable {
            url: shown.clone(),
            reason: error_chain(&e),
        })?;
        if status != 200 {
            return Err(CheckError::Status {
                url: shown,
                status,
                body: excerpt(&body, 80),
            });
        }
        parse_products(&shown, &body)
    }
}

/// Parse a response body as the documented array of `Product`.
pub fn parse_products(url: &str, body: &[u8]) -> Result<Vec<Product>, CheckError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| CheckError::NotJson {
            url: url.to_string(),
            reason: e.to_string(),
            body: excerpt(body, 60),
        })?;
    let serde_json::Value::Array(items) = value else {
        return Err(CheckError::WrongShape {
            url: url.to_string(),
            reason: format!("expected an array at $, got {}", kind(&value)),
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            serde_json::from_value::<Product>(item).map_err(|e| CheckError::WrongShape {
                url: url.to_string(),
                reason: format!("$[{i}]: {e}"),
            })
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

/// A transport error with its causes (reqwest's top-level message alone is vague).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
