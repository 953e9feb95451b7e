//! The wire format: a Conversions API request, its events, its answers.

use serde::{Deserialize, Serialize};

use crate::hashing::UserData;

/// The most events one request may carry.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;
/// Events older than this (seconds) are refused: 7 days.
pub const MAX_EVENT_AGE_SECS: i64 = 7 * 24 * 3600;
/// Two events with the same (event_name, event_id) this close together (seconds)
/// are one conversion: 48 hours.
pub const DEDUP_WINDOW_SECS: i64 = 48 * 3600;

/// The largest `custom_data.value` (and pixel `value`) accepted: one billion in the
/// currency's main unit, the shop's [`crate::outbox::MAX_VALUE_CENTS`].
pub const MAX_VALUE: f64 = 1e9;
/// How far in the future an `event_time` may be (seconds): clocks drift, but an event
/// from next week is a bug.
pub const MAX_EVENT_FUTURE_SECS: i64 = 3600;

/// Parse one event from JSON `text` read from `origin` (a file name): a duplicate key,
/// a missing field or a wrong type is an error with the line and column.
pub fn parse_event(text: &str, origin: &str) -> crate::Result<ServerEvent> {
    serde_json::from_str(text).map_err(|e| crate::S2sError::MalformedEvent {
        origin: origin.into(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Read and parse the event file at `path` (see [`parse_event`]).
pub fn read_event_file(path: &std::path::Path) -> crate::Result<ServerEvent> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::S2sError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    parse_event(&text, &path.display().to_string())
}

/// One server event, as the shop sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerEvent {
    /// `Purchase`, `AddToCart`, …
    pub event_name: String,
    /// When the conversion happened, Unix seconds.
    pub event_time: i64,
    /// The deduplication key (with `event_name`); here, the outbox id.
    pub event_id: String,
    /// Where the conversion happened: `website` for the shop.
    pub action_source: String,
    /// The page the purchase was made on.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub event_source_url: Option<String>,
    /// Hashed customer data plus IP/user agent/cookies.
    pub user_data: UserData,
    /// Value, currency, order id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub custom_data: Option<CustomData>,
}

/// What was bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomData {
    /// Order value in the currency's main unit.
    pub value: f64,
    /// ISO 4217 code, `USD`.
    pub currency: String,
    /// The shop's order id.
    pub order_id: String,
}

/// The body of `POST /{version}/{pixel_id}/events`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventsRequest {
    /// The events, 1 to 1000 of them.
    pub data: Vec<serde_json::Value>,
}

/// A 200 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsResponse {
    /// How many events the request carried (duplicates included: deduplication
    /// happens after receipt and is not reported back).
    pub events_received: usize,
    /// Warnings (none here).
    pub messages: Vec<String>,
    /// A trace id for support requests.
    pub fbtrace_id: String,
}

/// The error envelope of a refused request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// The error.
    pub error: ApiError,
}

/// What was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// A short message (`Invalid parameter`).
    pub message: String,
    /// The error family.
    #[serde(rename = "type")]
    pub kind: String,
    /// The error code (100: invalid parameter; 4/17/80004: rate limited).
    pub code: u32,
    /// The human-readable detail, naming the event at fault.
    pub error_user_msg: String,
    /// A trace id.
    pub fbtrace_id: String,
}
