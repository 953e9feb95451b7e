//! # Day 16 — Developer-Centric Cloud Architecture Framework
//!
//! A developer-centric framework lets an application team say *what* it needs — a
//! PostgreSQL database, a Redis cache, a bucket behind a CDN, a queue — in a few lines
//! of a language it already uses, and expands that into the hundred-odd cloud resources
//! a production setup really takes: network, security groups, keys, logs, alarms. AWS
//! CDK calls the layers L1 (one CloudFormation resource), L2 (a curated resource with
//! defaults) and L3 (a pattern of many); DCAF's components are L3 patterns.
//!
//! The engine here:
//!
//! * [`App`] is the builder ([`seed::ecommerce_platform`] is the seed's app);
//! * [`App::synth`] expands it into a [`graph::Graph`] of [`graph::Resource`]s —
//!   refusing dangling references and cycles *before* anything is emitted — and
//!   returns a CloudFormation [`Template`] (deterministic JSON);
//! * [`plan()`] counts what a deployment would create, and lists every opt-out from
//!   the secure defaults;
//! * [`diff()`] compares a previous template with the next: create, update, delete,
//!   or replace when a create-only property (a bucket name) changes;
//! * [`picture`] draws where the template puts each resource (VPC, zones, subnets,
//!   data stores, regional services) as an inline SVG;
//! * [`scan`] runs the real checkers, cfn-lint and checkov, on a template file.
//!
//! ```
//! use dcaf::{App, Database, Storage, gib};
//!
//! let app = App::new("shop")
//!     .add_database(Database::postgres("orders-db", "16.9").storage(gib(50), gib(100)))
//!     .add_storage(Storage::new("assets"));
//! let template = app.synth()?;
//!
//! // Secure by default: encrypted, Multi-AZ, backups, all four Block Public Access flags.
//! let db = &template.to_json()["Resources"]["OrdersDb"]["Properties"];
//! assert_eq!(db["StorageEncrypted"], true);
//! assert_eq!(db["MultiAZ"], true);
//! let bucket = &template.to_json()["Resources"]["AssetsBucket"]["Properties"];
//! assert_eq!(bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"], true);
//!
//! // Opting out is explicit, and the plan flags it.
//! let risky = app.clone().add_storage(Storage::new("uploads").public(true));
//! let plan = dcaf::plan(&risky.synth()?);
//! assert!(plan.opt_outs.iter().any(|o| o.text.starts_with("public(true)")));
//!
//! // A new bucket name cannot be applied in place: the diff says "replace".
//! let renamed = App::new("shop")
//!     .add_database(Database::postgres("orders-db", "16.9").storage(gib(50), gib(100)))
//!     .add_storage(Storage::new("assets").bucket_name("shop-assets-eu"));
//! let d = dcaf::diff(&template, &renamed.synth()?);
//! assert_eq!(d.count(dcaf::ChangeKind::Replace), 1);
//! # Ok::<(), dcaf::DcafError>(())
//! ```

pub mod app;
pub mod diff;
pub mod error;
pub mod graph;
pub mod picture;
pub mod plan;
// Runs cfn-lint and checkov as processes: native only (a wasm32 build has no processes).
#[cfg(not(target_arch = "wasm32"))]
pub mod scan;
pub mod seed;
mod synth;
pub mod template;
pub mod tryit;

pub use app::{
    App, Cache, Cdn, Database, Email, Engine, Eviction, Gib, Queue, Size, Storage, days, gib,
    hours, minutes,
};
pub use diff::{Change, ChangeKind, Diff, PropertyChange, diff};
pub use error::DcafError;
pub use graph::{Graph, Resource};
pub use plan::{OptOut, Plan, plan};
pub use synth::{COST_ALLOCATION_TAGS, LOG_RETENTION_DAYS, logical_id};
pub use template::Template;

impl App {
    /// Expand the app into resources, check the graph (no dangling reference, no
    /// cycle, valid settings) and return the CloudFormation template.
    pub fn synth(&self) -> Result<Template, DcafError> {
        synth::synth(self)
    }
}
