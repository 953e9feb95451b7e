//! The HTTP API: `GET /api/products/search` and `GET /openapi.json`, in either version,
//! on the wall clock or on a paused (virtual) tokio clock. The request handling itself
//! is [`SearchService`]; this layer sleeps for the modelled service time and sends the
//! answer.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use crate::service::{
    OPENAPI_JSON, OPENAPI_PATH, SEARCH_PATH, SearchService, ServerConfig, ServiceTime,
    decode_query, parse_params,
};

/// Listen on `127.0.0.1:port` (0: a free port). An address in use, or one this user
/// may not take, is an error that names it; the server already there keeps it.
pub async fn bind_loopback(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                "; another program is listening there (pick another --port, or 0 for a free one)"
            } else {
                ""
            };
            std::io::Error::new(
                e.kind(),
                format!("cannot listen on 127.0.0.1:{port}: {e}{hint}"),
            )
        })
}

/// The axum router of the API.
pub fn router(config: ServerConfig) -> Router {
    Router::new()
        .route(SEARCH_PATH, get(search_handler))
        .route(OPENAPI_PATH, get(openapi_handler))
        .with_state(Arc::new(SearchService::new(config)))
}

async fn openapi_handler() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

async fn search_handler(
    State(service): State<Arc<SearchService>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let answer = match decode_query(raw.as_deref().unwrap_or("")) {
        Ok(pairs) => service.answer(Some(&pairs)),
        Err(reason) => service.refuse(reason),
    };
    if let Some(d) = answer.service_time {
        tokio::time::sleep(d).await;
    }
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        answer.body,
    )
        .into_response()
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
        let listener = runtime.block_on(bind_loopback(0))?;
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
