//! The HTTP API: `GET /api/products/search` and `GET /openapi.json`, in either version,
//! on the wall clock or on a paused (virtual) tokio clock.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
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

struct AppState {
    config: ServerConfig,
    catalog: Vec<Product>,
    requests: AtomicU64,
}

/// The axum router of the API.
pub fn router(config: ServerConfig) -> Router {
    let state = Arc::new(AppState {
        config,
        catalog: default_catalog(),
        requests: AtomicU64::new(0),
    });
    Router::new()
        .route(SEARCH_PATH, get(search_handler))
        .route(OPENAPI_PATH, get(openapi_handler))
        .with_state(state)
}

async fn openapi_handler() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": message })),
    )
        .into_response()
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
    if query.chars().count() > 200 {
        return Err("parameter \"query\" is longer than 200 characters".to_string());
    }
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

async fn search_handler(
    State(state): State<Arc<AppState>>,
    params: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let n = state.requests.fetch_add(1, Ordering::SeqCst);
    let Ok(Query(pairs)) = params else {
        return bad_request("the query string is not valid form encoding".to_string());
    };
    let req = match parse_params(&pairs) {
        Ok(r) => r,
        Err(message) => return bad_request(message),
    };
    let cfg = state.config;
    if cfg.service_time {
        let model = ServiceTime {
            seed: cfg.seed,
            slow_tail: cfg.version == Version::V2,
        };
        tokio::time::sleep(model.of_request(n)).await;
    }
    Json(search(cfg.version, &state.catalog, &req, n)).into_response()
}

/// Serve the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Not graceful on purpose: clients keep idle connections in their pools, and a
    // graceful shutdown would wait for them.
    tokio::select! {
        r = axum::serve(listener, router(config)) => r,
        () = shutdown => Ok(()),
    }
}

/// Which clock a [`RunningServer`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// A paused tokio clock: sleeps end as soon as nothing else can run, so service
    /// times cost no wall time and every measurement is reproducible.
    Virtual,
    /// The wall clock.
    Real,
}

/// A server on `127.0.0.1:<free port>` in its own thread and runtime; stopped on drop.
pub struct RunningServer {
    addr: SocketAddr,
    handle: tokio::runtime::Handle,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    /// Start a server; returns once the port is bound.
    pub fn start(config: ServerConfig, clock: Clock) -> std::io::Result<RunningServer> {
        let mut builder = tokio::runtime::Builder::new_current_thread();
        builder.enable_all();
        if clock == Clock::Virtual {
            builder.start_paused(true);
        }
        let runtime = builder.build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))?;
        let addr = listener.local_addr()?;
        let handle = runtime.handle().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("contracts-{}", config.version.name()))
            .spawn(move || {
                let _ = runtime.block_on(serve(listener, config, async {
                    let _ = rx.await;
                }));
            })?;
        Ok(RunningServer {
            addr,
            handle,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>` (never printed on a page: the port is random).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's runtime: a task spawned here sees the server's clock.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        &self.handle
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
