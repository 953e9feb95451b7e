//! Typed errors: what is wrong, and where (component, field, resource, JSON path).

use thiserror::Error;

/// Everything that can stop DCAF from producing a template, a plan or a diff.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DcafError {
    /// A builder setting is out of range or inconsistent (caught before any resource exists).
    #[error("{component}: `{field}` = {value}: {reason}")]
    InvalidSetting {
        /// The component (`database products-db`, `storage images`, …).
        component: String,
        /// The builder method or field.
        field: &'static str,
        /// The offending value, as written.
        value: String,
        /// Why it is rejected.
        reason: String,
    },
    /// Two resources (or two components) would get the same logical id.
    #[error("duplicate logical id `{id}` (two components with the same name?)")]
    DuplicateLogicalId {
        /// The logical id that appears twice.
        id: String,
    },
    /// A `Ref`, `Fn::GetAtt`, `Fn::Sub` variable or `DependsOn` names a resource
    /// that is not in the graph.
    #[error("dangling reference: `{from}` at {path} refers to `{target}`, which does not exist")]
    DanglingReference {
        /// The resource (or `Outputs.X`) holding the reference.
        from: String,
        /// Where inside it (`Properties.VPCSecurityGroups[0]`).
        path: String,
        /// The missing logical id.
        target: String,
    },
    /// Resources that depend on each other in a ring: CloudFormation cannot order them.
    #[error("dependency cycle: {}", cycle.join(" → "))]
    Cycle {
        /// The ring, first id repeated at the end (`A → B → A`).
        cycle: Vec<String>,
    },
    /// A template read from JSON is not valid JSON.
    #[error("{source_name}: line {line}, column {column}: {message}")]
    Json {
        /// The file (or `<string>`).
        source_name: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's explanation.
        message: String,
    },
    /// A template read from JSON is valid JSON but not a CloudFormation template DCAF can read.
    #[error("{source_name}: {path}: {message}")]
    NotATemplate {
        /// The file (or `<string>`).
        source_name: String,
        /// Where (`Resources.Bucket.Type`).
        path: String,
        /// What is wrong.
        message: String,
    },
}
