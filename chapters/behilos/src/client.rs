//! A client for any OpenAI-compatible chat endpoint.
//!
//! `POST {base_url}/chat/completions` with
//! `{"model", "messages": [{"role": "user", "content": prompt}], "temperature": 0,
//! "seed", "max_tokens"}`, and the reply is `choices[0].message.content`. Temperature 0
//! and a fixed seed make the run as repeatable as the server allows (many servers still
//! do not guarantee identical outputs). Transient failures — connection errors, HTTP
//! 429 and 5xx, a body that is not the expected JSON — are retried with exponential
//! backoff; other 4xx are not (asking again will not help). A URL with no server
//! behind it is found at once by [`ChatClient::check_reachable`], so a run can stop
//! before it spends seconds of backoff on every item.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::item::Item;
use crate::score::Answer;

/// The longest model URL accepted (a base URL is a host, a port and a short path).
pub const MAX_URL_LEN: usize = 2_000;

/// The most attempts per item a run may make (`--attempts`): with the backoff capped
/// at 8 s, ten attempts already wait over a minute for one item.
pub const MAX_ATTEMPTS: u32 = 10;

/// Check a model's base URL before anything is sent: `http://` or `https://`, a host,
/// a port in 1..=65535 when one is given, no `?query` or `#fragment` (requests go to
/// `{url}/chat/completions`), at most [`MAX_URL_LEN`] bytes. Returns it unchanged.
///
/// ```
/// use behilos::client::parse_base_url;
/// assert!(parse_base_url("http://127.0.0.1:8080/v1").is_ok());
/// assert!(parse_base_url("not a url").is_err());
/// assert!(parse_base_url("http://127.0.0.1:99999/v1").is_err()); // not port 80
/// assert!(parse_base_url("ftp://host/v1").is_err());
/// ```
pub fn parse_base_url(url: &str) -> Result<String, crate::Error> {
    let bad = |reason: String| crate::Error::BadUrl {
        url: url.chars().take(200).collect(),
        reason,
    };
    if url.len() > MAX_URL_LEN {
        return Err(bad(format!(
            "{} bytes long, at most {MAX_URL_LEN}",
            url.len()
        )));
    }
    if url.contains('#') {
        return Err(bad("a base URL has no #fragment".into()));
    }
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| bad(format!("expected http://host:port/path ({e})")))?;
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("http" | "https") => {}
        Some(other) => return Err(bad(format!("scheme {other}:// is not http:// or https://"))),
        None => return Err(bad("expected http://host:port/path".into())),
    }
    match uri.host() {
        Some(h) if !h.is_empty() => {}
        _ => return Err(bad("it has no host".into())),
    }
    // `Uri::port` is `None` for a port that is not a u16 (`:99999`), which a client
    // would then replace by 80: read the port from the authority text instead.
    match written_port(&uri).map(|p| (p, p.parse::<u16>())) {
        None | Some((_, Ok(1..))) => {}
        Some((p, _)) => return Err(bad(format!("port {p:?} is not in 1..=65535"))),
    }
    if uri.query().is_some() {
        return Err(bad(
            "a base URL has no ?query (requests go to {url}/chat/completions)".into(),
        ));
    }
    Ok(url.to_string())
}

/// The port as written in `uri`'s authority (`host:port`, `[v6]:port`), if any.
fn written_port(uri: &ureq::http::Uri) -> Option<&str> {
    let authority = uri.authority()?.as_str();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let after_host = host_port
        .rsplit_once(']')
        .map_or(host_port, |(_, rest)| rest);
    after_host.rsplit_once(':').map(|(_, port)| port)
}

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (at least 1).
    pub max_attempts: u32,
    /// Sleep before the second attempt; doubled for each further one.
    pub base_delay: Duration,
    /// Upper bound for one sleep.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The sleep after failed attempt `attempt` (1-based): `base · 2^(attempt-1)`,
    /// capped. (No jitter: one client, and the page must be deterministic. Many
    /// clients hitting one server should add full jitter.)
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = behilos::client::RetryPolicy::default();
    /// assert_eq!(p.delay(1), Duration::from_millis(500));
    /// assert_eq!(p.delay(3), Duration::from_secs(2));
    /// assert_eq!(p.delay(10), Duration::from_secs(8));
    /// ```
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Why a request failed (after any retries).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error status.
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        /// The endpoint.
        url: String,
        /// The status code.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// No connection could be made: refused, or the host name does not resolve.
    #[error("{url}: {message}")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A connection was made but the exchange broke (timed out, reset).
    #[error("{url}: {message}")]
    Transport {
        /// The endpoint.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A 200 whose body is not a chat completion.
    #[error("{url}: malformed response: {detail}")]
    Malformed {
        /// The endpoint.
        url: String,
        /// What is wrong with it.
        detail: String,
    },
    /// Every attempt failed; `last` is the final failure.
    #[error("gave up after {attempts} attempts; last error: {last}")]
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<ClientError>,
    },
}

impl ClientError {
    fn retryable(&self) -> bool {
        match self {
            ClientError::Status { status, .. } => *status == 429 || *status >= 500,
            ClientError::Unreachable { .. }
            | ClientError::Transport { .. }
            | ClientError::Malformed { .. } => true,
            ClientError::GaveUp { .. } => false,
        }
    }

    /// Was no connection made at all (on the last attempt)? A run that meets this has
    /// lost its server, and every further item would fail the same way.
    ///
    /// ```
    /// use behilos::client::ClientError;
    /// let refused = ClientError::Unreachable { url: "u".into(), message: "refused".into() };
    /// assert!(refused.is_unreachable());
    /// let gave_up = ClientError::GaveUp { attempts: 4, last: Box::new(refused) };
    /// assert!(gave_up.is_unreachable());
    /// ```
    pub fn is_unreachable(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } => true,
            ClientError::GaveUp { last, .. } => last.is_unreachable(),
            _ => false,
        }
    }
}

/// A failed attempt that is about to be retried (for progress displays).
#[derive(Debug)]
pub struct Retrying<'a> {
    /// The attempt that failed (1-based).
    pub attempt: u32,
    /// Attempts allowed in all.
    pub of: u32,
    /// How long the client sleeps before the next attempt.
    pub wait: Duration,
    /// Why the attempt failed.
    pub error: &'a ClientError,
}

/// How long [`ChatClient::check_reachable`] waits for a connection.
pub const CONNECT_CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Is the `io::Error` one that means "nobody listens there"?
fn refused(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        kind,
        K::ConnectionRefused | K::AddrNotAvailable | K::HostUnreachable | K::NetworkUnreachable
    )
}

/// Sort a ureq error into "never connected" and "connected, then broke".
fn transport_error(url: &str, e: ureq::Error) -> ClientError {
    let unreachable = match &e {
        ureq::Error::Io(io) => refused(io.kind()),
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => true,
        _ => false,
    };
    let (url, message) = (url.to_string(), e.to_string());
    if unreachable {
        ClientError::Unreachable { url, message }
    } else {
        ClientError::Transport { url, message }
    }
}

/// A chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The text.
    pub content: String,
}

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// Model name.
    pub model: String,
    /// The conversation (here: one user message).
    pub messages: Vec<Message>,
    /// Always 0.
    pub temperature: f64,
    /// A fixed seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Reply length cap.
    #[serde(default)]
    pub max_tokens: Option<u32>,
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<ChatChoice>,
}

#[derive(Deserialize)]
struct ChatChoice {
    message: ChatMessage,
}

#[derive(Deserialize)]
struct ChatMessage {
    content: Option<String>,
}

/// A reply and how many attempts it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// `choices[0].message.content`.
    pub content: String,
    /// Attempts made (1 when the first one succeeded).
    pub attempts: u32,
}

/// A blocking client for one endpoint and model.
#[derive(Debug, Clone)]
pub struct ChatClient {
    agent: ureq::Agent,
    endpoint: String,
    model: String,
    seed: u64,
    max_tokens: u32,
    retry: RetryPolicy,
}

impl ChatClient {
    /// A client for `base_url` (e.g. `http://127.0.0.1:8080/v1`); requests go to
    /// `{base_url}/chat/completions`.
    pub fn new(base_url: &str, model: &str, seed: u64, retry: RetryPolicy) -> ChatClient {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        ChatClient {
            agent,
            endpoint: format!("{}/chat/completions", base_url.trim_end_matches('/')),
            model: model.to_string(),
            seed,
            max_tokens: 256,
            retry,
        }
    }

    /// The model name sent in requests.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The URL requests go to (`{base_url}/chat/completions`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Open (and close) one TCP connection to the endpoint's host and port, waiting at
    /// most [`CONNECT_CHECK_TIMEOUT`] per address: a quick "is anybody there?" before a
    /// run, so a wrong URL fails in seconds instead of after every item's retries.
    pub fn check_reachable(&self) -> Result<(), ClientError> {
        let fail = |message: String| ClientError::Unreachable {
            url: self.endpoint.clone(),
            message,
        };
        let uri: ureq::http::Uri = self
            .endpoint
            .parse()
            .map_err(|e| fail(format!("not a URL: {e}")))?;
        let host = uri
            .host()
            .ok_or_else(|| fail("the URL has no host".into()))?;
        // A port that is there but not a u16 is an error, never the default port.
        let port = match written_port(&uri) {
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| fail(format!("port {p:?} is not in 1..=65535")))?,
            None if uri.scheme_str() == Some("https") => 443,
            None => 80,
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<_> = (host, port)
            .to_socket_addrs()
            .map_err(|e| fail(format!("cannot resolve {host}: {e}")))?
            .collect();
        let mut last = format!("{host} resolves to no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_CHECK_TIMEOUT) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    last = format!(
                        "no answer from {addr} within {} s",
                        CONNECT_CHECK_TIMEOUT.as_secs()
                    );
                }
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        Err(fail(last))
    }

    /// Ask one prompt, retrying transient failures.
    pub fn ask(&self, prompt: &str) -> Result<Completion, ClientError> {
        self.ask_with(prompt, |_| {})
    }

    /// [`ChatClient::ask`], telling `on_retry` about each failed attempt before the
    /// client sleeps and tries again (what a progress display shows while it waits).
    pub fn ask_with(
        &self,
        prompt: &str,
        mut on_retry: impl FnMut(&Retrying<'_>),
    ) -> Result<Completion, ClientError> {
        let body = ChatRequest {
            model: self.model.clone(),
            messages: vec![Message {
                role: "user".into(),
                content: prompt.to_string(),
            }],
            temperature: 0.0,
            seed: Some(self.seed),
            max_tokens: Some(self.max_tokens),
        };
        let attempts = self.retry.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.once(&body) {
                Ok(content) => {
                    return Ok(Completion {
                        content,
                        attempts: attempt,
                    });
                }
                Err(e) if e.retryable() && attempt < attempts => {
                    let wait = self.retry.delay(attempt);
                    on_retry(&Retrying {
                        attempt,
                        of: attempts,
                        wait,
                        error: &e,
                    });
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Err(e) if attempt == 1 && !e.retryable() => return Err(e),
                Err(e) => {
                    return Err(ClientError::GaveUp {
                        attempts: attempt,
                        last: Box::new(e),
                    });
                }
            }
        }
    }

    fn once(&self, body: &ChatRequest) -> Result<String, ClientError> {
        let url = self.endpoint.clone();
        let mut response = self
            .agent
            .post(&url)
            .send_json(body)
            .map_err(|e| transport_error(&url, e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| ClientError::Transport {
                url: url.clone(),
                message: e.to_string(),
            })?;
        if status != 200 {
            return Err(ClientError::Status {
                url,
                status,
                body: text.chars().take(200).collect(),
            });
        }
        let parsed: ChatResponse =
            serde_json::from_str(&text).map_err(|e| ClientError::Malformed {
                url: url.clone(),
                detail: e.to_string(),
            })?;
        parsed
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .ok_or(ClientError::Malformed {
                url,
                detail: "no choices[0].message.content".into(),
            })
    }

    /// Answer every item; a request that fails for good becomes an answer with
    /// `response: null` and the error, and the run goes on.
    pub fn run(&self, items: &[Item], label: &str) -> Vec<Answer> {
        items.iter().map(|item| self.answer(item, label)).collect()
    }

    /// Answer one item (see [`ChatClient::run`]).
    pub fn answer(&self, item: &Item, label: &str) -> Answer {
        answer_from(item, label, self.ask(&item.prompt))
    }
}

/// The answer line for `item` given what [`ChatClient::ask`] returned: the reply, or
/// `response: null` with the error and the attempts it took.
pub fn answer_from(item: &Item, label: &str, result: Result<Completion, ClientError>) -> Answer {
    match result {
        Ok(c) => Answer {
            id: item.id.clone(),
            model: label.to_string(),
            response: Some(c.content),
            attempts: Some(c.attempts),
            error: None,
        },
        Err(e) => Answer {
            id: item.id.clone(),
            model: label.to_string(),
            response: None,
            attempts: Some(match &e {
                ClientError::GaveUp { attempts, .. } => *attempts,
                _ => 1,
            }),
            error: Some(e.to_string()),
        },
    }
}
