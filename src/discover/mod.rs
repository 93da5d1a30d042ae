//! Integration discovery: which integrations the front end declares in its
//! markup (`data-integration`), whether the manifest library
//! (`integrations/*.yaml`) describes each of them consistently, and the
//! typed configuration generated from it. Serves the `discover` stage.
//!
//! Pure: bytes and parsed documents in, findings out. Walking the tree and
//! reading files is `adapters::walk`'s job, writing the stage's.
//!
//! - [`scan`]: the markup scanner over one file's bytes.

pub mod scan;
pub mod api;
pub mod graph;
pub mod manifest;
pub mod versions;
