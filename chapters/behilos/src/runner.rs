//! Which model answers: a baseline by name, the in-process mock, or a URL.

use std::time::Duration;

use crate::baseline::Baseline;
use crate::client::{ChatClient, ClientError, RetryPolicy, answer_from};
use crate::error::Error;
use crate::item::Item;
use crate::mock::MockServer;
use crate::score::Answer;

/// A model named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSpec {
    /// An in-process baseline.
    Baseline(Baseline),
    /// An OpenAI-compatible endpoint (`http://host:port/v1`).
    Url(String),
    /// The mock endpoint, started on `127.0.0.1:0` for the run and stopped after it.
    Mock,
}

impl ModelSpec {
    /// `first`, `random`, `lexical` (alias `lexicographic`), `solver`, `mock`, or an `http(s)://` URL.
    ///
    /// ```
    /// use behilos::runner::ModelSpec;
    /// assert!(matches!(ModelSpec::parse("solver", 1), Ok(ModelSpec::Baseline(_))));
    /// assert!(matches!(ModelSpec::parse("http://127.0.0.1:8080/v1", 1), Ok(ModelSpec::Url(_))));
    /// assert!(ModelSpec::parse("gpt", 1).is_err());
    /// assert!(ModelSpec::parse("http://", 1).is_err()); // no host: not a URL
    /// ```
    ///
    /// A `--model-name` is checked by [`model_name`].
    pub fn parse(name: &str, seed: u64) -> Result<ModelSpec, Error> {
        if name.starts_with("http://") || name.starts_with("https://") {
            return crate::client::parse_base_url(name).map(ModelSpec::Url);
        }
        if name == "mock" {
            return Ok(ModelSpec::Mock);
        }
        Baseline::by_name(name, seed)
            .map(ModelSpec::Baseline)
            .ok_or_else(|| Error::UnknownModel(name.to_string()))
    }
}

/// The longest `--model-name` accepted.
pub const MAX_MODEL_NAME: usize = 200;

/// Check a `--model-name`: the `model` field of every request and the name in every
/// answer line, so not empty, no control characters, at most [`MAX_MODEL_NAME`] bytes.
///
/// ```
/// use behilos::runner::model_name;
/// assert_eq!(model_name("my-model").unwrap(), "my-model");
/// assert!(model_name("").is_err());
/// assert!(model_name("a\nb").is_err());
/// ```
pub fn model_name(name: &str) -> Result<String, String> {
    if name.trim().is_empty() {
        Err("a model name cannot be empty".into())
    } else if name.len() > MAX_MODEL_NAME {
        Err(format!(
            "{} bytes long, at most {MAX_MODEL_NAME}",
            name.len()
        ))
    } else if name.chars().any(char::is_control) {
        Err("a model name cannot hold control characters".into())
    } else {
        Ok(name.to_string())
    }
}

/// Settings for HTTP models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Seed sent with every request (and used by the random baseline).
    pub seed: u64,
    /// The `model` field of requests, and the name written in answers for URL models.
    pub model_name: String,
    /// Retries and backoff.
    pub retry: RetryPolicy,
}

/// What a run reports while it goes (for a progress display; the answers do not depend
/// on it).
#[derive(Debug)]
pub enum RunEvent<'a> {
    /// About to ask item `index` (0-based) of `total`.
    Asking {
        /// Position in the items file, 0-based.
        index: usize,
        /// Items in the run.
        total: usize,
        /// The item's id.
        id: &'a str,
    },
    /// An attempt failed; the client sleeps `wait` and tries again.
    Retrying {
        /// The item's id.
        id: &'a str,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// Attempts allowed.
        of: u32,
        /// The sleep before the next attempt.
        wait: Duration,
        /// Why it failed.
        error: &'a ClientError,
    },
    /// Item `index` has its answer (emitted just before this event).
    Answered {
        /// Position in the items file, 0-based.
        index: usize,
    },
}

/// Answer every item with `spec`, handing each answer to `emit` as soon as it exists
/// (so a long HTTP run streams its output).
pub fn run_model(
    spec: &ModelSpec,
    items: &[Item],
    options: &RunOptions,
    emit: impl FnMut(&Answer) -> Result<(), Error>,
) -> Result<(), Error> {
    run_model_with(spec, items, options, emit, |_| {})
}

/// [`run_model`], telling `on_event` what it is doing: which item it asks, which attempt
/// failed and how long it waits before the next.
///
/// For a URL model the endpoint is checked first ([`ChatClient::check_reachable`]), and
/// an item whose connection is refused on every attempt stops the run: both are
/// [`Error::Unreachable`], naming the URL, instead of minutes of retries.
pub fn run_model_with(
    spec: &ModelSpec,
    items: &[Item],
    options: &RunOptions,
    mut emit: impl FnMut(&Answer) -> Result<(), Error>,
    mut on_event: impl FnMut(RunEvent<'_>),
) -> Result<(), Error> {
    let mut ask_all = |client: &ChatClient, base_url: &str, label: &str| -> Result<(), Error> {
        let unreachable = |reason: String| Error::Unreachable {
            url: base_url.to_string(),
            reason,
        };
        client.check_reachable().map_err(|e| {
            unreachable(match e {
                ClientError::Unreachable { message, .. } => message,
                other => other.to_string(),
            })
        })?;
        let total = items.len();
        for (index, item) in items.iter().enumerate() {
            on_event(RunEvent::Asking {
                index,
                total,
                id: &item.id,
            });
            let result = client.ask_with(&item.prompt, |r| {
                on_event(RunEvent::Retrying {
                    id: &item.id,
                    attempt: r.attempt,
                    of: r.of,
                    wait: r.wait,
                    error: r.error,
                });
            });
            if let Err(e) = &result
                && e.is_unreachable()
            {
                return Err(unreachable(format!(
                    "the server stopped answering at item {} of {total} ({}): {e}",
                    index + 1,
                    item.id
                )));
            }
            emit(&answer_from(item, label, result))?;
            on_event(RunEvent::Answered { index });
        }
        Ok(())
    };
    match spec {
        ModelSpec::Baseline(b) => {
            for (index, answer) in b.run(items).iter().enumerate() {
                emit(answer)?;
                on_event(RunEvent::Answered { index });
            }
        }
        ModelSpec::Url(url) => {
            let client = ChatClient::new(url, &options.model_name, options.seed, options.retry);
            ask_all(&client, url, &options.model_name)?;
        }
        ModelSpec::Mock => {
            let server = MockServer::start(items).map_err(Error::Mock)?;
            let client = ChatClient::new(&server.url(), "mock", options.seed, options.retry);
            ask_all(&client, &server.url(), "mock")?;
        }
    }
    Ok(())
}
