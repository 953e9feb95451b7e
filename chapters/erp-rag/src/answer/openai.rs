//! A client for OpenAI-compatible chat endpoints (Ollama at `http://127.0.0.1:11434/v1`,
//! llama.cpp's server at `http://127.0.0.1:8080/v1`, vLLM, …):
//! `POST {base}/chat/completions` with `{model, messages, temperature, max_tokens, seed}`,
//! answer in `choices[0].message.content`. Plain HTTP only: this build has no TLS.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{BoxFuture, Llm, Prompt};
use crate::engine::Findings;
use crate::error::{Error, Result};

/// A chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system` or `user`.
    pub role: String,
    /// The text.
    pub content: String,
}

/// The request body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// Model name.
    pub model: String,
    /// System then user message.
    pub messages: Vec<Message>,
    /// 0: as repeatable as the server allows.
    pub temperature: f64,
    /// Answer length cap.
    pub max_tokens: u32,
    /// Sampling seed.
    pub seed: u64,
}

/// The endpoint and its settings.
#[derive(Clone, Debug)]
pub struct OpenAiCompatible {
    /// `http://host:port/v1`, no trailing slash.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// Seed sent with every request.
    pub seed: u64,
    /// Request timeout.
    pub timeout: Duration,
    client: reqwest::Client,
}

impl OpenAiCompatible {
    /// Check `base_url` (http only, with a host) and build the client.
    ///
    /// ```
    /// use erp_rag::answer::openai::OpenAiCompatible;
    /// assert!(OpenAiCompatible::new("http://127.0.0.1:11434/v1", "llama3.1", 7).is_ok());
    /// assert!(OpenAiCompatible::new("https://api.example.com/v1", "m", 7).is_err());
    /// assert!(OpenAiCompatible::new("not a url", "m", 7).is_err());
    /// ```
    pub fn new(base_url: &str, model: &str, seed: u64) -> Result<OpenAiCompatible> {
        let shown = crate::sources::sql::redact_url(base_url);
        let bad = |m: &str| Error::Url {
            url: shown.clone(),
            message: m.to_string(),
        };
        let url = reqwest::Url::parse(base_url).map_err(|e| bad(&e.to_string()))?;
        match url.scheme() {
            "http" => {}
            "https" => {
                return Err(bad(
                    "https needs TLS, which this build leaves out; use a local http endpoint",
                ));
            }
            other => return Err(bad(&format!("scheme {other:?} is not http"))),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("no query or fragment expected"));
        }
        let timeout = Duration::from_secs(120);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| bad(&e.to_string()))?;
        Ok(OpenAiCompatible {
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            seed,
            timeout,
            client,
        })
    }

    /// The request body for `prompt`.
    pub fn request(&self, prompt: &Prompt) -> ChatRequest {
        ChatRequest {
            model: self.model.clone(),
            messages: vec![
                Message {
                    role: "system".into(),
                    content: prompt.system.clone(),
                },
                Message {
                    role: "user".into(),
                    content: prompt.user.clone(),
                },
            ],
            temperature: 0.0,
            max_tokens: 600,
            seed: self.seed,
        }
    }

    async fn post(&self, prompt: &Prompt) -> std::result::Result<String, String> {
        let url = format!("{}/chat/completions", self.base_url);
        let resp = self
            .client
            .post(&url)
            .json(&self.request(prompt))
            .send()
            .await
            .map_err(|e| {
                if e.is_connect() {
                    format!(
                        "{url}: no server answers there (connection failed); start the model \
                         server (for Ollama: `ollama serve`) or leave out --llm-url"
                    )
                } else {
                    format!("{url}: {}", e.without_url())
                }
            })?;
        let status = resp.status();
        let body = resp
            .text()
            .await
            .map_err(|e| format!("{url}: {}", e.without_url()))?;
        if !status.is_success() {
            let start: String = body.chars().take(200).collect();
            return Err(format!("{url}: HTTP {}: {start}", status.as_u16()));
        }
        let v: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("{url}: malformed response: {e}"))?;
        v.pointer("/choices/0/message/content")
            .and_then(|c| c.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("{url}: malformed response: no choices[0].message.content"))
    }
}

impl Llm for OpenAiCompatible {
    fn name(&self) -> String {
        format!("{} at {}", self.model, self.base_url)
    }

    fn complete<'a>(
        &'a self,
        _findings: &'a Findings,
        prompt: &'a Prompt,
    ) -> BoxFuture<'a, std::result::Result<String, String>> {
        Box::pin(self.post(prompt))
    }
}
