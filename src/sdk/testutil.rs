//! Test helpers of the SDK modules: the model lowered from a spec's text,
//! and its named types looked up by name, so that each module's tests state
//! only their spec and what they expect of it.

use super::model::{Api, TypeDef};
use super::{Language, lower};
use crate::spec::testutil::load_one;

/// `yaml` loaded and lowered for `lang`; a spec that does not load panics
/// with its problems.
pub(crate) fn lowered(yaml: &str, lang: Language) -> Api {
    let spec = load_one(yaml).unwrap_or_else(|p| panic!("{p:#?}"));
    lower(&spec.upgraded, lang)
}

/// The type of `api` named `name`; panics listing the names there are.
pub(crate) fn type_named<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
    api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no type {name} in {:?}",
                api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
            )
        })
}
