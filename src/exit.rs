//! Exit codes, as DESIGN.md fixes them: 0 success (a graceful skip included),
//! 1 the input was rejected or a policy failed, 2 usage error, 3 an external
//! service failed after retries.

use crate::adapters::github::GitHubError;
use crate::adapters::github::commit::CommitError;
use crate::adapters::http::HttpError;
use crate::adapters::service_registry::RegistryError;
use crate::apis::ApisError;

pub const SUCCESS: u8 = 0;
pub const REJECTED: u8 = 1;
pub const USAGE: u8 = 2;
pub const SERVICE_FAILED: u8 = 3;

/// The exit code for a stage's error: 3 when a remote service is to blame,
/// 2 when the run named no API or an unknown one (`apis:`).
pub fn code_for(err: &anyhow::Error) -> u8 {
    if err.chain().any(|e| {
        e.downcast_ref::<ApisError>()
            .is_some_and(ApisError::is_usage)
    }) {
        return USAGE;
    }
    let service_failed = err.chain().any(|e| {
        e.downcast_ref::<HttpError>()
            .is_some_and(HttpError::is_service_failure)
            || e.downcast_ref::<GitHubError>()
                .is_some_and(GitHubError::is_service_failure)
            || e.downcast_ref::<CommitError>()
                .is_some_and(CommitError::is_service_failure)
            || e.downcast_ref::<RegistryError>()
                .is_some_and(RegistryError::is_service_failure)
    });
    if service_failed {
        SERVICE_FAILED
    } else {
        REJECTED
    }
}
