//! `generate`: the raw arguments turned into a typed [`Request`]; nothing
//! after this sees `cli`. The Python distribution name is checked here, so
//! a bad one fails before the spec is read.

use crate::cli::{GenerateArgs, SdkLanguage};
use crate::layout::Layout;
use crate::sdk::{Language, naming};
use crate::stages::common::github::CommitRequest;
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

pub fn build(args: GenerateArgs) -> Result<Request> {
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
        out: args.out,
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
