//! Integration discovery: which integrations the front end declares in its
//! markup (`data-integration`), whether the manifest library
//! (`integrations/*.yaml`) describes each of them consistently, and the
//! typed configuration generated from it. Serves the `discover` stage.
//!
//! Pure: bytes and parsed documents in, findings out. Walking the tree and
//! reading files is `adapters::walk`'s job, writing the stage's.
//!
//! - [`scan`]: the markup scanner over one file's bytes.
//! - [`manifest`]: the manifest model and its documented schema.
//! - [`versions`]: constraints (`^3`, `~1.2`, `>=2 <3`) resolved to one version.
//! - [`graph`]: dependency cycles.
//! - [`api`]: the provider operations a manifest names, and the spec cut to them.
//! - [`validate`]: all of the above into one verdict with located problems.
//! - [`output`]: the validation result, the template context, stubs, the Mermaid graph.

pub mod api;
pub mod graph;
pub mod manifest;
pub mod output;
pub mod scan;
pub mod validate;
pub mod versions;
