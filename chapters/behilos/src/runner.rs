//! Which model answers: a baseline by name, the in-process mock, or a URL.

use crate::baseline::Baseline;
use crate::client::{ChatClient, RetryPolicy};
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
    /// ```
    pub fn parse(name: &str, seed: u64) -> Result<ModelSpec, Error> {
        if name.starts_with("http://") || name.starts_with("https://") {
            return Ok(ModelSpec::Url(name.to_string()));
        }
        if name == "mock" {
            return Ok(ModelSpec::Mock);
        }
        Baseline::by_name(name, seed)
            .map(ModelSpec::Baseline)
            .ok_or_else(|| Error::UnknownModel(name.to_string()))
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

/// Answer every item with `spec`, handing each answer to `emit` as soon as it exists
/// (so a long HTTP run streams its output).
pub fn run_model(
    spec: &ModelSpec,
    items: &[Item],
    options: &RunOptions,
    mut emit: impl FnMut(&Answer) -> Result<(), Error>,
) -> Result<(), Error> {
    match spec {
        ModelSpec::Baseline(b) => {
            for answer in b.run(items) {
                emit(&answer)?;
            }
        }
        ModelSpec::Url(url) => {
            let client = ChatClient::new(url, &options.model_name, options.seed, options.retry);
            for item in items {
                emit(&client.answer(item, &options.model_name))?;
            }
        }
        ModelSpec::Mock => {
            let server = MockServer::start(items).map_err(Error::Mock)?;
            let client = ChatClient::new(&server.url(), "mock", options.seed, options.retry);
            for item in items {
                emit(&client.answer(item, "mock"))?;
            }
        }
    }
    Ok(())
}
