//! # Day 2 — Cloud Systems Drift
//!
//! **Drift** is the gap between the infrastructure you *meant* to run (the plan, the
//! code, the documentation) and the infrastructure that *does* run, after months of
//! hand edits, emergency fixes and forgotten experiments. Finding it is a diff; but a
//! useful diff needs three decisions this crate makes explicit:
//!
//! 1. **What is a resource, and when are two the same?** Each document is normalised
//!    into an [`Inventory`]: resource type + id → an attribute tree
//!    ([`inventory`] explains the YAML shape, [`cloudformation`] reads templates). The
//!    plan's web tier is a *template* (`count: 3`) expanding into `server_1`…`server_3`;
//!    reality's servers are named, and they meet by name.
//! 2. **How do attributes compare?** ([`diff`](mod@diff)) Maps key by key, lists of
//!    scalars as sets (a security group added is one change, not a reshuffled list),
//!    lists of maps by an identity field (`name`, `key`, `id`, `port`), by index only
//!    as a fallback. Every change has a JSON-pointer path and a CloudFormation-style
//!    difference type: `ADD`, `REMOVE` or `NOT_EQUAL`.
//! 3. **How much does it matter?** Not the diff's business: a [`Policy`] (YAML rules;
//!    the built-in one is `policy/default.yaml`) ranks each finding from `critical` to
//!    `info`, and every finding says how to **revert** reality or **adopt** it into the
//!    plan.
//!
//! Resources are classified in driftctl's terms: **managed** (in both documents),
//! **unmanaged** (only in reality), **missing** (only in the plan); coverage is
//! managed ÷ total, truncated to a whole percent. "In sync" means nothing unmanaged,
//! missing or changed.
//!
//! ```
//! use drift::{Policy, Severity, parse_str};
//!
//! let plan = parse_str("plan.yaml", "
//! prod:
//!   database: {type: db.t3.large, backup: enabled}
//!   iam_roles: [app-role]
//! ", false)?;
//! let real = parse_str("real.yaml", "
//! prod:
//!   database: {type: db.t3.xlarge, backup: disabled}
//!   iam_roles: [app-role, contractor-access]
//! ", false)?;
//!
//! let report = drift::diff(&plan, &real, &[]);
//! assert_eq!((report.managed(), report.unmanaged(), report.missing()), (3, 1, 0));
//! assert_eq!(report.coverage_percent(), 75);
//!
//! let findings = drift::assess(&report, &Policy::builtin());
//! let worst = &findings[0];
//! assert_eq!(worst.severity, Severity::Critical);
//! assert_eq!(worst.path.as_deref(), Some("/backup"));
//! assert_eq!(worst.remediation.revert, "set /backup back to \"enabled\"");
//!
//! // Adopt everything: the new plan is in sync with reality.
//! let adopted = drift::adopt(&plan, &real, &[]);
//! assert!(drift::diff(&adopted, &real, &[]).in_sync());
//! # Ok::<(), drift::DriftError>(())
//! ```

pub mod cloudformation;
pub mod diff;
mod error;
pub mod fleet;
pub mod inventory;
pub mod picture;
pub mod policy;
pub mod report;
pub mod seed;
pub mod synthetic;
pub mod tryit;

pub use diff::{
    Change, DifferenceType, DriftReport, Pointer, ResourceDrift, ResourceState, adopt, diff,
};
pub use error::DriftError;
pub use inventory::{
    Attributes, Inventory, Origin, Resource, ResourceKey, SourceFormat, load, parse_str,
};
pub use policy::{Finding, FindingKind, Policy, Remediation, Severity, assess};
pub use report::{Assessment, render_text, to_json};

/// The seed's two documents, shipped with the crate (`fixtures/`).
pub mod fixtures {
    /// The plan: what should exist.
    pub const INTENDED_YAML: &str = include_str!("../fixtures/infrastructure-plan.yaml");
    /// Reality six months later.
    pub const ACTUAL_YAML: &str = include_str!("../fixtures/actual-infrastructure.yaml");
    /// A small CloudFormation template: the intended state.
    pub const CFN_INTENDED_JSON: &str = include_str!("../fixtures/cfn-intended.json");
    /// The same stack after hand edits.
    pub const CFN_ACTUAL_JSON: &str = include_str!("../fixtures/cfn-actual.json");
}
