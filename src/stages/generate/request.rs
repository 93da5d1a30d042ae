//! `generate`: the raw arguments turned into a typed [`Request`]; nothing
//! after this sees `cli`, and nothing here reads the workspace.
//!
//! Which folders and package names depends on `apis:` in specrelay.yaml:
//! the stage's `observe` reads it and [`Request::target`] puts the selected
//! API's in place of the inputs (and checks the Python distribution name,
//! so a bad one fails before the spec is read).

use crate::apis::Api;
use crate::cli::{GenerateArgs, SdkLanguage};
use crate::layout::Layout;
use crate::sdk::{Language, naming};
use crate::stages::Context;
use crate::stages::common::api::ApiChoice;
use crate::stages::common::github::CommitRequest;
use anyhow::{Result, anyhow};
use std::path::PathBuf;

/// What one generate run was asked to do.
#[derive(Debug)]
pub struct Request {
    /// The spec, relative to the workspace; `None`: the one `latest.json` points at.
    pub spec: Option<PathBuf>,
    /// Input `api` and `openapi_dir`: the selected API's folders and
    /// package names replace the inputs' (see [`Request::target`]).
    pub api: ApiChoice,
    /// The folder that receives one folder per language, as given.
    pub sdk_dir: PathBuf,
    /// Each language once, TypeScript first.
    pub languages: Vec<Language>,
    /// The package names as given.
    pub package_name: Option<String>,
    pub python_package_name: Option<String>,
    pub version: Option<String>,
    pub check: bool,
    pub max_spec_bytes: u64,
    /// How spec defects are treated: survivable ones are warnings with a
    /// documented fallback, unless `--strict` makes them errors.
    pub validation: crate::spec::Validation,
    pub commit: CommitRequest,
}

/// Where the SDKs go, which spec history they come from and what they are
/// called: the selected API's, else the inputs'.
#[derive(Debug)]
pub struct Target {
    /// The folder that receives one folder per language.
    pub out: PathBuf,
    pub layout: Layout,
    pub package_name: Option<String>,
    /// Already normalised as PEP 503 says.
    pub python_package_name: Option<String>,
}

/// The stage's first step (see [`shape`](crate::stages::shape)): the raw
/// arguments and the run's context -> the validated request.
pub fn request(args: GenerateArgs, ctx: &Context) -> Result<Request> {
    let request = build(args);
    // Before the first write: a commit that cannot happen writes nothing.
    request.commit.check_preconditions(&ctx.env, ctx.dry_run)?;
    Ok(request)
}

/// The arguments, typed; the folder inputs stay as given until `observe`
/// has read which API the run is for.
pub fn build(args: GenerateArgs) -> Request {
    let languages = [
        (SdkLanguage::Typescript, Language::TypeScript),
        (SdkLanguage::Python, Language::Python),
    ]
    .into_iter()
    .filter(|(arg, _)| args.languages.contains(arg))
    .map(|(_, language)| language)
    .collect::<Vec<_>>();
    Request {
        spec: args.spec,
        api: ApiChoice {
            input: args.api,
            openapi_dir: args.openapi_dir,
        },
        sdk_dir: args.sdk_dir,
        languages,
        package_name: args.package_name,
        python_package_name: args.python_package_name,
        version: args.version,
        check: args.check,
        max_spec_bytes: args.max_spec_bytes,
        validation: if args.strict {
            crate::spec::Validation::WarningsAreErrors
        } else {
            crate::spec::Validation::Tolerant
        },
        commit: CommitRequest::from_args(args.commit),
    }
}

impl Request {
    /// The selected API's folders and package names (`apis:` in
    /// specrelay.yaml) in place of the inputs; a package name the API does
    /// not set stays the input's.
    pub fn target(&self, api: Option<Api>) -> Result<Target> {
        let (out, openapi_dir, package_name, python_package_name) = match api {
            Some(api) => (
                api.sdk_dir,
                api.openapi_dir,
                api.npm_package.or_else(|| self.package_name.clone()),
                api.python_package
                    .or_else(|| self.python_package_name.clone()),
            ),
            None => (
                self.sdk_dir.clone(),
                self.api.openapi_dir.clone(),
                self.package_name.clone(),
                self.python_package_name.clone(),
            ),
        };
        // Checked only when the Python SDK is generated, as before the request existed.
        let python_package_name = match python_package_name {
            Some(raw) if self.languages.contains(&Language::Python) => {
                Some(naming::python_distribution_name(&raw).ok_or_else(|| {
                    anyhow!(
                        "python_package_name {raw:?} is not a valid Python distribution name \
                         (ASCII letters, digits and -_., starting and ending with a letter or digit)"
                    )
                })?)
            }
            _ => None,
        };
        Ok(Target {
            out,
            layout: Layout::new(openapi_dir),
            package_name,
            python_package_name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, StageArgs};
    use clap::Parser;
    use std::path::Path;

    fn args(flags: &[&str]) -> GenerateArgs {
        let argv = ["specrelay", "generate"].iter().chain(flags);
        match Cli::try_parse_from(argv).unwrap().stage {
            StageArgs::Generate(args) => args,
            _ => unreachable!(),
        }
    }

    fn node() -> Api {
        Api {
            name: "node".into(),
            openapi_dir: "specs/node".into(),
            sdk_dir: "packages/node".into(),
            npm_package: Some("@acme/node".into()),
            python_package: None,
        }
    }

    #[test]
    fn an_api_replaces_the_folders_and_names_its_packages() {
        let flags = [
            "--package-name",
            "@acme/given",
            "--python-package-name",
            "Acme_Given",
        ];
        let request = build(args(&flags)).target(Some(node())).unwrap();
        assert_eq!(request.out, PathBuf::from("packages/node"));
        assert_eq!(request.layout.root(), Path::new("specs/node"));
        assert_eq!(request.package_name.as_deref(), Some("@acme/node"));
        // A name the API leaves open stays the input's.
        assert_eq!(request.python_package_name.as_deref(), Some("acme-given"));
    }

    #[test]
    fn without_an_api_the_inputs_stand() {
        let request = build(args(&[])).target(None).unwrap();
        assert_eq!(request.out, PathBuf::from("sdk"));
        assert_eq!(request.layout.root(), Path::new("openapi"));
        assert_eq!(request.package_name, None);
    }
}
