//! The consumer side of the Pact-style contract: a storefront that calls the search
//! API, the expectations it declares, and a mock provider built from them.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::catalog::Product;
use crate::client::Api;
use crate::error::CheckError;
use crate::pact::{
    Interaction, Matcher, MatchingRules, Pact, PactRequest, PactResponse, Pacticipant,
    ProviderState, RuleList,
};
use crate::search::SearchRequest;
use crate::server::SEARCH_PATH;

/// The consumer's code: what the storefront page does with the API.
pub struct Storefront {
    api: Api,
}

impl Storefront {
    /// A storefront talking to the API at `base_url`.
    pub fn new(base_url: &str) -> Result<Storefront, CheckError> {
        Ok(Storefront {
            api: Api::new(base_url, std::time::Duration::from_secs(5))?,
        })
    }

    /// The laptop shelf on the home page: three products, each with a "Buy now"
    /// button (the storefront assumes every one of them can be bought).
    pub async fn laptop_shelf(&self) -> Result<Vec<Product>, CheckError> {
        self.api.search(&SearchRequest::new("laptop", 3)).await
    }

    /// The phone carousel: eight slots, laid out in advance.
    pub async fn phone_carousel(&self) -> Result<Vec<Product>, CheckError> {
        self.api.search(&SearchRequest::new("phone", 8)).await
    }

    /// The search box: `query` typed by a visitor; nothing found shows "no results".
    pub async fn search_box(&self, query: &str) -> Result<Vec<Product>, CheckError> {
        self.api.search(&SearchRequest::new(query, 10)).await
    }
}

fn product(id: &str, name: &str, category: &str, price: f64, premium: bool) -> Value {
    json!({
        "id": id, "name": name, "category": category, "price": price,
        "inStock": true, "premium": premium, "sponsored": false
    })
}

fn rules(entries: &[(&str, Matcher)]) -> MatchingRules {
    let mut body = BTreeMap::new();
    for (path, m) in entries {
        body.insert(
            path.to_string(),
            RuleList {
                matchers: vec![m.clone()],
            },
        );
    }
    MatchingRules { body }
}

fn of_type(min: Option<usize>, max: Option<usize>) -> Matcher {
    Matcher {
        kind: "type".into(),
        min,
        max,
    }
}

fn equality() -> Matcher {
    Matcher {
        kind: "equality".into(),
        min: None,
        max: None,
    }
}

fn interaction(
    description: &str,
    query: &[(&str, &str)],
    body: Value,
    matching_rules: MatchingRules,
) -> Interaction {
    Interaction {
        description: description.into(),
        provider_states: vec![ProviderState {
            name: "the standard catalogue".into(),
        }],
        request: PactRequest {
            method: "GET".into(),
            path: SEARCH_PATH.into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect(),
        },
        response: PactResponse {
            status: 200,
            headers: [("Content-Type".to_string(), "application/json".to_string())].into(),
            body,
            matching_rules,
        },
    }
}

/// The storefront's expectations of the provider: the pact its tests write.
pub fn expectations() -> Pact {
    let laptop = product("p-001", "Zenbook Pro 14 Laptop", "laptop", 1899.0, true);
    let phone = product("p-011", "Pixel 9 Pro Phone", "phone", 999.0, true);
    Pact {
        consumer: Pacticipant {
            name: "storefront".into(),
        },
        provider: Pacticipant {
            name: "product-search".into(),
        },
        interactions: vec![
            interaction(
                "the laptop shelf: three products, all buyable",
                &[("query", "laptop"), ("limit", "3")],
                json!([laptop, laptop, laptop]),
                rules(&[
                    ("$", of_type(Some(3), Some(3))),
                    ("$[*].inStock", equality()),
                ]),
            ),
            interaction(
                "the phone carousel: eight slots filled",
                &[("query", "phone"), ("limit", "8")],
                json!([phone, phone, phone, phone, phone, phone, phone, phone]),
                rules(&[("$", of_type(Some(8), Some(8)))]),
            ),
            interaction(
                "a search with no hits: an empty list",
                &[("query", "zzz"), ("limit", "10")],
                json!([]),
                MatchingRules::default(),
            ),
        ],
        metadata: json!({ "pactSpecification": { "version": "3.0.0" } }),
    }
}

/// The pact as the file the consumer's tests write (pretty JSON, newline-terminated).
pub fn pact_json(pact: &Pact) -> String {
    match serde_json::to_string_pretty(pact) {
        Ok(s) => s + "\n",
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

struct MockState {
    pact: Pact,
    hits: Mutex<Vec<usize>>,
}

/// A mock provider that answers exactly the pact's interactions (and `400` with an
/// explanation for anything else), recording which were used.
pub struct MockProvider {
    addr: SocketAddr,
    state: Arc<MockState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn mock_handler(
    State(state): State<Arc<MockState>>,
    method: Method,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in reqwest::Url::parse(&format!("http://m/?{}", raw.unwrap_or_default()))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    {
        query.entry(k).or_default().push(v);
    }
    let found = state.pact.interactions.iter().position(|i| {
        i.request.method.eq_ignore_ascii_case(method.as_str())
            && i.request.path == uri.path()
            && i.request.query == query
    });
    match found {
        Some(n) => {
            if let Ok(mut hits) = state.hits.lock() {
                hits.push(n);
            }
            let r = &state.pact.interactions[n].response;
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
            (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                r.body.to_string(),
            )
                .into_response()
        }
        // A request the pact doesn't describe is the consumer's mistake: 4xx and why.
        None => (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "error": format!("the pact has no interaction for {method} {uri}") })
                .to_string(),
        )
            .into_response(),
    }
}

impl MockProvider {
    /// Serve `pact`'s interactions on `127.0.0.1:<free port>`.
    pub fn start(pact: Pact) -> std::io::Result<MockProvider> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = runtime.block_on(crate::server::bind_loopback(0))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(MockState {
            pact,
            hits: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .fallback(mock_handler)
            .with_state(Arc::clone(&state));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("contracts-mock-provider".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::select! {
                        _ = axum::serve(listener, app) => {}
                        _ = rx => {}
                    }
                });
            })?;
        Ok(MockProvider {
            addr,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Descriptions of the interactions no request has used yet.
    pub fn unused(&self) -> Vec<String> {
        let hits = self
            .state
            .hits
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default();
        self.state
            .pact
            .interactions
            .iter()
            .enumerate()
            .filter(|(n, _)| !hits.contains(n))
            .map(|(_, i)| i.description.clone())
            .collect()
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
