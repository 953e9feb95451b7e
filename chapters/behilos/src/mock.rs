//! An offline mock of an OpenAI-compatible endpoint that fails the way real models do.
//!
//! [`MockServer::start`] serves `POST /v1/chat/completions` on `127.0.0.1:0` (a free
//! port) from a background thread. It knows the items, recognises each prompt, and
//! replies according to a [`Behaviour`] fixed per item, so a run is deterministic:
//!
//! | behaviour | reply | what it exercises |
//! |---|---|---|
//! | `letter` | `D` | bare-letter extraction |
//! | `answer-line` | `… Answer: D` | the `Answer:` layer |
//! | `prose` | `… is Velmora.` | extraction by entity name |
//! | `ramble` | `(A) … (D) … (C) is close.` | last-option extraction, picking the wrong letter |
//! | `tie-first-only` | `Answer: D` when gold is {D, E} | the tie policy |
//! | `server-error-once` | HTTP 500, then `Answer: D` | retry with backoff |
//! | `malformed-once` | a truncated JSON body, then `D` | retry on a bad body |
//! | `refusal` | `I can't tell from the information given.` | extraction failure |
//!
//! Every tied item gets `tie-first-only`; the others get one of the remaining seven by
//! a stable hash of the item id.
//!
//! A bad request gets a 4xx and a JSON `{"error": {"message": …}}` saying why, never
//! a 500 or a panic: a body that is not UTF-8 JSON of the request's shape (wrong types,
//! a field given twice, a seed beyond u64), an empty `model`, `temperature` other than
//! 0, `max_tokens` of 0, no user message → 400; a body over [`MAX_BODY_BYTES`] → 413;
//! another path → 404; another method → 405.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Serialize;

use crate::baseline::fnv1a;
use crate::client::ChatRequest;
use crate::item::{Item, label_list};
use crate::score::{Answer, Outcome, Verdict};

/// The largest request body the mock reads: a prompt is about a kilobyte.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// How the mock answers one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Behaviour {
    /// The gold letters, bare.
    Letter,
    /// A sentence, then `Answer: <gold>`.
    AnswerLine,
    /// Prose naming the winning entity, no letter.
    Prose,
    /// Walks through the options and ends on a wrong letter.
    Ramble,
    /// On a tie, names only the first tied option.
    TieFirstOnly,
    /// HTTP 500 on the first request, the right answer after.
    ServerErrorOnce,
    /// A truncated JSON body on the first request, the right answer after.
    MalformedOnce,
    /// Declines to answer.
    Refusal,
}

impl Behaviour {
    /// The behaviours untied items are spread over.
    pub const UNTIED: [Behaviour; 7] = [
        Behaviour::Letter,
        Behaviour::AnswerLine,
        Behaviour::Prose,
        Behaviour::Ramble,
        Behaviour::ServerErrorOnce,
        Behaviour::MalformedOnce,
        Behaviour::Refusal,
    ];

    /// The behaviour for `item`: fixed by the item, not by request order.
    pub fn for_item(item: &Item) -> Behaviour {
        if item.gold.len() > 1 {
            Behaviour::TieFirstOnly
        } else {
            Behaviour::UNTIED[(fnv1a(&item.id) % Behaviour::UNTIED.len() as u64) as usize]
        }
    }

    /// Kebab-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Behaviour::Letter => "letter",
            Behaviour::AnswerLine => "answer-line",
            Behaviour::Prose => "prose",
            Behaviour::Ramble => "ramble",
            Behaviour::TieFirstOnly => "tie-first-only",
            Behaviour::ServerErrorOnce => "server-error-once",
            Behaviour::MalformedOnce => "malformed-once",
            Behaviour::Refusal => "refusal",
        }
    }
}

/// The reply text the mock gives for `item` once it answers at all.
pub fn reply(item: &Item) -> String {
    let gold = label_list(&item.gold);
    let first_gold = item.gold.first().copied().unwrap_or('A');
    match Behaviour::for_item(item) {
        Behaviour::Letter | Behaviour::MalformedOnce => gold,
        Behaviour::AnswerLine | Behaviour::ServerErrorOnce => {
            format!("Comparing the values one by one.\nAnswer: {gold}")
        }
        Behaviour::Prose => {
            let name = item
                .options
                .iter()
                .find(|o| o.label == first_gold)
                .map_or("none of them", |o| o.name.as_str());
            format!("Looking at the list, the one that fits is {name}.")
        }
        Behaviour::Ramble => {
            // Mention every option, the right one in the middle, and end on another.
            let wrong = item
                .labels()
                .into_iter()
                .rev()
                .find(|l| !item.gold.contains(l))
                .unwrap_or('A');
            let walk: Vec<String> = item
                .options
                .iter()
                .map(|o| format!("({}) {}", o.label, o.text))
                .collect();
            format!(
                "Let me go through them: {}. I lean towards ({first_gold}), but ({wrong}) is close.",
                walk.join(", ")
            )
        }
        Behaviour::TieFirstOnly => format!("Answer: {first_gold}"),
        Behaviour::Refusal => "I can't tell from the information given.".to_string(),
    }
}

struct MockState {
    by_prompt: HashMap<String, Item>,
    failed_once: Mutex<HashSet<String>>,
    requests: AtomicU64,
    last_request: Mutex<Option<ChatRequest>>,
}

/// A running mock endpoint; dropping it shuts the server down.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<MockState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockServer {
    /// Start serving `items` on `127.0.0.1:0`; returns once the port is bound.
    pub fn start(items: &[Item]) -> std::io::Result<MockServer> {
        MockServer::start_on(items, 0)
    }

    /// Start serving `items` on `127.0.0.1:port` (0 picks a free port); returns once
    /// the port is bound, so a caller prints its address only when it is really
    /// serving. A port in use is an error naming the address (the other server keeps
    /// it), and so are two items with the same prompt: the mock could not tell which
    /// one a request asks about.
    pub fn start_on(items: &[Item], port: u16) -> std::io::Result<MockServer> {
        let mut by_prompt: HashMap<String, Item> = HashMap::with_capacity(items.len());
        for item in items {
            if let Some(other) = by_prompt.insert(item.prompt.clone(), item.clone()) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!(
                        "items {:?} and {:?} have the same prompt; the mock could not tell them apart",
                        other.id, item.id
                    ),
                ));
            }
        }
        let state = Arc::new(MockState {
            by_prompt,
            failed_once: Mutex::new(HashSet::new()),
            requests: AtomicU64::new(0),
            last_request: Mutex::new(None),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot listen on 127.0.0.1:{port}: {e}"))
            })?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .route(
                "/v1/chat/completions",
                post(chat).fallback(|| async {
                    error(
                        StatusCode::METHOD_NOT_ALLOWED,
                        "use POST for /v1/chat/completions",
                    )
                }),
            )
            .fallback(|| async {
                error(
                    StatusCode::NOT_FOUND,
                    "no such endpoint; the mock serves POST /v1/chat/completions",
                )
            })
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(Arc::clone(&state));
        let thread = std::thread::Builder::new()
            .name("behilos-mock".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
                        })
                        .await;
                });
            })?;
        Ok(MockServer {
            addr,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The base URL to give a client: `http://127.0.0.1:<port>/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Requests received so far (including the ones answered with errors).
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// The body of the most recent well-formed request.
    pub fn last_request(&self) -> Option<ChatRequest> {
        self.state.last_request.lock().ok().and_then(|g| g.clone())
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn completion(model: &str, content: &str) -> Response {
    let body = serde_json::json!({
        "id": "mock-completion",
        "object": "chat.completion",
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }]
    });
    json(StatusCode::OK, body.to_string())
}

fn error(status: StatusCode, message: &str) -> Response {
    json(
        status,
        serde_json::json!({"error": {"message": message}}).to_string(),
    )
}

async fn chat(
    State(state): State<Arc<MockState>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            // Every body rejection is the client's doing (too large, unreadable):
            // a 4xx, never a 5xx.
            let status = Some(rejection.status())
                .filter(StatusCode::is_client_error)
                .unwrap_or(StatusCode::BAD_REQUEST);
            let why = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("the request body is over {MAX_BODY_BYTES} bytes")
            } else {
                rejection.body_text()
            };
            return error(status, &why);
        }
    };
    let request: ChatRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("bad request body: {e}")),
    };
    if request.model.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "model is empty");
    }
    if request.max_tokens == Some(0) {
        return error(StatusCode::BAD_REQUEST, "max_tokens must be at least 1");
    }
    if request.temperature != 0.0 {
        return error(
            StatusCode::BAD_REQUEST,
            "the mock only serves temperature 0",
        );
    }
    let Some(prompt) = request
        .messages
        .iter()
        .rev()
        .find(|m| m.role == "user")
        .map(|m| m.content.clone())
    else {
        return error(StatusCode::BAD_REQUEST, "no user message");
    };
    if let Ok(mut last) = state.last_request.lock() {
        *last = Some(request.clone());
    }
    let Some(item) = state.by_prompt.get(&prompt) else {
        return completion(&request.model, "I don't know this question.");
    };
    let behaviour = Behaviour::for_item(item);
    if matches!(
        behaviour,
        Behaviour::ServerErrorOnce | Behaviour::MalformedOnce
    ) {
        let first_time = state
            .failed_once
            .lock()
            .map(|mut seen| seen.insert(item.id.clone()))
            .unwrap_or(false);
        if first_time {
            return if behaviour == Behaviour::ServerErrorOnce {
                error(StatusCode::INTERNAL_SERVER_ERROR, "mock: transient failure")
            } else {
                json(
                    StatusCode::OK,
                    r#"{"choices": [{"message": {"content": "D"#.to_string(),
                )
            };
        }
    }
    completion(&request.model, &reply(item))
}

/// What one behaviour amounted to over a run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BehaviourSummary {
    /// Items that got this behaviour.
    pub items: usize,
    /// HTTP attempts spent on them.
    pub requests: u32,
    /// Correct under the `any` tie policy.
    pub correct_any: usize,
    /// Correct under the `all` tie policy.
    pub correct_all: usize,
    /// Replies no extraction layer could read.
    pub unextracted: usize,
    /// The extraction layers that fired (`-` for none), in order of first use.
    pub layers: Vec<&'static str>,
}

/// Summarise a mock run per behaviour; `answers` and `verdicts` are in item order.
pub fn summarise(
    items: &[Item],
    answers: &[Answer],
    verdicts: &[Verdict],
) -> BTreeMap<Behaviour, BehaviourSummary> {
    let mut rows: BTreeMap<Behaviour, BehaviourSummary> = BTreeMap::new();
    for ((item, answer), v) in items.iter().zip(answers).zip(verdicts) {
        let row = rows.entry(Behaviour::for_item(item)).or_default();
        row.items += 1;
        row.requests += answer.attempts.unwrap_or(0);
        row.correct_any += usize::from(v.any == Outcome::Correct);
        row.correct_all += usize::from(v.all == Outcome::Correct);
        row.unextracted += usize::from(v.all == Outcome::Unextracted);
        let layer = v.extraction.layer.map_or("-", |l| l.name());
        if !row.layers.contains(&layer) {
            row.layers.push(layer);
        }
    }
    rows
}
