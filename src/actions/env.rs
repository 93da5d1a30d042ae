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
/// The commit the workflow runs on.
pub const GITHUB_SHA: &str = "GITHUB_SHA";
/// The workflow run's id (links to `{server}/{repo}/actions/runs/{id}`).
pub const GITHUB_RUN_ID: &str = "GITHUB_RUN_ID";
/// Which attempt of the run this is (re-runs count up from 1).
pub const GITHUB_RUN_ATTEMPT: &str = "GITHUB_RUN_ATTEMPT";
/// GitHub's web address (`https://github.com`, or a GHES host).
pub const GITHUB_SERVER_URL: &str = "GITHUB_SERVER_URL";
/// The workflow's name.
pub const GITHUB_WORKFLOW: &str = "GITHUB_WORKFLOW";
/// Who triggered the run.
pub const GITHUB_ACTOR: &str = "GITHUB_ACTOR";

/// What the runner says about this run, read once in `main` (and nowhere
/// else) so that stages never read `GITHUB_*` variables mid-stage. Every
/// field is `None` when unset or empty (a local run has none of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunnerEnv {
    /// `owner/name` of the repository the workflow runs in.
    pub repository: Option<String>,
    /// The branch or tag the workflow runs on.
    pub ref_name: Option<String>,
    /// The pull request's head branch (pull_request events only).
    pub head_ref: Option<String>,
    pub sha: Option<String>,
    pub run_id: Option<String>,
    pub run_attempt: Option<String>,
    /// GitHub's web address; `https://github.com` when unset.
    pub server_url: Option<String>,
    /// GitHub's REST API; `https://api.github.com` when unset.
    pub api_url: Option<String>,
    pub workflow: Option<String>,
    pub actor: Option<String>,
    /// `GITHUB_TOKEN` from the environment (a local run's default token).
    pub token: Option<String>,
}

impl RunnerEnv {
    /// Reads every runner variable through `lookup` (one environment
    /// variable by name), treating empty as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name| lookup(name).filter(|v| !v.trim().is_empty());
        RunnerEnv {
            repository: get(GITHUB_REPOSITORY),
            ref_name: get(GITHUB_REF_NAME),
            head_ref: get(GITHUB_HEAD_REF),
            sha: get(GITHUB_SHA),
            run_id: get(GITHUB_RUN_ID),
            run_attempt: get(GITHUB_RUN_ATTEMPT),
            server_url: get(GITHUB_SERVER_URL),
            api_url: get(GITHUB_API_URL),
            workflow: get(GITHUB_WORKFLOW),
            actor: get(GITHUB_ACTOR),
            token: get(GITHUB_TOKEN),
        }
    }

    /// The branch a commit from this run goes to: the pull request's head
    /// branch, else the branch the workflow runs on.
    pub fn branch(&self) -> Option<&str> {
        self.head_ref.as_deref().or(self.ref_name.as_deref())
    }

    /// The run's web address, when the runner said enough to build it.
    pub fn run_url(&self) -> Option<String> {
        let server = self.server_url.as_deref().unwrap_or("https://github.com");
        Some(format!(
            "{}/{}/actions/runs/{}",
            server.trim_end_matches('/'),
            self.repository.as_deref()?,
            self.run_id.as_deref()?
        ))
    }
}

#[cfg(test)]
mod runner_env_tests {
    use super::*;

    #[test]
    fn empty_variables_count_as_unset_and_the_head_ref_wins() {
        let env = RunnerEnv::from_lookup(|name| match name {
            GITHUB_REPOSITORY => Some("acme/pets".into()),
            GITHUB_REF_NAME => Some("main".into()),
            GITHUB_HEAD_REF => Some(String::new()),
            GITHUB_RUN_ID => Some("42".into()),
            _ => None,
        });
        assert_eq!(env.branch(), Some("main"));
        assert_eq!(
            env.run_url().as_deref(),
            Some("https://github.com/acme/pets/actions/runs/42")
        );
        let pr = RunnerEnv {
            head_ref: Some("feature".into()),
            ..env
        };
        assert_eq!(pr.branch(), Some("feature"));
    }
}
