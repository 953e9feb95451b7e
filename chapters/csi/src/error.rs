//! The plugin's errors, one variant per gRPC status code the CSI spec asks for.
//!
//! The errors and their codes' names are plain data, so the lifecycle core uses
//! them on every target; turning them into a tonic `Status` is native only.

#[cfg(not(target_arch = "wasm32"))]
use tonic::{Code, Status};

/// What went wrong in an RPC, in the spec's vocabulary. Every variant carries a
/// message that names the field, the volume or the path involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PluginError {
    /// A required field is missing or malformed (gRPC 3).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The volume, node or path named in the request does not exist (gRPC 5).
    #[error("not found: {0}")]
    NotFound(String),
    /// A volume with that name exists with incompatible parameters, or a
    /// publish repeats with different settings (gRPC 6).
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// Out of capacity or attach slots (gRPC 8).
    #[error("resource exhausted: {0}")]
    ResourceExhausted(String),
    /// The volume is in a state that forbids the call, e.g. published on
    /// another node or still in use (gRPC 9).
    #[error("failed precondition: {0}")]
    FailedPrecondition(String),
    /// Another operation on the same volume is in flight, or a pagination
    /// token is not one this plugin issued (gRPC 10).
    #[error("aborted: {0}")]
    Aborted(String),
    /// The requested capacity range can't be satisfied (gRPC 11).
    #[error("out of range: {0}")]
    OutOfRange(String),
    /// The RPC exists in the spec but this plugin does not offer it (gRPC 12).
    #[error("unimplemented: {0}")]
    Unimplemented(String),
    /// The backend failed (file system, mount, state database) (gRPC 13).
    #[error("internal: {0}")]
    Internal(String),
}

impl PluginError {
    /// The spec's name for the gRPC status code this error travels as
    /// (`NOT_FOUND`, `FAILED_PRECONDITION`, …).
    pub fn code_name(&self) -> &'static str {
        match self {
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::AlreadyExists(_) => "ALREADY_EXISTS",
            Self::ResourceExhausted(_) => "RESOURCE_EXHAUSTED",
            Self::FailedPrecondition(_) => "FAILED_PRECONDITION",
            Self::Aborted(_) => "ABORTED",
            Self::OutOfRange(_) => "OUT_OF_RANGE",
            Self::Unimplemented(_) => "UNIMPLEMENTED",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The gRPC status code this error travels as.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn code(&self) -> Code {
        match self {
            Self::InvalidArgument(_) => Code::InvalidArgument,
            Self::NotFound(_) => Code::NotFound,
            Self::AlreadyExists(_) => Code::AlreadyExists,
            Self::ResourceExhausted(_) => Code::ResourceExhausted,
            Self::FailedPrecondition(_) => Code::FailedPrecondition,
            Self::Aborted(_) => Code::Aborted,
            Self::OutOfRange(_) => Code::OutOfRange,
            Self::Unimplemented(_) => Code::Unimplemented,
            Self::Internal(_) => Code::Internal,
        }
    }

    /// The message without the code prefix.
    pub fn message(&self) -> &str {
        match self {
            Self::InvalidArgument(m)
            | Self::NotFound(m)
            | Self::AlreadyExists(m)
            | Self::ResourceExhausted(m)
            | Self::FailedPrecondition(m)
            | Self::Aborted(m)
            | Self::OutOfRange(m)
            | Self::Unimplemented(m)
            | Self::Internal(m) => m,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl From<PluginError> for Status {
    fn from(e: PluginError) -> Self {
        Status::new(e.code(), e.message().to_string())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl From<rusqlite::Error> for PluginError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(format!("state database: {e}"))
    }
}

/// The spec's name for a gRPC code, as the page prints it (`OK`, `NOT_FOUND`, …).
#[cfg(not(target_arch = "wasm32"))]
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_match_the_grpc_codes() {
        let all = [
            PluginError::InvalidArgument(String::new()),
            PluginError::NotFound(String::new()),
            PluginError::AlreadyExists(String::new()),
            PluginError::ResourceExhausted(String::new()),
            PluginError::FailedPrecondition(String::new()),
            PluginError::Aborted(String::new()),
            PluginError::OutOfRange(String::new()),
            PluginError::Unimplemented(String::new()),
            PluginError::Internal(String::new()),
        ];
        for e in all {
            assert_eq!(e.code_name(), code_name(e.code()), "{e:?}");
        }
    }
}
