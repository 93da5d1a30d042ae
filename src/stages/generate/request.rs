//! `generate`: the raw arguments turned into a typed [`Request`]; nothing
//! after this sees `cli`. The Python distribution name is checked here, so
//! a bad one fails before the spec is read.

use crate::apis::Api;
use crate::cli::{GenerateArgs, SdkLanguage};
use crate::layout::Layout;
use crate::sdk::{Language, naming};
use crate::stages::Context;
use crate::stages::common::github::CommitRequest;
use crate::stages::shape::FromArgs;
use anyhow::{Result, anyhow};
use std::path::PathBuf;

/// What one generate run was asked to do.
#[derive(Debug)]
pub struct Request {
    /// The spec, relative to the workspace; `None`: the one `latest.json` points at.
    pub spec: Option<PathBuf>,
    /// The folder that receives one folder per language.
    pub out: PathBuf,
    /// Each language once, TypeScript first.
    pub languages: Vec<Language>,
    pub package_name: Option<String>,
    /// Already normalised as PEP 503 says.
    pub python_package_name: Option<String>,
    pub version: Option<String>,
    pub check: bool,
    pub layout: Layout,
    pub max_spec_bytes: u64,
    /// How spec defects are treated: survivable ones are warnings with a
    /// documented fallback, unless `--strict` makes them errors.
    pub validation: crate::spec::Validation,
    pub commit: CommitRequest,
}

impl FromArgs for Request {
    type Args = GenerateArgs;
    fn from_args(args: GenerateArgs, ctx: &Context) -> Result<Self> {
        let api = crate::stages::common::api::selected(args.api.as_deref(), ctx)?;
        let request = build(args, api)?;
        // Before the first write: a commit that cannot happen writes nothing.
        request.commit.check_preconditions(&ctx.env, ctx.dry_run)?;
        Ok(request)
    }
}

/// The arguments, with the selected API's folders and package names
/// (`apis:` in specrelay.yaml) in place of the folder inputs; a package
/// name the API does not set stays the input's.
pub fn build(mut args: GenerateArgs, api: Option<Api>) -> Result<Request> {
    if let Some(api) = api {
        args.sdk_dir = api.sdk_dir;
        args.openapi_dir = api.openapi_dir;
        args.package_name = api.npm_package.or(args.package_name);
        args.python_package_name = api.python_package.or(args.python_package_name);
    }
    let languages = [
        (SdkLanguage::Typescript, Language::TypeScript),
        (SdkLanguage::Python, Language::Python),
    ]
    .into_iter()
    .filter(|(arg, _)| args.languages.contains(arg))
    .map(|(_, language)| language)
    .collect::<Vec<_>>();
    // Checked only when the Python SDK is generated, as before the request existed.
    let python_package_name = match &args.python_package_name {
        Some(raw) if languages.contains(&Language::Python) => {
            Some(naming::python_distribution_name(raw).ok_or_else(|| {
                anyhow!(
                    "python_package_name {raw:?} is not a valid Python distribution name \
                     (ASCII letters, digits and -_., starting and ending with a letter or digit)"
                )
            })?)
        }
        _ => None,
    };
    Ok(Request {
        spec: args.spec,
        out: args.sdk_dir,
        languages,
        package_name: args.package_name,
        python_package_name,
        version: args.version,
        check: args.check,
        layout: Layout::new(&args.openapi_dir),
        max_spec_bytes: args.max_spec_bytes,
        validation: if args.strict {
            crate::spec::Validation::WarningsAreErrors
        } else {
            crate::spec::Validation::Tolerant
        },
        commit: CommitRequest::from_args(args.commit),
    })
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
        let request = build(args(&flags), Some(node())).unwrap();
        assert_eq!(request.out, PathBuf::from("packages/node"));
        assert_eq!(request.layout.root(), Path::new("specs/node"));
        assert_eq!(request.package_name.as_deref(), Some("@acme/node"));
        // A name the API leaves open stays the input's.
        assert_eq!(request.python_package_name.as_deref(), Some("acme-given"));
    }

    #[test]
    fn without_an_api_the_inputs_stand() {
        let request = build(args(&[]), None).unwrap();
        assert_eq!(request.out, PathBuf::from("sdk"));
        assert_eq!(request.layout.root(), Path::new("openapi"));
        assert_eq!(request.package_name, None);
    }
}
