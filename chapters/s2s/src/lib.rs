//! # Day 13 — Server-to-Server Tracking
//!
//! A browser pixel reports a purchase from the customer's browser, so an ad blocker,
//! a privacy setting or JavaScript turned off silently drops it. Server-to-server
//! tracking reports the purchase from the shop's backend to the ad platform's API
//! instead. That moves the problem rather than removing it: the backend now has to
//! deliver every conversion **once**, through crashes, timeouts and rate limits, and
//! must not send raw personal data while doing so.
//!
//! This crate builds the whole path on loopback:
//!
//! - [`shop`]: an axum service where orders are placed;
//! - [`outbox`]: the **transactional outbox** in SQLite: the order row and its
//!   conversion event commit in one transaction ([`outbox::Outbox::enqueue_in_tx`]);
//! - [`relay`]: ships pending events in batches, with full-jitter exponential backoff,
//!   `Retry-After`, bisection of rejected batches, and "delivered" only after a 2xx;
//! - [`collector`]: the ad platform, applying the Conversions API's rules: at most
//!   1000 events per request, one bad event rejects the request, 7-day age limit,
//!   deduplication by (event_name, event_id) for 48 hours;
//! - [`hashing`]: normalise, then SHA-256, before anything leaves the shop;
//! - [`scenario`]: the page's two stories, in virtual time;
//! - [`picture`]: the fault run drawn as a sequence diagram, one arrow per message.
//!
//! The key idea: **at-least-once delivery plus a stable id is exactly-once counting.**
//! The relay may send an event twice (it died after the 200, before its `UPDATE`);
//! the event id is the outbox id, so the collector recognises the copy and drops it.
//!
//! ```
//! use s2s::hashing::{CustomerInfo, sha256_hex};
//! use s2s::outbox::{Order, Outbox};
//!
//! // Normalise, then hash: `Person@Example.com` and `person@example.com` match.
//! let customer = CustomerInfo {
//!     email: Some(" Person@Example.com ".into()),
//!     client_user_agent: Some("Mozilla/5.0".into()),
//!     ..Default::default()
//! };
//! let user = customer.to_user_data()?;
//! assert_eq!(user.em, vec![sha256_hex("person@example.com")]);
//! assert_eq!(user.client_user_agent.as_deref(), Some("Mozilla/5.0")); // not hashed
//!
//! // The order and its event: one transaction, one outbox row, event_id = outbox id.
//! let dir = s2s::scenario::ScratchDir::new("s2s-doctest")?;
//! let mut outbox = Outbox::create(&dir.file("shop.db"))?;
//! let order = Order { customer, value_cents: 12_999, currency: "USD".into() };
//! let placed = outbox.place_order(&order, 1_736_121_600)?;
//! assert_eq!(placed.event_id, "order-1");
//! assert_eq!(outbox.counts()?.pending, 1);
//! # Ok::<(), s2s::S2sError>(())
//! ```

pub mod collector;
pub mod error;
pub mod event;
pub mod hashing;
pub mod outbox;
pub mod picture;
pub mod relay;
pub mod scenario;
pub mod shop;

pub use error::{Result, S2sError};

/// The `application_id` (SQLite header, offset 68) of the shop's database (orders +
/// outbox): `S2S` and 1. Set when a program of this chapter creates the file; any other
/// file is refused before it is opened for writing ([`kit::cli::sqlite_ours`]).
pub const APPLICATION_ID: u32 = 0x5332_5301;

/// The `application_id` of the collector's ledger database: `S2S` and 2, so a shop
/// database is never taken for a ledger (nor the other way round).
pub const LEDGER_APPLICATION_ID: u32 = 0x5332_5302;
