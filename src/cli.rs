//! The command line: one `Args` struct per stage. Every flag is also an action
//! input of the same name in snake_case (`--max-spec-bytes` = input
//! `max_spec_bytes` = env `INPUT_MAX_SPEC_BYTES`), see `actions::inputs`.
//!
//! Values here are raw; each stage turns them into a validated request once.

use crate::actions::runtime::OutputFormat;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Inputs whose values are secrets: masked in the log as soon as they are read.
pub const SECRET_INPUTS: &[&str] = &[
    "download_token",
    "npm_token",
    "pypi_token",
    "github_token",
    "app_private_key",
    "registry_token",
];

#[derive(Debug, Parser)]
#[command(
    name = "specrelay",
    version,
    about = "Carries an OpenAPI contract from its producer to everything that depends on it.",
    long_about = "Carries an OpenAPI contract from its producer to everything that depends on it.\n\n\
        Each invocation runs one stage. On GitHub Actions every flag can also be given as the \
        action input of the same name in snake_case (input `stage` selects the stage)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub stage: StageArgs,
}

/// Flags every stage takes; `specrelay <stage> -h` lists them under their own heading.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The repository to read and write [default: $GITHUB_WORKSPACE, else the current directory].
    #[arg(long, global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// How to show outputs on a local run: `json` prints them as one object on stdout (with
    /// the stage's report, if any, under `report`: stdout is always one document).
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub output: OutputFormat,

    /// A folder whose files override the built-in templates of the same relative path
    /// (for example `reports/ingest-summary.md.j2`).
    #[arg(long, global = true, value_name = "DIR")]
    pub templates_dir: Option<PathBuf>,
}

/// `--dry-run`, only on the stages that change something: `diff` and `rules`
/// only read, and a flag there would promise something it cannot keep.
#[derive(Debug, Clone, Args)]
pub struct DryRunArgs {
    /// Decide everything and print the plan, but change nothing.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum StageArgs {
    /// Validate a spec announcement, download and verify the spec, store it immutably,
    /// and diff it against the previous version.
    Ingest(Box<IngestArgs>),
    /// Check two specs for breaking changes (for pull requests).
    Diff(DiffArgs),
    /// Generate the TypeScript and Python SDKs from a spec; `--check` fails when the committed
    /// SDKs drifted.
    Generate(GenerateArgs),
    /// Build the npm and Python packages from the generated SDKs and publish the versions
    /// the registries do not have yet; a re-run finishes what a failed run left.
    Publish(Box<PublishArgs>),
    /// Open (or update in place) one pull request per consumer repository that bumps its
    /// dependency on the published SDKs.
    Downstream(Box<DownstreamArgs>),
    /// In the producer's repository: announce a spec version to consumer repositories
    /// (`repository_dispatch`), with its checksum and the change type its diff implies.
    Dispatch(Box<DispatchArgs>),
    /// Register this service in the service registry after a deploy, verify it is healthy
    /// and discoverable, and mark it active; `--check-only` is the pre-deploy gate.
    Register(Box<RegisterArgs>),
    /// Check every registered service (health, version drift, route conflicts, MCP tools),
    /// record their status, and keep one GitHub issue current; shardable.
    Reconcile(Box<ReconcileArgs>),
    /// Find the integrations the front end declares (`data-integration`), validate them
    /// against the manifests in `integrations/`, and generate their typed configuration.
    Discover(DiscoverArgs),
    /// List the diff rules: id, level and why (the rule catalogue).
    Rules(RulesArgs),
}

impl StageArgs {
    /// Whether this run only describes its plan (`diff` and `rules` have no `--dry-run`).
    pub fn dry_run(&self) -> bool {
        match self {
            StageArgs::Ingest(args) => args.dry_run.dry_run,
            StageArgs::Generate(args) => args.dry_run.dry_run,
            StageArgs::Publish(args) => args.dry_run.dry_run,
            StageArgs::Downstream(args) => args.dry_run.dry_run,
            StageArgs::Dispatch(args) => args.dry_run.dry_run,
            StageArgs::Register(args) => args.dry_run.dry_run,
            StageArgs::Reconcile(args) => args.dry_run.dry_run,
            StageArgs::Discover(args) => args.dry_run.dry_run,
            StageArgs::Diff(_) | StageArgs::Rules(_) => false,
        }
    }
}

/// `specrelay rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// `text` (one rule per line: id, level, rationale) or `json` (every field).
    #[arg(long, value_enum, default_value = "text")]
    pub format: RulesFormat,
}

/// `rules --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

/// How to reach GitHub's API (its URL comes from $GITHUB_API_URL).
#[derive(Debug, Clone, Args)]
pub struct GitHubArgs {
    /// Token for GitHub's API (contents: write; pull-requests: write for downstream)
    /// [default: $GITHUB_TOKEN].
    #[arg(long, env = crate::actions::env::GITHUB_TOKEN, hide_env_values = true)]
    pub github_token: Option<String>,

    /// A GitHub App's id; with `app_private_key`, the app's installation token is used
    /// instead of `github_token`.
    #[arg(long, requires = "app_private_key")]
    pub app_id: Option<String>,

    /// The GitHub App's private key (PEM), to sign the JWT that obtains an installation token.
    #[arg(long, requires = "app_id", hide_env_values = true)]
    pub app_private_key: Option<String>,

    /// Attempts per GitHub request, for 5xx answers; rate limits are waited out (1-20).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub github_max_attempts: u32,
}

/// `ingest --commit`, `generate --commit`.
#[derive(Debug, Clone, Args)]
pub struct CommitArgs {
    /// Also commit the files written to the workflow's branch ($GITHUB_REF_NAME, or
    /// $GITHUB_HEAD_REF in a pull request) of $GITHUB_REPOSITORY through GitHub's API,
    /// as one commit; a race with another push is re-applied on the new head.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub commit: bool,

    #[command(flatten)]
    pub github: GitHubArgs,
}

#[derive(Debug, Args)]
pub struct DownstreamArgs {
    /// Consumer repositories, `owner/name`, comma- or newline-separated
    /// [default: `downstream.repositories` in specrelay.yaml].
    #[arg(long)]
    pub repositories: Option<String>,

    /// Labels for every pull request (replaces specrelay.yaml's `downstream.labels`).
    #[arg(long)]
    pub labels: Option<String>,

    /// Reviewers for every pull request: users, and teams as `org/team`
    /// (replaces specrelay.yaml's `downstream.reviewers`).
    #[arg(long)]
    pub reviewers: Option<String>,

    /// The npm package to bump [default: the name in sdk/typescript/package.json].
    #[arg(long)]
    pub npm_package: Option<String>,

    /// The npm version to bump to [default: the version in sdk/typescript/package.json].
    #[arg(long)]
    pub npm_version: Option<String>,

    /// The Python distribution to bump [default: the name in sdk/python/pyproject.toml].
    #[arg(long)]
    pub pypi_package: Option<String>,

    /// The Python version to bump to [default: the version in sdk/python/pyproject.toml].
    #[arg(long)]
    pub pypi_version: Option<String>,

    /// The config file in the workspace that may list consumers under `downstream:`.
    #[arg(long, default_value = "specrelay.yaml")]
    pub config: PathBuf,

    /// Consumer repositories processed at the same time (1-16).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub concurrency: u32,

    /// Folder in the workspace that holds the spec history (latest.json, migration notes
    /// and the changelog feed the pull request body).
    #[arg(long, default_value = "openapi")]
    pub openapi_dir: PathBuf,

    /// Staged rollout: cumulative percentages of consumers per wave, e.g. `1,10,50,100`
    /// (consumers marked `canary` first). Empty: every consumer at once. The rollout's
    /// state is committed to $GITHUB_REPOSITORY under `openapi/rollouts/`.
    #[arg(long)]
    pub waves: Option<String>,

    /// Staged rollout: how long a wave must stay healthy before the next opens
    /// (`90s`, `30m`, `6h`, `1d`, or seconds).
    #[arg(long, default_value = "1h")]
    pub bake_time: String,

    /// Staged rollout: the share of a wave's pull requests that may fail their checks
    /// (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub max_failure_rate: f64,

    /// Staged rollout: `advance` (evaluate the gate, open the next wave), `pause`,
    /// `resume`, `abort` (close the open pull requests) or `rollback`.
    #[arg(long, default_value = "advance")]
    pub rollout_action: String,

    /// Staged rollout: when a gate fails after earlier waves merged, roll back at once.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub auto_rollback: bool,

    /// Staged rollout: decide and claim the next wave, print its shards as the
    /// `matrix` output, and open no pull request (each shard job runs with `shard`).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub plan_only: bool,

    /// Staged rollout: `k/n` opens only shard k of n of the current wave's pull requests.
    #[arg(long)]
    pub shard: Option<String>,

    /// Which API of specrelay.yaml's `apis:` to work on: its `openapi_dir` and
    /// `sdk_dir` (the SDKs rolled out) replace the folder inputs. Overrides `client_payload.api` [default: the only API listed;
    /// ignored without `apis:`].
    #[arg(long)]
    pub api: Option<String>,

    #[command(flatten)]
    pub github: GitHubArgs,

    #[command(flatten)]
    pub dry_run: DryRunArgs,
}

#[derive(Debug, Args)]
pub struct DispatchArgs {
    /// The spec file to announce, in the workspace.
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,

    /// Consumer repositories to notify, `owner/name`, comma- or newline-separated.
    #[arg(long)]
    pub repositories: String,

    /// The version to announce (semver) [default: the spec's info.version].
    #[arg(long)]
    pub version: Option<String>,

    /// The last announced version, to diff against: a file in the workspace, `git:REV:PATH`,
    /// an https URL, or `repo:OWNER/NAME` for that consumer's openapi/latest.json read
    /// through GitHub's API [default: `repo:` the first of `repositories`].
    #[arg(long)]
    pub baseline: Option<String>,

    /// Where consumers download the spec; `{repository}`, `{sha}`, `{path}` and `{version}`
    /// are filled in [default: the raw file at $GITHUB_SHA on $GITHUB_SERVER_URL].
    #[arg(long)]
    pub download_url: Option<String>,

    /// The API this spec is, when a consumer keeps several (`apis:` in its specrelay.yaml).
    #[arg(long)]
    pub api: Option<String>,

    /// Ties this run to the consumers' runs [default: `owner/name:RUN_ID.ATTEMPT:CHECKSUM12`].
    #[arg(long)]
    pub correlation_id: Option<String>,

    /// The producer repository named in the announcement [default: $GITHUB_REPOSITORY].
    #[arg(long)]
    pub source_repo: Option<String>,

    /// The `repository_dispatch` event type sent.
    #[arg(long, default_value = "openapi_spec_updated")]
    pub event_type: String,

    /// Whether the version bump must cover what the diff finds, as consumers check it:
    /// `enforce` refuses to announce, `warn` annotates, `off` skips the check.
    #[arg(long, value_enum, default_value = "enforce")]
    pub semver_policy: SemverPolicyArg,

    /// The folder in a consumer repository that holds its spec history (for `repo:` baselines).
    #[arg(long, default_value = "openapi")]
    pub openapi_dir: PathBuf,

    /// Largest spec file accepted, in bytes.
    #[arg(long, default_value_t = 50 * 1024 * 1024)]
    pub max_spec_bytes: u64,

    #[command(flatten)]
    pub github: GitHubArgs,

    #[command(flatten)]
    pub dry_run: DryRunArgs,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The spec's version (semver). Overrides `client_payload.version` of the event.
    #[arg(long)]
    pub version: Option<String>,

    /// SHA-256 (64 hex digits) of the spec file exactly as downloaded.
    /// Overrides `client_payload.checksum`.
    #[arg(long)]
    pub checksum: Option<String>,

    /// What the producer says changed: major, minor or patch.
    /// Overrides `client_payload.change_type`.
    #[arg(long)]
    pub change_type: Option<String>,

    /// Where to download the spec (https). Overrides `client_payload.download_url`.
    #[arg(long)]
    pub download_url: Option<String>,

    /// The producer repository, `owner/name`. Overrides `client_payload.source_repo`.
    #[arg(long)]
    pub source_repo: Option<String>,

    /// The `repository_dispatch` event type this stage accepts.
    #[arg(long, default_value = "openapi_spec_updated")]
    pub event_type: String,

    /// Hosts `download_url` may point at (comma- or newline-separated; `*.example.com` allowed).
    /// Empty: any public host.
    #[arg(long)]
    pub allowed_hosts: Option<String>,

    /// Producer repositories accepted in `source_repo` (comma- or newline-separated).
    /// Empty: any.
    #[arg(long)]
    pub allowed_source_repos: Option<String>,

    /// Accept a version lower than or equal to the latest stored one.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub allow_older: bool,

    /// Accept plain `http:` download URLs.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub allow_http: bool,

    /// Accept `file:` download URLs (for local runs).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub allow_file_urls: bool,

    /// Allow downloads from loopback, private and link-local addresses.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub allow_private_network: bool,

    /// Largest spec accepted, in bytes; enforced while downloading.
    #[arg(long, default_value_t = 50 * 1024 * 1024)]
    pub max_spec_bytes: u64,

    /// Seconds one download attempt may take in all.
    #[arg(long, default_value_t = 60)]
    pub download_timeout: u64,

    /// Attempts per download, for 429, 5xx, timeouts and dropped connections.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,

    /// Bearer token sent with the download, to the download URL's origin only.
    #[arg(long, hide_env_values = true)]
    pub download_token: Option<String>,

    /// Folder in the workspace that holds the spec history.
    #[arg(long, default_value = "openapi")]
    pub openapi_dir: PathBuf,

    /// Whether the declared change_type and version bump must cover what the diff finds:
    /// `enforce` fails ingest, `warn` annotates, `off` skips the check.
    #[arg(long, value_enum, default_value = "enforce")]
    pub semver_policy: SemverPolicyArg,

    /// When the announced version is not the spec's info.version: `warn` annotates and stores
    /// the announced version (which every later stage uses), `fail` stores nothing.
    #[arg(long, value_enum, default_value = "warn")]
    pub version_mismatch: VersionMismatchArg,

    /// Findings to accept, with reasons [default: .specrelay-ignore, if present].
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,

    /// The changelog that gets one entry per version, relative to the workspace.
    #[arg(long, default_value = "CHANGELOG.md")]
    pub changelog_path: PathBuf,

    /// Ties this run to the producer's (`dispatch`) run; echoed in the outputs and summary.
    /// Overrides `client_payload.correlation_id`.
    #[arg(long)]
    pub correlation_id: Option<String>,

    /// How the producer learns of a rejected announcement (checksum mismatch, invalid spec,
    /// semver violation): `issue` opens (or edits) one issue in `source_repo`, `dispatch` sends
    /// it `openapi_spec_rejected` with the reason, `off` only fails here.
    #[arg(long, value_enum, default_value = "off")]
    pub notify_source: NotifySource,

    /// Which API of specrelay.yaml's `apis:` this is; its `openapi_dir` is used.
    /// Overrides `client_payload.api` [default: the only API listed].
    #[arg(long)]
    pub api: Option<String>,

    #[command(flatten)]
    pub commit: CommitArgs,

    /// Also tag the commit that `--commit` makes (a lightweight tag, through GitHub's API).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub tag: bool,

    /// The tag's name; `{version}` is replaced by the stored version.
    #[arg(long, default_value = "openapi-v{version}")]
    pub tag_format: String,

    #[command(flatten)]
    pub dry_run: DryRunArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The spec before the change: a path in the workspace, or git:REV:PATH.
    #[arg(long)]
    pub base: String,

    /// The spec after the change: a path in the workspace, or git:REV:PATH.
    #[arg(long)]
    pub revision: String,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,

    /// The lowest level of finding that fails the step.
    #[arg(long, value_enum, default_value = "breaking")]
    pub fail_on: FailOn,

    /// Findings to accept, with reasons [default: .specrelay-ignore, if present].
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,

    /// Largest spec file accepted, in bytes.
    #[arg(long, default_value_t = 50 * 1024 * 1024)]
    pub max_spec_bytes: u64,

    /// Turn every warning about either spec into an error. By default only
    /// problems that make a spec meaningless (unreadable, not OpenAPI, a
    /// `$ref` cycle) fail; other defects are warnings with a documented
    /// fallback (`spec::policy`), so a lint problem does not hide a breaking
    /// change.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The spec to generate from [default: the one openapi/latest.json points at].
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,

    /// The folder that receives one folder per language (`sdk/typescript/`, `sdk/python/`);
    /// the same flag as `publish --sdk-dir`. (`--output` is another thing: how outputs show.)
    #[arg(long, default_value = "sdk", value_name = "DIR")]
    pub sdk_dir: PathBuf,

    /// The SDKs to generate, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "typescript,python"
    )]
    pub languages: Vec<SdkLanguage>,

    /// The npm package name [default: derived from the API's title].
    #[arg(long)]
    pub package_name: Option<String>,

    /// The Python distribution name on PyPI, normalised as PEP 503 says (`Acme_Pets` ->
    /// `acme-pets`); the import name is derived from it (`acme_pets`) [default: derived from
    /// the API's title].
    #[arg(long)]
    pub python_package_name: Option<String>,

    /// The package version [default: the spec's info.version]; the Python package gets it
    /// in PEP 440 spelling (`1.2.0-beta.1` -> `1.2.0b1`).
    #[arg(long)]
    pub version: Option<String>,

    /// Regenerate in memory and fail, listing the files, if the SDK on disk differs.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub check: bool,

    /// Turn every warning about the spec into an error. By default a defect a
    /// client can survive (an undefined security scheme, an empty version, a
    /// `$ref` to nothing, a duplicate operationId, an unknown format) is a
    /// warning with a documented fallback (`spec::policy`).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub strict: bool,

    /// Folder in the workspace that holds the spec history.
    #[arg(long, default_value = "openapi")]
    pub openapi_dir: PathBuf,

    /// Largest spec file accepted, in bytes.
    #[arg(long, default_value_t = 50 * 1024 * 1024)]
    pub max_spec_bytes: u64,

    /// Which API of specrelay.yaml's `apis:` to work on: its `openapi_dir`,
    /// `sdk_dir` and package names replace the folder inputs. Overrides `client_payload.api` [default: the only API listed;
    /// ignored without `apis:`].
    #[arg(long)]
    pub api: Option<String>,

    #[command(flatten)]
    pub commit: CommitArgs,

    #[command(flatten)]
    pub dry_run: DryRunArgs,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The folder that holds one folder per language (`sdk/typescript/`, `sdk/python/`).
    #[arg(long, default_value = "sdk")]
    pub sdk_dir: PathBuf,

    /// Where to publish: `npm`, `pypi`, or both, comma-separated
    /// [default: each registry whose SDK folder exists].
    #[arg(long)]
    pub registries: Option<String>,

    /// The npm registry [default: $NPM_CONFIG_REGISTRY, else the npmrc's, else
    /// https://registry.npmjs.org/].
    #[arg(long, env = crate::actions::env::NPM_CONFIG_REGISTRY)]
    pub npm_registry_url: Option<String>,

    /// The npm token, sent as a bearer token to the npm registry only [default:
    /// $NODE_AUTH_TOKEN, else the npmrc's `_authToken` for the registry].
    #[arg(long, env = crate::actions::env::NODE_AUTH_TOKEN, hide_env_values = true)]
    pub npm_token: Option<String>,

    /// An `.npmrc` whose `registry`/`@scope:registry` and `_authToken` settings apply when
    /// the inputs above are not given [default: $NPM_CONFIG_USERCONFIG].
    #[arg(long, env = crate::actions::env::NPM_CONFIG_USERCONFIG, value_name = "FILE")]
    pub npm_userconfig: Option<PathBuf>,

    /// The dist-tag [default: `latest`, or `next` for a pre-release].
    #[arg(long)]
    pub npm_tag: Option<String>,

    /// Who may install a scoped package: `public` or `restricted` [default: the registry's].
    #[arg(long, value_enum)]
    pub npm_access: Option<NpmAccess>,

    /// The index's legacy upload URL.
    #[arg(long, default_value = "https://upload.pypi.org/legacy/")]
    pub pypi_repository_url: String,

    /// The index's simple pages, to check what is there
    /// [default: PyPI's and TestPyPI's own, else `simple/` under the upload URL].
    #[arg(long)]
    pub pypi_index_url: Option<String>,

    /// The PyPI API token (or the password of `pypi_username`).
    #[arg(long, hide_env_values = true)]
    pub pypi_token: Option<String>,

    /// The index's trusted-publishing API, used when no pypi_token is given and the job
    /// may request an OIDC token [default: PyPI's or TestPyPI's, else `/_/oidc/` at the
    /// upload URL's origin].
    #[arg(long)]
    pub pypi_oidc_url: Option<String>,

    /// The upload user name; PyPI API tokens use `__token__`.
    #[arg(long, default_value = "__token__")]
    pub pypi_username: String,

    /// Folder in the workspace that holds the spec history (its latest.json's
    /// ingest time stamps the packages when SOURCE_DATE_EPOCH is unset).
    #[arg(long, default_value = "openapi")]
    pub openapi_dir: PathBuf,

    /// Accept plain `http:` registry URLs.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub allow_http: bool,

    /// Allow registries on loopback, private and link-local addresses.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub allow_private_network: bool,

    /// Upload attempts per package file, for 429, 5xx, timeouts and dropped connections.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,

    /// Seconds one upload attempt may take in all.
    #[arg(long, default_value_t = 300)]
    pub upload_timeout: u64,

    /// Seconds after the first upload of a file after which no retry starts.
    #[arg(long, default_value_t = 900)]
    pub publish_deadline: u64,

    /// Which API of specrelay.yaml's `apis:` to work on: its `sdk_dir` and
    /// `openapi_dir` replace the folder inputs, and its `npm_package` must be the
    /// one found. Overrides `client_payload.api` [default: the only API listed;
    /// ignored without `apis:`].
    #[arg(long)]
    pub api: Option<String>,

    #[command(flatten)]
    pub dry_run: DryRunArgs,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The front-end sources to scan: globs as .gitignore lines, comma- or
    /// newline-separated (`src/**`, `*.vue`, `!legacy/`); only .html, .htm, .jsx, .tsx,
    /// .vue and .svelte files are read, .gitignore'd ones never [default: the whole workspace].
    #[arg(long)]
    pub paths: Option<String>,

    /// The folder of integration manifests (`<name>.yaml`).
    #[arg(long, default_value = "integrations")]
    pub manifests_dir: PathBuf,

    /// Where to write the discovery map (JSON).
    #[arg(long, default_value = "integrations/discovery-map.json")]
    pub discovery_map_path: PathBuf,

    /// Where to write the validation result (JSON).
    #[arg(long, default_value = "integrations/validation.json")]
    pub validation_path: PathBuf,

    /// The folder that receives integration-config.ts and IntegrationProvider.tsx.
    #[arg(long, default_value = "src/integrations")]
    pub config_dir: PathBuf,

    /// Write a stub manifest, with TODO markers, for each integration that has none
    /// (never over an existing file).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub write_stubs: bool,

    /// Largest source file scanned, in bytes; larger ones are reported and skipped.
    #[arg(long, default_value_t = 5 * 1024 * 1024)]
    pub max_file_bytes: u64,

    /// Regenerate the configuration in memory and fail, listing the files, if the files in
    /// `config_dir` are stale; writes nothing.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub check: bool,

    /// Largest provider spec (a manifest's `api.spec`) read, in bytes.
    #[arg(long, default_value_t = 50 * 1024 * 1024)]
    pub max_spec_bytes: u64,

    #[command(flatten)]
    pub dry_run: DryRunArgs,
}

/// `publish --npm-access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NpmAccess {
    Public,
    Restricted,
}

/// `ingest --semver-policy` (the stage maps it to its own policy type, so
/// that the pure type does not depend on clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SemverPolicyArg {
    /// A violation fails ingest and writes nothing.
    Enforce,
    /// A violation is a warning.
    Warn,
    /// Not checked.
    Off,
}

/// `ingest --version-mismatch` (mapped to the stage's own type, as above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VersionMismatchArg {
    /// A warning; the announced version is stored and used from then on.
    Warn,
    /// Ingest fails and writes nothing.
    Fail,
}

/// `ingest --notify-source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NotifySource {
    Issue,
    Dispatch,
    Off,
}

/// `generate --languages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum SdkLanguage {
    Typescript,
    Python,
}

/// `diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Grouped by level and operation.
    Markdown,
    /// The stable JSON shape documented in `diff::render_json`.
    Json,
    /// GitHub workflow commands, one per finding.
    Annotations,
}

/// `diff --fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Breaking,
    Warning,
    None,
}

/// `register --registry`, `reconcile --registry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegistryKind {
    /// A catalog file (`registry_file`), in the workspace or in `registry_repository`.
    File,
    /// A server implementing contracts/registry.yaml at `registry_url`.
    Http,
}

/// Where the service registry is (`register`, `reconcile`).
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// The registry backend: `file` (a catalog file; nothing to run) or `http`.
    #[arg(long, value_enum, default_value = "file")]
    pub registry: RegistryKind,

    /// The catalog file, shaped like the `GET /api/services` answer.
    #[arg(long, default_value = "registry/services.json")]
    pub registry_file: PathBuf,

    /// `owner/name`: read and commit the catalog file in this repository through GitHub's
    /// API instead of the workspace.
    #[arg(long)]
    pub registry_repository: Option<String>,

    /// The branch of `registry_repository` [default: its default branch].
    #[arg(long)]
    pub registry_branch: Option<String>,

    /// The registry server's base URL (`registry: http`).
    #[arg(long)]
    pub registry_url: Option<String>,

    /// Bearer token for the registry server, sent to its origin only.
    #[arg(long, hide_env_values = true)]
    pub registry_token: Option<String>,

    /// The registration path under `registry_url`.
    #[arg(long, default_value = "/api/register")]
    pub register_path: String,

    /// The service list path under `registry_url`.
    #[arg(long, default_value = "/api/services")]
    pub services_path: String,

    /// One service's path under `registry_url`; `{name}` is the service's name.
    #[arg(long, default_value = "/api/services/{name}")]
    pub service_path: String,

    /// The status path under `registry_url`; `{name}` is the service's name.
    #[arg(long, default_value = "/api/services/{name}/status")]
    pub status_path: String,

    /// The discovery document [default: `/.well-known/services.json` under `registry_url`
    /// for `registry: http`; none for `registry: file`].
    #[arg(long)]
    pub discovery_url: Option<String>,

    /// Largest registry answer accepted, in bytes.
    #[arg(long, default_value_t = 32 * 1024 * 1024)]
    pub max_registry_bytes: u64,

    /// Seconds one request to the registry may take.
    #[arg(long, default_value_t = 30)]
    pub registry_timeout: u64,

    /// Accept plain `http:` registry and service URLs.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub allow_http: bool,

    /// Allow registries and services on loopback, private and link-local addresses.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub allow_private_network: bool,

    #[command(flatten)]
    pub github: GitHubArgs,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The service's name [default: the repository's name, lowercased].
    #[arg(long)]
    pub service_name: Option<String>,

    /// The service's base URL; the health endpoint defaults to `{service_url}/health`.
    #[arg(long)]
    pub service_url: Option<String>,

    /// The deployed version [default: from package.json, Cargo.toml or pyproject.toml].
    #[arg(long)]
    pub service_version: Option<String>,

    /// A description [default: from the same manifest].
    #[arg(long)]
    pub service_description: Option<String>,

    /// Endpoints as a YAML or JSON mapping (`health: https://...`, `api: ...`, `mcp: ...`).
    #[arg(long)]
    pub endpoints: Option<String>,

    /// Capabilities, comma- or newline-separated.
    #[arg(long)]
    pub capabilities: Option<String>,

    /// Route prefixes the service answers under, comma- or newline-separated.
    #[arg(long)]
    pub routes: Option<String>,

    /// Seconds to wait for the service to be healthy and discoverable (caches take minutes).
    #[arg(long, default_value_t = 300)]
    pub verify_timeout: u64,

    /// Fail the step when registration or verification fails; by default failures are
    /// warnings and the outputs say what failed.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub fail_on_error: bool,

    /// The pre-deploy gate: check that the registry is reachable and the discovery document
    /// readable, and whether the service is registered; writes nothing.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub check_only: bool,

    #[command(flatten)]
    pub registry: RegistryArgs,

    #[command(flatten)]
    pub dry_run: DryRunArgs,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Services checked at the same time (1-1024).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,

    /// Seconds one health request may take; a failed check is retried once.
    #[arg(long, default_value_t = 10)]
    pub check_timeout: u64,

    /// Record each service's status (`active`, `degraded`, `inactive`) in the registry.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "true", value_name = "BOOL")]
    pub update_status: bool,

    /// Also check each service through a proxy: a URL with `{name}`.
    #[arg(long)]
    pub proxy_url_template: Option<String>,

    /// POSTed once after the statuses are recorded, to refresh a discovery cache.
    #[arg(long)]
    pub discovery_refresh_url: Option<String>,

    /// Where to write the JSON report, relative to the workspace.
    #[arg(long, default_value = "reconcile-report.json")]
    pub report_path: PathBuf,

    /// `owner/name` of the repository that gets the issue [default: $GITHUB_REPOSITORY];
    /// `none` for no issue.
    #[arg(long)]
    pub issue_repository: Option<String>,

    /// `k/n`: check only the k-th of n stable shares of the services (by name hash).
    #[arg(long)]
    pub shard: Option<String>,

    /// A glob of shard reports (`reports/*.json`) to merge into one report, summary and
    /// issue, instead of checking.
    #[arg(long)]
    pub merge_reports: Option<String>,

    /// Exit 1 when any service is unhealthy, degraded, drifting or in a route conflict.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub fail_on_problems: bool,

    #[command(flatten)]
    pub registry: RegistryArgs,

    #[command(flatten)]
    pub dry_run: DryRunArgs,
}
