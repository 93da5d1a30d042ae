//! `downstream`: the raw arguments turned into a typed [`Request`]; nothing
//! after this sees `cli`, and nothing here reads the workspace.
//!
//! Which spec history and SDK folder depends on `apis:` in the config file:
//! the stage's `observe` reads it and [`Request::folders`] puts the
//! selected API's in place of the inputs.

use super::rollout::{self, RolloutRequest};
use crate::apis::Api;
use crate::cli::DownstreamArgs;
use crate::downstream::plan::TargetInputs;
use crate::downstream::rollout::decide::Control;
use crate::downstream::rollout::waves::WaveSpec;
use crate::layout::{Layout, display_path};
use crate::stages::Context;
use crate::stages::common::api::ApiChoice;
use crate::stages::common::github::GitHubAuth;
use crate::stages::common::inputs::non_blank;
use anyhow::{Result, bail};
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
    /// The config file in the workspace (`specrelay.yaml`), which may
    /// list `apis:` too.
    pub config: PathBuf,
    /// Input `api` and `openapi_dir`: the selected API's folders replace
    /// `openapi_dir` (see [`Request::folders`]).
    pub api: ApiChoice,
    /// Consumer repositories processed at the same time.
    pub concurrency: usize,
    pub github: GitHubAuth,
    /// A staged rollout (`waves` given), else every consumer at once.
    pub rollout: Option<RolloutRequest>,
}

/// The spec history and SDK folder of the run, as `observe` resolved them.
#[derive(Debug, Clone)]
pub struct Folders {
    /// The folder whose `typescript/` and `python/` SDKs are rolled out:
    /// the selected API's `sdk_dir`; `None`: `sdk`.
    pub sdk_dir: Option<PathBuf>,
    pub layout: Layout,
}

impl Folders {
    /// The history folder (`openapi`), where `rollouts/` and
    /// `known-good.json` live, as a repository path.
    pub fn history_dir(&self) -> String {
        display_path(self.layout.root())
    }
}

impl Request {
    /// With an API selected (`apis:` in the config file), its
    /// `openapi_dir` replaces input `openapi_dir` and its `sdk_dir` holds
    /// the SDKs to roll out.
    pub fn folders(&self, api: Option<Api>) -> Folders {
        match api {
            Some(api) => Folders {
                sdk_dir: Some(api.sdk_dir),
                layout: Layout::new(api.openapi_dir),
            },
            None => Folders {
                sdk_dir: None,
                layout: Layout::new(self.api.openapi_dir.clone()),
            },
        }
    }
}

/// The stage's first step (see [`shape`](crate::stages::shape)): the raw
/// arguments and the run's context -> the validated request.
pub fn request(args: DownstreamArgs, _ctx: &Context) -> Result<Request> {
    let rollout = rollout_request(&args)?;
    Ok(Request {
        rollout,
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
        api: ApiChoice {
            input: args.api,
            openapi_dir: args.openapi_dir,
        },
        concurrency: args.concurrency.max(1) as usize,
        github: GitHubAuth::from_args(args.github),
    })
}

/// The rollout inputs, validated; `None` without `waves`. Rollout inputs
/// given without `waves` are an error rather than silently ignored.
fn rollout_request(args: &DownstreamArgs) -> Result<Option<RolloutRequest>> {
    // A lag report needs no waves: it opens none.
    let report = args.rollout_action.trim() == "report";
    let waves = non_blank(args.waves.as_deref()).or(report.then_some("100"));
    let Some(waves) = waves else {
        if args.plan_only || args.shard.is_some() || args.rollout_action.trim() != "advance" {
            bail!(
                "rollout_action (but `report`), plan_only and shard need `waves` (a staged rollout)"
            );
        }
        return Ok(None);
    };
    if !(0.0..=1.0).contains(&args.max_failure_rate) {
        bail!(
            "max_failure_rate {} is not a share from 0 to 1",
            args.max_failure_rate
        );
    }
    let shard = non_blank(args.shard.as_deref())
        .map(rollout::parse_shard)
        .transpose()?;
    if shard.is_some() && args.plan_only {
        bail!("plan_only decides the wave and shard opens its share: give one of them");
    }
    Ok(Some(RolloutRequest {
        waves: WaveSpec::parse(waves)?,
        bake_time_secs: duration_secs(&args.bake_time)?,
        max_failure_rate: args.max_failure_rate,
        control: Control::parse(&args.rollout_action)?,
        auto_rollback: args.auto_rollback,
        plan_only: args.plan_only,
        shard,
    }))
}

/// `90s`, `30m`, `6h`, `1d`, or plain seconds.
pub fn duration_secs(text: &str) -> Result<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let factor = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => bail!("bake_time {text:?}: expected a number with s, m, h or d, e.g. 6h"),
    };
    let Ok(number) = number.parse::<u64>() else {
        bail!("bake_time {text:?}: expected a number with s, m, h or d, e.g. 6h");
    };
    Ok(number.saturating_mul(factor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bake_times() {
        assert_eq!(duration_secs("90s").unwrap(), 90);
        assert_eq!(duration_secs("30m").unwrap(), 1800);
        assert_eq!(duration_secs("6h").unwrap(), 21_600);
        assert_eq!(duration_secs("2d").unwrap(), 172_800);
        assert_eq!(duration_secs("45").unwrap(), 45);
        for bad in ["", "h", "1w", "-1h", "1.5h"] {
            assert!(duration_secs(bad).is_err(), "{bad}");
        }
    }
}
