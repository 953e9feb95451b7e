//! The API's request handling without a socket: parse the query string as the OpenAPI
//! document says, count the request, pick its modelled service time, run the search, and
//! write the JSON body. The axum server ([`crate::server`], native) is a thin layer over
//! [`SearchService::answer`]: it sleeps for the service time and sends the answer. The
//! page's Try it block (wasm32) calls the same `answer` in-process.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kit::rng::{Rng, seeded};

use crate::catalog::{Product, default_catalog};
use crate::search::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, SearchRequest, Version, search};

/// The OpenAPI 3.0 document both versions serve, unchanged (`fixtures/openapi.json`).
pub const OPENAPI_JSON: &str = include_str!("../fixtures/openapi.json");

/// Where the search endpoint lives.
pub const SEARCH_PATH: &str = "/api/products/search";
/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// How long the server takes to answer request number `n`: a seeded model of
/// service time, so the latency contract has something real to measure and the
/// page's run is reproducible.
///
/// Both versions: 4–24 ms, and 2 % of requests 90–160 ms (a cache miss).
/// v2 adds its regression: 3 % of requests take another 600–900 ms.
#[derive(Debug, Clone, Copy)]
pub struct ServiceTime {
    /// Seed of the model.
    pub seed: u64,
    /// Whether the v2 slow tail is on.
    pub slow_tail: bool,
}

impl ServiceTime {
    /// The service time of request number `n` (0-based, in arrival order).
    pub fn of_request(&self, n: u64) -> Duration {
        let mut rng = seeded(self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut ms: u64 = rng.random_range(4..=24);
        if rng.random_bool(0.02) {
            ms = rng.random_range(90..=160);
        }
        if self.slow_tail && rng.random_bool(0.03) {
            ms += rng.random_range(600..=900);
        }
        Duration::from_millis(ms)
    }
}

/// What a server needs to know.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// Which implementation answers.
    pub version: Version,
    /// Seed of the service-time model.
    pub seed: u64,
    /// Sleep for the modelled service time before answering (off: answer at once).
    pub service_time: bool,
}

impl ServerConfig {
    /// The given version with the service-time model on.
    pub fn new(version: Version, seed: u64) -> ServerConfig {
        ServerConfig {
            version,
            seed,
            service_time: true,
        }
    }
}

/// Turn raw query pairs into a [`SearchRequest`], enforcing the OpenAPI document's
/// rules (required, integer ranges, boolean, maximum length, no repeats).
pub fn parse_params(pairs: &[(String, String)]) -> Result<SearchRequest, String> {
    let one = |name: &str| -> Result<Option<&str>, String> {
        let mut found = pairs.iter().filter(|(k, _)| k == name);
        let first = found.next().map(|(_, v)| v.as_str());
        if found.next().is_some() {
            return Err(format!("parameter {name:?} given more than once"));
        }
        Ok(first)
    };
    let int = |name: &str, min: u32, max: u32, default: u32| -> Result<u32, String> {
        match one(name)? {
            None => Ok(default),
            Some(raw) => match raw.parse::<u32>() {
                Ok(v) if (min..=max).contains(&v) && !raw.starts_with('+') => Ok(v),
                _ => Err(format!(
                    "parameter {name:?} must be an integer in {min}..={max}, got {raw:?}"
                )),
            },
        }
    };
    let query = one("query")?.ok_or_else(|| "parameter \"query\" is required".to_string())?;
    let query = query_text(query).map_err(|e| format!("parameter \"query\" {e}"))?;
    let limit = int("limit", 1, MAX_LIMIT, DEFAULT_LIMIT)?;
    let offset = int("offset", 0, MAX_OFFSET, 0)?;
    let in_stock = match one("inStock")? {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(raw) => {
            return Err(format!(
                "parameter \"inStock\" must be true or false, got {raw:?}"
            ));
        }
    };
    Ok(SearchRequest {
        query: query.to_string(),
        limit,
        offset,
        in_stock,
    })
}

/// The longest `query` the OpenAPI document allows, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// A search text the document allows: at most [`MAX_QUERY_CHARS`] characters. The
/// error says why, in words (the caller names the parameter or flag).
pub fn query_text(s: &str) -> Result<String, String> {
    let n = s.chars().count();
    if n > MAX_QUERY_CHARS {
        return Err(format!("is longer than {MAX_QUERY_CHARS} characters ({n})"));
    }
    Ok(s.to_string())
}

/// Decode a raw query string (`application/x-www-form-urlencoded`: `&`-separated
/// `name=value` pairs, `+` for a space, `%XX` escapes) into pairs, as a browser encodes
/// them. A `%` not followed by two hex digits is kept as it is, as in form decoding
/// everywhere; bytes that decode to invalid UTF-8 are an error naming the parameter,
/// where a lossy decoder would search for `U+FFFD` instead.
pub fn decode_query(raw: &str) -> Result<Vec<(String, String)>, String> {
    fn decode(part: &str) -> Result<String, Vec<u8>> {
        let bytes = part.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let digit = |at: usize| bytes.get(at).and_then(|&b| hex(b));
                    match (digit(i + 1), digit(i + 2)) {
                        (Some(h), Some(l)) => {
                            // Two hex digits: at most 0xFF.
                            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                            i += 2;
                        }
                        _ => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).map_err(|e| e.into_bytes())
    }
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(k).map_err(|b| {
                format!(
                    "a parameter name is not valid UTF-8 once decoded ({})",
                    String::from_utf8_lossy(&b)
                )
            })?;
            let value = decode(v)
                .map_err(|_| format!("parameter {key:?} is not valid UTF-8 once decoded"))?;
            Ok((key, value))
        })
        .collect()
}

/// The query parameters of `req`, as a client sends them (what [`parse_params`] reads
/// back): `query`, `limit`, then `offset` unless 0 and `inStock` if set.
pub fn query_pairs(req: &SearchRequest) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("query".to_string(), req.query.clone()),
        ("limit".to_string(), req.limit.to_string()),
    ];
    if req.offset != 0 {
        pairs.push(("offset".to_string(), req.offset.to_string()));
    }
    if let Some(b) = req.in_stock {
        pairs.push(("inStock".to_string(), b.to_string()));
    }
    pairs
}

/// One answer of the search endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status: 200, or 400 for a request the document doesn't allow.
    pub status: u16,
    /// The JSON body (`application/json`): the products, or `{"error": …}`.
    pub body: String,
    /// How long the service-time model says this request takes (`None` when the model
    /// is off or the request was refused).
    pub service_time: Option<Duration>,
}

/// The search endpoint's logic: the catalogue, the version and the request counter.
#[derive(Debug)]
pub struct SearchService {
    config: ServerConfig,
    catalog: Vec<Product>,
    requests: AtomicU64,
}

fn error_body(message: String) -> String {
    serde_json::json!({ "error": message }).to_string()
}

impl SearchService {
    /// A fresh service (request counter at 0) over the fixture catalogue.
    pub fn new(config: ServerConfig) -> SearchService {
        SearchService {
            config,
            catalog: default_catalog(),
            requests: AtomicU64::new(0),
        }
    }

    /// Refuse a request whose query string could not be decoded: `400` with `reason`.
    /// It counts as a request, as in [`SearchService::answer`].
    pub fn refuse(&self, reason: String) -> Answer {
        self.requests.fetch_add(1, Ordering::SeqCst);
        Answer {
            status: 400,
            body: error_body(reason),
            service_time: None,
        }
    }

    /// Answer one request. `pairs` is its decoded query string (`None` if it is not
    /// valid form encoding). Every request counts, valid or not: v2's tie-breaking and
    /// the service-time model follow the counter.
    pub fn answer(&self, pairs: Option<&[(String, String)]>) -> Answer {
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        let refuse = |message: String| Answer {
            status: 400,
            body: error_body(message),
            service_time: None,
        };
        let Some(pairs) = pairs else {
            return refuse("the query string is not valid form encoding".to_string());
        };
        let req = match parse_params(pairs) {
            Ok(r) => r,
            Err(message) => return refuse(message),
        };
        let cfg = self.config;
        let service_time = cfg.service_time.then(|| {
            ServiceTime {
                seed: cfg.seed,
                slow_tail: cfg.version == Version::V2,
            }
            .of_request(n)
        });
        let products = search(cfg.version, &self.catalog, &req, n);
        let body = serde_json::to_string(&products)
            .unwrap_or_else(|e| error_body(format!("cannot write the answer: {e}")));
        Answer {
            status: 200,
            body,
            service_time,
        }
    }
}
