//! Every environment variable specrelay reads, named once.
//!
//! Only `main` and the runtime read these; pure modules get values passed in.
//! The one exception is [`var`], for variables a user's own configuration
//! names (`${NAME}` in an `.npmrc`).

/// Set to `true` by the runner for every step.
pub const GITHUB_ACTIONS: &str = "GITHUB_ACTIONS";
/// File that receives step outputs (`name<<DELIMITER` form).
pub const GITHUB_OUTPUT: &str = "GITHUB_OUTPUT";
/// File that receives the Markdown job summary.
pub const GITHUB_STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";
/// JSON file with the webhook payload of the triggering event.
pub const GITHUB_EVENT_PATH: &str = "GITHUB_EVENT_PATH";
/// Name of the triggering event (`repository_dispatch`, `workflow_dispatch`, ...).
pub const GITHUB_EVENT_NAME: &str = "GITHUB_EVENT_NAME";
/// The checked-out repository.
pub const GITHUB_WORKSPACE: &str = "GITHUB_WORKSPACE";
/// Reproducible-builds convention: the only source of "now" when set.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";
/// Log filter for local debugging (`debug`, `specrelay=trace`, ...).
pub const SPECRELAY_LOG: &str = "SPECRELAY_LOG";
/// Prefix of action inputs: input `spec_path` arrives as `INPUT_SPEC_PATH`.
pub const INPUT_PREFIX: &str = "INPUT_";
/// The Actions runtime's OIDC token endpoint; set when the job has
/// `permissions: id-token: write`.
pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// The bearer token for [`ACTIONS_ID_TOKEN_REQUEST_URL`].
pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// GitHub's REST API; GitHub Enterprise Server sets its own.
pub const GITHUB_API_URL: &str = "GITHUB_API_URL";
/// `owner/name` of the repository the workflow runs in.
pub const GITHUB_REPOSITORY: &str = "GITHUB_REPOSITORY";
/// The branch (or tag) the workflow runs on.
pub const GITHUB_REF_NAME: &str = "GITHUB_REF_NAME";
/// The pull request's head branch, set on `pull_request` events only.
pub const GITHUB_HEAD_REF: &str = "GITHUB_HEAD_REF";
/// A token for GitHub's API, for local runs (`github_token` wins).
pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
/// npm's registry setting, as `actions/setup-node` and users set it.
pub const NPM_CONFIG_REGISTRY: &str = "NPM_CONFIG_REGISTRY";
/// The npm token `actions/setup-node`'s `.npmrc` refers to.
pub const NODE_AUTH_TOKEN: &str = "NODE_AUTH_TOKEN";
/// The npm user configuration file (`.npmrc`), as `actions/setup-node` sets it.
pub const NPM_CONFIG_USERCONFIG: &str = "NPM_CONFIG_USERCONFIG";

/// A variable named by the user's configuration rather than by specrelay
/// (`${NODE_AUTH_TOKEN}` in an `.npmrc`); empty counts as unset.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
