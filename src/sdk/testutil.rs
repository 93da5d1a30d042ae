//! Test helpers of the SDK modules: the model lowered from a spec's text,
//! its named types looked up by name, and models and types the emitters'
//! tests print alike, so that each module's tests state only their spec and
//! what they expect of it.

use super::model::{Api, Discriminator, Docs, Type, TypeDef};
use super::{Language, lower};
use crate::spec::testutil::load_one;

/// `yaml` loaded and lowered for `lang`; a spec that does not load panics
/// with its problems.
pub(crate) fn lowered(yaml: &str, lang: Language) -> Api {
    let spec = load_one(yaml).unwrap_or_else(|p| panic!("{p:#?}"));
    lower(&spec.upgraded, lang)
}

/// An API named `A`, version `1`, with nothing else in it: what an emitter
/// prints around no operations and no types.
pub(crate) fn empty_api(language: Language) -> Api {
    Api {
        language,
        name: "A".into(),
        version: "1".into(),
        docs: Docs::default(),
        servers: vec![],
        security_schemes: vec![],
        resources: vec![],
        types: vec![],
        warnings: vec![],
    }
}

/// `Cat | Dog`, told apart by `pet-type` (`cat` maps to `Cat`, `Dog` has no
/// mapping): a discriminated union as each emitter prints it.
pub(crate) fn cat_or_dog() -> Type {
    Type::Union {
        variants: vec![
            Type::Ref { name: "Cat".into() },
            Type::Ref { name: "Dog".into() },
        ],
        discriminator: Some(Discriminator {
            property: "pet-type".into(),
            mapping: vec![("cat".into(), "Cat".into())],
        }),
    }
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
