//! `downstream`: the raw arguments turned into a typed [`Request`]; nothing
//! after this sees `cli`.

use crate::cli::DownstreamArgs;
use crate::downstream::plan::TargetInputs;
use crate::layout::Layout;
use crate::stages::common::github::GitHubAuth;
use std::path::PathBuf;

/// What one downstream run was asked to do.
#[derive(Debug)]
pub struct Request {
    /// `repositories`, `labels`, `reviewers` as given (they override the config file).
    pub repositories: Option<String>,
    pub labels: Option<String>,
    pub reviewers: Option<String>,
    /// Packages and versions given instead of the workspace SDKs'.
    pub targets: TargetInputs,
    /// The config file in the workspace (`specrelay.yaml`).
    pub config: PathBuf,
    /// Consumer repositories processed at the same time.
    pub concurrency: usize,
    pub layout: Layout,
    pub github: GitHubAuth,
}

pub fn build(args: DownstreamArgs) -> Request {
    Request {
        repositories: args.repositories,
        labels: args.labels,
        reviewers: args.reviewers,
        targets: TargetInputs {
            npm_package: args.npm_package,
            npm_version: args.npm_version,
            pypi_package: args.pypi_package,
            pypi_version: args.pypi_version,
        },
        config: args.config,
        concurrency: args.concurrency.max(1) as usize,
        layout: Layout::new(&args.openapi_dir),
        github: GitHubAuth::from_args(args.github),
    }
}
