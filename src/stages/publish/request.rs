//! `publish`: the raw arguments and the job's OIDC setup turned into a typed
//! [`PublishRequest`] (input tokens masked as soon as they are known);
//! nothing after this sees `cli`, and nothing here reads the workspace.
//!
//! Which registries, where and with which credentials depends on the
//! workspace (the SDK folders found, `apis:` in specrelay.yaml, the
//! `.npmrc`): the stage's `observe` reads it and [`Request::new`] turns the
//! inputs and what was read into the validated [`Request`].

use crate::adapters::http::FetchPolicy;
use crate::adapters::oidc::IdTokenRequest;
use crate::adapters::package_registry::RetryPolicy;
use crate::apis::Api;
use crate::cli::{NpmAccess, PublishArgs};
use crate::layout::{Layout, display_path};
use crate::publish::npm_registry::{self, Access};
use crate::publish::npmrc::Npmrc;
use crate::publish::pypi_upload;
use crate::publish::trusted;
use crate::stages::Context;
use crate::stages::common::api::ApiChoice;
use crate::stages::common::inputs::non_blank;
use anyhow::{Context as _, Result, bail};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

pub const NPMJS: &str = "https://registry.npmjs.org/";

/// What one publish run was asked to do, typed. A registry's own inputs
/// are checked in [`Request::new`], only when it is published to (as
/// before `observe` read the folders), so they stay as given here.
pub struct PublishRequest {
    /// Input `api` and `openapi_dir`: the selected API's folders replace
    /// `openapi_dir` and `sdk_dir`.
    pub api: ApiChoice,
    /// Holds `typescript/` and `python/`.
    pub sdk_dir: PathBuf,
    /// The `.npmrc` whose settings apply where the inputs leave them open.
    pub npm_userconfig: Option<PathBuf>,
    /// `registries` as given; empty: every registry whose folder exists.
    pub registries: Option<String>,
    pub npm: NpmInputs,
    pub pypi: PypiInputs,
    pub fetch: FetchPolicy,
    pub retry: RetryPolicy,
    /// How to get an OIDC token for trusted publishing, when the job may.
    pub id_token_request: Option<IdTokenRequest>,
}

impl PublishRequest {
    /// The run's folders: the selected API's, else the inputs'.
    pub fn folders(&self, api: Option<&Api>) -> Folders {
        match api {
            Some(api) => Folders {
                sdk_dir: api.sdk_dir.clone(),
                openapi_dir: api.openapi_dir.clone(),
            },
            None => Folders {
                sdk_dir: self.sdk_dir.clone(),
                openapi_dir: self.api.openapi_dir.clone(),
            },
        }
    }
}

/// The SDK folders and the spec history of the run.
#[derive(Debug, Clone)]
pub struct Folders {
    /// Holds `typescript/` and `python/`.
    pub sdk_dir: PathBuf,
    /// The spec history, whose ingest time stamps the packages.
    pub openapi_dir: PathBuf,
}

/// The npm inputs; blank ones count as unset.
pub struct NpmInputs {
    pub registry_url: Option<String>,
    pub token: Option<SecretString>,
    pub tag: Option<String>,
    pub access: Option<Access>,
}

/// The PyPI inputs; blank optional ones count as unset.
pub struct PypiInputs {
    pub repository_url: String,
    pub index_url: Option<String>,
    pub oidc_url: Option<String>,
    pub username: String,
    pub token: Option<SecretString>,
}

/// The stage's first step (see [`shape`](crate::stages::shape)): the raw
/// arguments and the run's context -> the validated request.
pub fn request(args: PublishArgs, ctx: &Context) -> Result<PublishRequest> {
    let mut request = PublishRequest::from(args);
    for token in [&request.npm.token, &request.pypi.token]
        .into_iter()
        .flatten()
    {
        ctx.runtime.mask(token.expose_secret());
    }
    request.id_token_request = ctx
        .runtime
        .id_token_request()
        .map(|(url, token)| -> Result<IdTokenRequest> {
            Ok(IdTokenRequest {
                url: Url::parse(url).context("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")?,
                token: token.clone(),
            })
        })
        .transpose()?;
    Ok(request)
}

impl From<PublishArgs> for PublishRequest {
    /// The arguments, typed; no OIDC setup (that is the runner's).
    fn from(args: PublishArgs) -> PublishRequest {
        PublishRequest {
            api: ApiChoice {
                input: args.api,
                openapi_dir: args.openapi_dir,
            },
            sdk_dir: args.sdk_dir,
            npm_userconfig: args.npm_userconfig,
            registries: args.registries,
            npm: NpmInputs {
                registry_url: args.npm_registry_url,
                token: secret(&args.npm_token),
                tag: non_blank(args.npm_tag.as_deref()).map(str::to_owned),
                access: args.npm_access.map(|a| match a {
                    NpmAccess::Public => Access::Public,
                    NpmAccess::Restricted => Access::Restricted,
                }),
            },
            pypi: PypiInputs {
                repository_url: args.pypi_repository_url,
                index_url: args.pypi_index_url,
                oidc_url: args.pypi_oidc_url,
                username: args.pypi_username.trim().to_owned(),
                token: secret(&args.pypi_token),
            },
            fetch: FetchPolicy {
                allow_http: args.allow_http,
                allow_private_network: args.allow_private_network,
                attempt_timeout: Duration::from_secs(args.upload_timeout.max(1)),
                timeout_setting: "upload_timeout",
                max_attempts: args.max_attempts,
                ..FetchPolicy::default()
            },
            retry: RetryPolicy {
                max_attempts: args.max_attempts,
                deadline: Duration::from_secs(args.publish_deadline),
                ..RetryPolicy::default()
            },
            id_token_request: None,
        }
    }
}

/// The validated request: which registries, where, with which credentials.
pub struct Request {
    pub npm: Option<NpmRequest>,
    pub pypi: Option<PypiRequest>,
    pub fetch: FetchPolicy,
    pub retry: RetryPolicy,
    /// The spec history, whose ingest time stamps the packages.
    pub layout: Layout,
    /// How to get an OIDC token for trusted publishing, when the job may.
    pub id_token_request: Option<IdTokenRequest>,
}

pub struct NpmRequest {
    /// The package folder, relative to the workspace.
    pub folder: PathBuf,
    pub registry: Url,
    pub token: Option<SecretString>,
    pub tag: Option<String>,
    pub access: Option<Access>,
}

pub struct PypiRequest {
    pub folder: PathBuf,
    pub upload_url: Url,
    pub index_url: Url,
    /// The trusted-publishing API, for when there is no token.
    pub oidc_url: Url,
    pub username: String,
    pub token: Option<SecretString>,
}

/// Which SDK folders hold a package, as the stage found them on disk.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub typescript: bool,
    pub python: bool,
}

/// What npm's own configuration says, for settings the inputs leave open.
#[derive(Default)]
pub struct NpmDefaults<'a> {
    /// The `.npmrc` at `npm_userconfig`, if it exists.
    pub npmrc: Option<&'a Npmrc>,
    /// The package's name, for an `@scope:registry` setting.
    pub package: Option<&'a str>,
}

impl Request {
    /// Validates the inputs of every registry published to; `folders` are
    /// the run's (the selected API's), `found` says which SDK folders
    /// exist; `lookup` reads the variables an `.npmrc` names.
    pub fn new(
        inputs: &PublishRequest,
        folders: &Folders,
        found: Found,
        npm_defaults: &NpmDefaults<'_>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Request> {
        let (want_npm, want_pypi) = registries(inputs.registries.as_deref(), found)?;
        let typescript = folders.sdk_dir.join("typescript");
        let python = folders.sdk_dir.join("python");
        if want_npm && !found.typescript {
            bail!(
                "registries includes npm, but {} has no package.json; run `specrelay generate` first",
                display_path(&typescript)
            );
        }
        if want_pypi && !found.python {
            bail!(
                "registries includes pypi, but {} has no pyproject.toml; generate the Python SDK first",
                display_path(&python)
            );
        }
        let npm = want_npm
            .then(|| npm_request(&inputs.npm, typescript, npm_defaults, &lookup))
            .transpose()?;
        let pypi = want_pypi
            .then(|| pypi_request(&inputs.pypi, python))
            .transpose()?;
        Ok(Request {
            npm,
            pypi,
            fetch: inputs.fetch.clone(),
            retry: inputs.retry.clone(),
            layout: Layout::new(&folders.openapi_dir),
            id_token_request: inputs.id_token_request.clone(),
        })
    }

    /// Refuses to start uploading without a credential for every registry;
    /// `can_mint` says whether the job can get an OIDC token for trusted
    /// publishing to PyPI.
    pub fn check_credentials(&self, can_mint: bool) -> Result<()> {
        if self.npm.as_ref().is_some_and(|n| n.token.is_none()) {
            bail!("no npm token: set the npm_token input or NODE_AUTH_TOKEN");
        }
        if self.pypi.as_ref().is_some_and(|p| p.token.is_none()) && !can_mint {
            bail!(
                "no PyPI token: set the pypi_token input, or give the job `permissions: id-token: write` \
                 and configure a trusted publisher on the index"
            );
        }
        Ok(())
    }
}

/// The PyPI half of the request: the index's URLs, checked.
fn pypi_request(inputs: &PypiInputs, python: PathBuf) -> Result<PypiRequest> {
    let upload_url = url("pypi_repository_url", &inputs.repository_url)?;
    let index_url = match &inputs.index_url {
        Some(index) => url("pypi_index_url", index)?,
        None => pypi_upload::default_index_url(&upload_url),
    };
    let oidc_url = match &inputs.oidc_url {
        Some(oidc) => url("pypi_oidc_url", oidc)?,
        None => trusted::default_oidc_url(&upload_url),
    };
    Ok(PypiRequest {
        folder: python,
        upload_url,
        index_url,
        oidc_url,
        username: inputs.username.clone(),
        token: inputs.token.clone(),
    })
}

/// A registry URL input: http(s) only.
fn url(name: &str, value: &str) -> Result<Url> {
    let url = Url::parse(value.trim()).with_context(|| format!("{name} {value:?} is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        bail!("{name} {value:?} must be an https URL");
    }
    Ok(url)
}

/// A secret input; empty counts as unset.
fn secret(value: &Option<String>) -> Option<SecretString> {
    non_blank(value.as_deref()).map(|v| SecretString::from(v.to_owned()))
}

/// The npm half of the request: the registry and token from the inputs,
/// else from the `.npmrc`.
fn npm_request(
    inputs: &NpmInputs,
    typescript: PathBuf,
    npm_defaults: &NpmDefaults<'_>,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<NpmRequest> {
    let npmrc = npm_defaults.npmrc;
    let from_npmrc = npmrc.and_then(|rc| rc.registry_for(npm_defaults.package?));
    let registry = match (&inputs.registry_url, from_npmrc) {
        (Some(given), _) => url("npm_registry_url", given)?,
        (None, Some(configured)) => url("the .npmrc registry", configured)?,
        (None, None) => url("npm_registry_url", NPMJS)?,
    };
    let registry = npm_registry::registry_base(&registry);
    let token = match (&inputs.token, npmrc) {
        (Some(token), _) => Some(token.clone()),
        (None, Some(rc)) => rc.token_for(&registry, lookup)?.map(SecretString::from),
        (None, None) => None,
    };
    Ok(NpmRequest {
        folder: typescript,
        registry,
        token,
        tag: inputs.tag.as_deref().map(check_tag).transpose()?,
        access: inputs.access,
    })
}

/// `registries`: an explicit list, or every registry whose folder exists.
fn registries(list: Option<&str>, found: Found) -> Result<(bool, bool)> {
    let Some(list) = list.map(str::trim).filter(|l| !l.is_empty()) else {
        if !found.typescript && !found.python {
            bail!(
                "no SDK to publish: neither sdk/typescript/package.json nor sdk/python/pyproject.toml exists"
            );
        }
        return Ok((found.typescript, found.python));
    };
    let (mut npm, mut pypi) = (false, false);
    for name in list
        .split([',', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match name.to_ascii_lowercase().as_str() {
            "npm" => npm = true,
            "pypi" => pypi = true,
            other => bail!("registries: {other:?} is not `npm` or `pypi`"),
        }
    }
    Ok((npm, pypi))
}

/// A dist-tag that could be read as a version would shadow one.
fn check_tag(tag: &str) -> Result<String> {
    if semver::Version::parse(tag.trim_start_matches('v')).is_ok()
        || semver::VersionReq::parse(tag).is_ok_and(|_| tag.starts_with(['^', '~', '>', '<', '=']))
    {
        bail!("npm_tag {tag:?} looks like a version or range; npm refuses such tags");
    }
    if tag.contains(|c: char| c.is_whitespace() || c == '/' || c == '%') {
        bail!("npm_tag {tag:?} may not contain whitespace, `/` or `%`");
    }
    Ok(tag.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, StageArgs};
    use clap::Parser;

    fn args(flags: &[&str]) -> PublishArgs {
        let argv = ["specrelay", "publish"].iter().chain(flags);
        match Cli::try_parse_from(argv).unwrap().stage {
            StageArgs::Publish(args) => *args,
            _ => unreachable!(),
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    /// The request for `flags`, validated as `observe` does with what it found.
    fn validated(
        flags: &[&str],
        found: Found,
        defaults: &NpmDefaults<'_>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Request> {
        let inputs = PublishRequest::from(args(flags));
        Request::new(&inputs, &inputs.folders(None), found, defaults, lookup)
    }

    fn new(flags: &[&str]) -> Result<Request> {
        validated(flags, BOTH, &NpmDefaults::default(), no_env)
    }

    const BOTH: Found = Found {
        typescript: true,
        python: true,
    };

    #[test]
    fn registries_default_to_the_folders_that_exist() {
        let only_ts = Found {
            typescript: true,
            python: false,
        };
        assert_eq!(registries(None, only_ts).unwrap(), (true, false));
        assert_eq!(registries(Some(" "), BOTH).unwrap(), (true, true));
        assert_eq!(registries(Some("pypi"), BOTH).unwrap(), (false, true));
        assert!(registries(Some("npm,maven"), BOTH).is_err());
        let none = Found {
            typescript: false,
            python: false,
        };
        assert!(registries(None, none).is_err());
        let err = validated(
            &["--registries", "pypi"],
            only_ts,
            &NpmDefaults::default(),
            no_env,
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().contains("sdk/python has no pyproject.toml"),
            "{err}"
        );
    }

    #[test]
    fn urls_tags_and_tokens_are_validated() {
        let r = new(&[
            "--npm-registry-url",
            "https://npm.example.com/api",
            "--npm-token",
            " t ",
        ])
        .unwrap();
        let npm = r.npm.unwrap();
        assert_eq!(npm.registry.as_str(), "https://npm.example.com/api/");
        assert_eq!(npm.token.unwrap().expose_secret(), "t");
        assert_eq!(
            r.pypi.unwrap().index_url.as_str(),
            "https://pypi.org/simple/"
        );
        assert!(new(&["--npm-registry-url", "ftp://x/"]).is_err());
        assert!(new(&["--npm-tag", "1.2.0"]).is_err());
        assert!(new(&["--npm-tag", "beta"]).is_ok());
        // Empty, so that a NODE_AUTH_TOKEN in the test's environment cannot fill it.
        let no_tokens = new(&["--npm-token="]).unwrap();
        let err = no_tokens.check_credentials(true).unwrap_err().to_string();
        assert!(err.contains("npm_token"), "{err}");
        let pypi_only = validated(
            &["--registries", "pypi"],
            BOTH,
            &NpmDefaults::default(),
            no_env,
        )
        .unwrap();
        assert!(
            pypi_only.check_credentials(true).is_ok(),
            "trusted publishing"
        );
        let err = pypi_only.check_credentials(false).unwrap_err().to_string();
        assert!(err.contains("id-token: write"), "{err}");
    }

    #[test]
    fn npmrc_fills_what_the_inputs_leave_open() {
        let rc = Npmrc::parse(
            "@acme:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=${GH_TOKEN}\n",
        );
        let defaults = NpmDefaults {
            npmrc: Some(&rc),
            package: Some("@acme/pets"),
        };
        let env = |name: &str| (name == "GH_TOKEN").then(|| "from-env".to_owned());
        let r = validated(&["--npm-token="], BOTH, &defaults, env).unwrap();
        let npm = r.npm.unwrap();
        assert_eq!(npm.registry.as_str(), "https://npm.pkg.github.com/");
        assert_eq!(npm.token.unwrap().expose_secret(), "from-env");

        let given = validated(
            &[
                "--npm-registry-url",
                "https://other.example/",
                "--npm-token",
                "input",
            ],
            BOTH,
            &defaults,
            env,
        )
        .unwrap()
        .npm
        .unwrap();
        assert_eq!(
            given.registry.as_str(),
            "https://other.example/",
            "inputs win"
        );
        assert_eq!(given.token.unwrap().expose_secret(), "input");

        let unset = validated(&["--npm-token="], BOTH, &defaults, no_env);
        assert!(unset.err().unwrap().to_string().contains("GH_TOKEN"));
    }
}
