//! The GitHub Actions protocol, for every stage: where inputs, the event
//! payload, outputs, the step summary and workflow commands live.
//!
//! Nothing here knows what a stage does. Stages return [`Outputs`] and a
//! summary; `main` hands them to [`Runtime`], which writes them where the runner
//! expects them, or to stderr/stdout when run locally.

// clippy.toml disallows std::fs and std::env::var elsewhere; the runner's environment and files are this module's job.
#![allow(clippy::disallowed_methods)]

pub mod commands;
pub mod env;
pub mod event;
pub mod inputs;
pub mod outputs;
pub mod redact;
pub mod runtime;

pub use commands::Annotation;
pub use outputs::Outputs;
pub use redact::Redactor;
pub use runtime::Runtime;
