//! A client of the search endpoint that refuses anything but the documented JSON.

use std::time::Duration;

use reqwest::Url;

use crate::catalog::Product;
use crate::error::CheckError;
use crate::search::SearchRequest;
use crate::server::SEARCH_PATH;
pub use crate::transport::parse_products;
use crate::transport::{Transport, excerpt};

/// An HTTP client for one API base URL (`http://host:port`).
#[derive(Debug, Clone)]
pub struct Api {
    endpoint: Url,
    http: reqwest::Client,
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
        url.query_pairs_mut()
            .extend_pairs(crate::service::query_pairs(req));
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
        let body = read_capped(resp, &shown).await?;
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

/// The largest response body a client reads: the documented answer (at most 100
/// products) is a few tens of KiB, so 1 MiB is ample; a server sending more is refused
/// before it fills the memory.
pub const MAX_BODY: usize = 1 << 20;

/// Read a response's body, refusing one over [`MAX_BODY`] bytes (by its
/// `Content-Length` at once, else as soon as the bytes received pass it).
pub async fn read_capped(mut resp: reqwest::Response, url: &str) -> Result<Vec<u8>, CheckError> {
    let too_large = || CheckError::TooLarge {
        url: url.to_string(),
        limit: MAX_BODY,
    };
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| CheckError::Unreachable {
        url: url.to_string(),
        reason: error_chain(&e),
    })? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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

/// The suite's transport over HTTP: this client, driven from synchronous code by a
/// runtime of its own.
pub struct Http {
    api: Api,
    rt: tokio::runtime::Runtime,
}

impl Http {
    /// A transport to the API at `base_url`, each request giving up after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Http, CheckError> {
        let api = Api::new(base_url, timeout)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CheckError::Local(format!("cannot start a runtime: {e}")))?;
        Ok(Http { api, rt })
    }

    /// The client.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The runtime requests run on.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }
}

impl Transport for Http {
    fn search(&self, req: &SearchRequest) -> Result<Vec<Product>, CheckError> {
        self.rt.block_on(self.api.search(req))
    }
}
