//! Several APIs in one repository: the `apis:` section of `specrelay.yaml`
//! names each API and where its spec history and SDKs live, and an
//! announcement's `api` field (or the `api` input) selects one. Pure: the
//! config arrives as text.
//!
//! ```yaml
//! # specrelay.yaml
//! apis:
//!   coordinator:
//!     openapi_dir: apis/coordinator/openapi   # default openapi/<name>
//!     sdk_dir: sdk/coordinator                # default sdk/<name>; holds typescript/ and python/
//!     npm_package: "@acme/coordinator"        # optional
//!     python_package: acme-coordinator        # optional
//!   node: {}
//! ```
//!
//! Without an `apis:` section nothing changes (one API, `openapi/`, `sdk/`:
//! the zero-config default), and an `api` in the announcement is ignored.
//!
//! Stages select the API through `stages::common::api` (input `api`, else
//! `client_payload.api`): `ingest` stores into its `openapi_dir`,
//! `generate` writes its `sdk_dir` under its package names, `publish` and
//! `downstream` take that API's SDKs. A name the file does not list is a
//! usage error (exit 2, [`ApisError::is_usage`]).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One API's folders and package names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    pub name: String,
    pub openapi_dir: PathBuf,
    pub sdk_dir: PathBuf,
    pub npm_package: Option<String>,
    pub python_package: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApisError {
    #[error("specrelay.yaml: {0}")]
    Syntax(String),
    #[error("specrelay.yaml: apis: {0:?} is not an API name (letters, digits, '.', '_', '-')")]
    Name(String),
    #[error(
        "specrelay.yaml: apis.{api}.{field}: {path:?} must be a relative path inside the repository"
    )]
    Path {
        api: String,
        field: &'static str,
        path: String,
    },
    #[error(
        "specrelay.yaml lists several APIs ({known}); the announcement must say which (client_payload.api, or the `api` input)"
    )]
    Unnamed { known: String },
    #[error("no API {requested:?} in specrelay.yaml (it lists {known})")]
    Unknown { requested: String, known: String },
}

impl ApisError {
    /// The run named an API the config does not list: a usage
    /// error (exit 2), not a rejected input.
    pub fn is_usage(&self) -> bool {
        matches!(self, ApisError::Unknown { .. })
    }
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(default)]
    apis: Option<BTreeMap<String, Entry>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Entry {
    openapi_dir: Option<String>,
    sdk_dir: Option<String>,
    npm_package: Option<String>,
    python_package: Option<String>,
}

/// Every API the config lists, in name order; empty without `apis:`.
pub fn apis(config: Option<&str>) -> Result<Vec<Api>, ApisError> {
    let Some(text) = config.filter(|t| !t.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let file: ConfigFile =
        serde_yaml::from_str(text).map_err(|e| ApisError::Syntax(e.to_string()))?;
    let mut out = Vec::new();
    for (name, entry) in file.apis.unwrap_or_default() {
        crate::announce::api_name(&name).map_err(|_| ApisError::Name(name.clone()))?;
        let folder = |field: &'static str, given: Option<String>, default: String| {
            let path = given.unwrap_or(default);
            let inside = !path.is_empty()
                && !path.starts_with('/')
                && path.split('/').all(|part| part != "..");
            if inside {
                Ok(PathBuf::from(path))
            } else {
                Err(ApisError::Path {
                    api: name.clone(),
                    field,
                    path,
                })
            }
        };
        out.push(Api {
            openapi_dir: folder("openapi_dir", entry.openapi_dir, format!("openapi/{name}"))?,
            sdk_dir: folder("sdk_dir", entry.sdk_dir, format!("sdk/{name}"))?,
            npm_package: entry.npm_package,
            python_package: entry.python_package,
            name,
        });
    }
    Ok(out)
}

/// The API a run works on: `None` in a zero-config repository; the one
/// named by `requested`; or the only one listed.
pub fn select(config: Option<&str>, requested: Option<&str>) -> Result<Option<Api>, ApisError> {
    let all = apis(config)?;
    if all.is_empty() {
        return Ok(None);
    }
    let known = all
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match requested.map(str::trim).filter(|r| !r.is_empty()) {
        Some(name) => {
            all.into_iter()
                .find(|a| a.name == name)
                .map(Some)
                .ok_or(ApisError::Unknown {
                    requested: name.to_owned(),
                    known,
                })
        }
        None if all.len() == 1 => Ok(all.into_iter().next()),
        None => Err(ApisError::Unnamed { known }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "apis:\n  coordinator:\n    openapi_dir: apis/coordinator/openapi\n    npm_package: \"@acme/coordinator\"\n  node: {}\ndownstream:\n  repositories: [acme/web]\n";

    #[test]
    fn no_apis_section_is_the_zero_config_default() {
        assert_eq!(select(None, Some("node")).unwrap(), None);
        assert_eq!(select(Some("downstream: {}\n"), None).unwrap(), None);
    }

    #[test]
    fn the_announcement_selects_one_api_with_its_folders() {
        let node = select(Some(CONFIG), Some("node")).unwrap().unwrap();
        assert_eq!(node.openapi_dir, PathBuf::from("openapi/node"));
        assert_eq!(node.sdk_dir, PathBuf::from("sdk/node"));
        let coordinator = select(Some(CONFIG), Some("coordinator")).unwrap().unwrap();
        assert_eq!(
            coordinator.openapi_dir,
            PathBuf::from("apis/coordinator/openapi")
        );
        assert_eq!(
            coordinator.npm_package.as_deref(),
            Some("@acme/coordinator")
        );
    }

    #[test]
    fn several_apis_need_a_name_and_a_known_one() {
        let unnamed = select(Some(CONFIG), None).unwrap_err();
        assert!(
            unnamed.to_string().contains("coordinator, node"),
            "{unnamed}"
        );
        let unknown = select(Some(CONFIG), Some("docker")).unwrap_err();
        assert!(matches!(unknown, ApisError::Unknown { .. }), "{unknown}");
        let one = select(Some("apis:\n  docker: {}\n"), None)
            .unwrap()
            .unwrap();
        assert_eq!(one.name, "docker");
    }

    #[test]
    fn folders_stay_inside_the_repository_and_typos_are_errors() {
        let escape = apis(Some("apis:\n  x:\n    sdk_dir: ../elsewhere\n")).unwrap_err();
        assert!(
            matches!(
                escape,
                ApisError::Path {
                    field: "sdk_dir",
                    ..
                }
            ),
            "{escape}"
        );
        let typo = apis(Some("apis:\n  x:\n    openapi_directory: a\n")).unwrap_err();
        assert!(matches!(typo, ApisError::Syntax(_)), "{typo}");
        let name = apis(Some("apis:\n  \"a b\": {}\n")).unwrap_err();
        assert!(matches!(name, ApisError::Name(_)), "{name}");
    }
}
