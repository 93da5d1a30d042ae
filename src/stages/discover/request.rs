//! `discover`'s arguments, checked once: globs split, every path relative
//! to the workspace and inside it.

use crate::cli::DiscoverArgs;
use crate::stages::Context;
use crate::stages::common::inputs::split_list;
use anyhow::{Result, bail};
use std::path::{Component, Path, PathBuf};

/// The validated request.
#[derive(Debug, Clone)]
pub struct DiscoverRequest {
    pub globs: Vec<String>,
    pub manifests_dir: PathBuf,
    pub discovery_map_path: PathBuf,
    pub validation_path: PathBuf,
    pub config_dir: PathBuf,
    pub write_stubs: bool,
    pub check: bool,
    pub max_file_bytes: u64,
    pub max_spec_bytes: u64,
}

/// The source extensions read.
pub const EXTENSIONS: &[&str] = &["html", "htm", "jsx", "tsx", "vue", "svelte"];
/// The generated configuration module, in `config_dir`.
pub const CONFIG_FILE: &str = "integration-config.ts";
/// The generated React provider, in `config_dir`.
pub const PROVIDER_FILE: &str = "IntegrationProvider.tsx";

/// The stage's first step (see [`shape`](crate::stages::shape)): the raw
/// arguments and the run's context -> the validated request.
pub fn request(args: DiscoverArgs, _ctx: &Context) -> Result<DiscoverRequest> {
    validate(args)
}

pub fn validate(args: DiscoverArgs) -> Result<DiscoverRequest> {
    for (input, path) in [
        ("manifests_dir", &args.manifests_dir),
        ("discovery_map_path", &args.discovery_map_path),
        ("validation_path", &args.validation_path),
        ("config_dir", &args.config_dir),
    ] {
        inside(input, path)?;
    }
    let globs = split_list(args.paths.as_deref());
    Ok(DiscoverRequest {
        globs,
        manifests_dir: args.manifests_dir,
        discovery_map_path: args.discovery_map_path,
        validation_path: args.validation_path,
        config_dir: args.config_dir,
        write_stubs: args.write_stubs,
        check: args.check,
        max_file_bytes: args.max_file_bytes,
        max_spec_bytes: args.max_spec_bytes,
    })
}

/// A relative path that stays inside the workspace.
fn inside(input: &str, path: &Path) -> Result<()> {
    let escapes = path
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if escapes || path.as_os_str().is_empty() {
        bail!(
            "{input} {} must be a relative path inside the workspace",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> DiscoverArgs {
        DiscoverArgs {
            paths: Some("src/**, *.vue\n!legacy/\n".into()),
            manifests_dir: "integrations".into(),
            discovery_map_path: "integrations/discovery-map.json".into(),
            validation_path: "integrations/validation.json".into(),
            config_dir: "src/integrations".into(),
            write_stubs: false,
            check: false,
            max_file_bytes: 1,
            max_spec_bytes: 1,
            dry_run: crate::cli::DryRunArgs { dry_run: false },
        }
    }

    #[test]
    fn globs_split_and_paths_stay_inside() {
        let r = validate(args()).unwrap();
        assert_eq!(r.globs, ["src/**", "*.vue", "!legacy/"]);
        let mut bad = args();
        bad.config_dir = "../elsewhere".into();
        assert!(
            validate(bad)
                .unwrap_err()
                .to_string()
                .contains("config_dir")
        );
    }
}
