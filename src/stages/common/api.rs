//! Which API of `specrelay.yaml`'s `apis:` a run works on: input `api`,
//! else the triggering announcement's `client_payload.api` (every job of a
//! `repository_dispatch` run sees the same event), else the only API listed.
//! `None` in a zero-config repository: every stage then keeps its own
//! folder inputs, unchanged.

use crate::apis::{self, Api};
use crate::layout::Layout;
use crate::stages::Context;
use anyhow::{Context as _, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The config file that may list `apis:`, in the workspace.
pub const CONFIG: &str = "specrelay.yaml";

/// Input `api` and the `openapi_dir` input that the selected API's folder
/// replaces, as a request holds them: nothing is read until `observe`.
#[derive(Debug, Clone)]
pub struct ApiChoice {
    pub input: Option<String>,
    pub openapi_dir: PathBuf,
}

/// The spec history a run works on, as `observe` resolved it: the selected
/// API's (named, passed on as output `api`), else input `openapi_dir`'s.
#[derive(Debug, Clone)]
pub struct SpecHistory {
    pub api: Option<String>,
    pub layout: Layout,
}

impl ApiChoice {
    /// The selected API, read from the workspace's `specrelay.yaml`.
    pub fn select(&self, ctx: &Context) -> Result<Option<Api>> {
        self.select_in(Path::new(CONFIG), ctx)
    }

    /// The selected API, read from `config` in the workspace (a stage whose
    /// config file is an input reads `apis:` from that same file).
    pub fn select_in(&self, config: &Path, ctx: &Context) -> Result<Option<Api>> {
        let config = crate::adapters::fs::read_optional(&ctx.workspace.join(config))?
            .map(String::from_utf8)
            .transpose()
            .with_context(|| format!("{} is not UTF-8 text", config.display()))?;
        let from_payload = ctx
            .event
            .client_payload()
            .and_then(|p| p.get("api"))
            .and_then(Value::as_str);
        let requested = self
            .input
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .or(from_payload);
        let api = apis::select(config.as_deref(), requested)?;
        if let Some(api) = &api {
            tracing::info!(
                "API {}: spec history in {}, SDKs in {}",
                api.name,
                api.openapi_dir.display(),
                api.sdk_dir.display()
            );
        }
        Ok(api)
    }

    /// The spec history of the selected API, else input `openapi_dir`'s.
    pub fn resolve(&self, ctx: &Context) -> Result<SpecHistory> {
        Ok(match self.select(ctx)? {
            Some(api) => SpecHistory {
                api: Some(api.name),
                layout: Layout::new(api.openapi_dir),
            },
            None => SpecHistory {
                api: None,
                layout: Layout::new(self.openapi_dir.clone()),
            },
        })
    }
}
