//! A mock OpenAI-compatible server (axum on 127.0.0.1:0) for tests and the page: it
//! records every request body and answers with a reply chosen by the caller.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use super::openai::ChatRequest;

/// How the mock answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Echo the evidence lines of the user message as the answer (a faithful model).
    CopyEvidence,
    /// Always this text (e.g. a hallucination).
    Fixed(String),
    /// HTTP 500.
    Error,
}

#[derive(Clone)]
struct Shared {
    reply: Reply,
    seen: Arc<Mutex<Vec<serde_json::Value>>>,
}

/// A running mock; dropping it (or [`MockServer::shutdown`]) stops the server.
pub struct MockServer {
    /// Where it listens.
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<serde_json::Value>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Start on a free loopback port.
    pub async fn start(reply: Reply) -> std::io::Result<MockServer> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/v1/chat/completions", post(complete))
            .with_state(Shared {
                reply,
                seen: Arc::clone(&seen),
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(MockServer {
            addr,
            seen,
            stop: Some(tx),
            task,
        })
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The request bodies received so far.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Stop and wait for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

async fn complete(
    State(s): State<Shared>,
    Json(body): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>, StatusCode> {
    if let Ok(mut v) = s.seen.lock() {
        v.push(body.clone());
    }
    let req: ChatRequest = serde_json::from_value(body).map_err(|_| StatusCode::BAD_REQUEST)?;
    let content = match &s.reply {
        Reply::Error => return Err(StatusCode::INTERNAL_SERVER_ERROR),
        Reply::Fixed(t) => t.clone(),
        Reply::CopyEvidence => req
            .messages
            .iter()
            .rfind(|m| m.role == "user")
            .map(|m| {
                m.content
                    .lines()
                    .filter(|l| l.starts_with("- "))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default(),
    };
    Ok(Json(serde_json::json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "model": req.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}]
    })))
}
