//! # Day 9 — Semantic Contracts
//!
//! An API has two contracts. The **technical contract** is what a schema can say:
//! `GET /api/products/search?query=…&limit=…` returns `200` with an array of
//! `Product {id, name, price, inStock, …}`. The **semantic contract** is what clients
//! actually rely on: the results are relevant, the limit is honoured, out-of-stock
//! items come last, the same query gives the same answer, pages fit together, and
//! the answer comes fast. Hyrum's law says that with enough users every observable
//! behaviour becomes part of it, written down or not.
//!
//! This crate builds the seed's search API twice ([`search::Version`]): `v1` keeps the
//! promises, `v2` keeps the same types and serves the same OpenAPI document but
//! breaks several promises the way real regressions do. Then it checks both:
//!
//! - the technical contract with a real tool, schemathesis ([`schemathesis`]), which
//!   generates requests from the OpenAPI document: both versions pass;
//! - the semantic contract with [`suite`]: proptest properties and metamorphic
//!   relations over HTTP, each failure shrunk to a minimal counterexample, plus the
//!   latency promise by nearest rank ([`latency`]): `v1` passes, `v2` fails;
//! - a consumer's own expectations, recorded Pact-style ([`pact`]) and replayed
//!   against each provider.
//!
//! The request handling ([`service`]), the search, the suite and the pact matching are
//! plain code; axum, reqwest, tokio and schemathesis sit around them and stay native.
//! The suite reaches the API through a [`transport::Transport`]: over HTTP, or
//! in-process against the server's own request handling, which is how the page's Try it
//! block ([`tryit`]) runs it in the browser (wasm32).
//!
//! The engine can be used without a server:
//!
//! ```
//! use contracts::catalog::default_catalog;
//! use contracts::search::{search, SearchRequest, Version};
//!
//! let catalog = default_catalog();
//! let req = SearchRequest::new("laptop", 8);
//! let v1 = search(Version::V1, &catalog, &req, 0);
//! let v2 = search(Version::V2, &catalog, &req, 0);
//! // The same type, and the technical contract can't tell them apart ...
//! assert_eq!(v1.len(), 8);
//! // ... but v2 silently returns fewer than asked although more laptops exist,
//! assert_eq!(v2.len(), 5);
//! // and puts an out-of-stock product where v1 puts an in-stock one.
//! assert!(v1[1].in_stock && !v2[1].in_stock);
//! ```

pub mod catalog;
#[cfg(not(target_arch = "wasm32"))]
pub mod client;
pub mod error;
pub mod latency;
pub mod pact;
pub mod picture;
pub mod progress;
pub mod render;
#[cfg(not(target_arch = "wasm32"))]
pub mod schemathesis;
pub mod search;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;
pub mod service;
#[cfg(not(target_arch = "wasm32"))]
pub mod storefront;
pub mod suite;
pub mod transport;
pub mod tryit;
#[cfg(not(target_arch = "wasm32"))]
pub mod verdicts;

pub use catalog::Product;
pub use error::{CatalogError, CheckError};
pub use search::{SearchRequest, Version};
#[cfg(not(target_arch = "wasm32"))]
pub use server::{Clock, RunningServer};
pub use service::ServerConfig;
#[cfg(not(target_arch = "wasm32"))]
pub use suite::run_suite;
pub use suite::{SuiteConfig, SuiteReport, run_suite_in_process};
