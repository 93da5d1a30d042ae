//! The `generate` stage's pure core: the SDK model lowered from an upgraded
//! spec ([`lower::lower`] -> [`model::Api`]), every naming decision
//! ([`naming`]), the escaping of spec text for generated code ([`escape`]),
//! and one emitter per language ([`typescript`]). Must not do I/O: the
//! caller reads the spec, supplies the templates and writes the files.

pub mod escape;
pub mod lower;
pub mod model;
pub mod naming;
pub mod python;
pub mod reshape;
pub mod typescript;

pub use lower::lower;
pub use model::Api;
pub use naming::Language;
