//! specrelay carries an OpenAPI contract from the service that produces it to
//! every place that depends on it.
//!
//! A tour, in the order a request travels:
//!
//! ```text
//!  main ── reads the environment once (RunnerEnv), the event, the inputs
//!   │
//!   ├─ cli            raw arguments, one struct per stage
//!   └─ stages::run ─> shape::drive::<Stage>  (mod.rs: shape::stage!(...) + impl Stage)
//!        request.rs   fn request: raw args + ctx ─> typed Request (Url, Version, SecretString, enums); reads nothing
//!        observe      Stage::observe reads through adapters (fs, history, http, github, registries)
//!        plan.rs      impl Decide, pure: Request + Observed ─> Plan; Plan::describe() for --dry-run
//!        apply.rs     Stage::apply carries the plan out through adapters ─> Report
//!   │                   (outputs, step summary, stdout, Failure with its exit code)
//!  main ── actions::Runtime writes outputs, summary, annotations; exits 0/1/2/3
//! ```
//!
//! - [`cli`] parses one stage's arguments; [`actions`] maps action inputs to
//!   them and writes outputs, the step summary and annotations.
//! - [`stages`] holds one folder per stage (`ingest`, `diff`, `generate`,
//!   `publish`, `downstream`, `register`, `reconcile`, `discover`,
//!   `dispatch`), each `request.rs` / `plan.rs` / `apply.rs` / `mod.rs`
//!   around [`stages::shape::drive`], and [`stages::common`] for
//!   what several share (loading a spec, GitHub as the workflow's
//!   repository, the ignore file). Stages never import each other.
//! - The pure domain: [`spec`] (parse, bundle, validate), [`diff`]
//!   (breaking changes), [`sdk`] (SDK models and emitters), [`publish`]
//!   (package formats), [`downstream`] (consumers, manifest bumps, pull
//!   request bodies, rollout waves), [`catalog`] (the service registry's
//!   model and reconcile verdicts), [`discover`] (integrations declared in
//!   front-end markup), [`layout`] (where the spec history lives), [`timeline`]
//!   (the version timeline: `history/index.json`, `TIMELINE.md`), [`render`]
//!   (templates users can override), [`pep440`], [`pep503`] (Python project
//!   names).
//! - [`adapters`] is the only code that touches the world: [`adapters::fs`]
//!   (atomic writes), [`adapters::history`] (`openapi/`: `latest()`,
//!   `stored(v)`), [`adapters::http`], [`adapters::github`],
//!   [`adapters::package_registry`] (the ask-then-upload loop for npm and
//!   PyPI), [`adapters::clock`].
//!
//! Pure modules never touch the network, the filesystem, the environment or
//! the clock, and never import `adapters`, `actions`, `stages` or `cli`
//! (`tests/it/architecture.rs` checks it; `clippy.toml` disallows `std::fs`
//! and `std::env::var` outside `actions/` and `adapters/`). Within a folder,
//! modules import each other one way, so each reads without its siblings'
//! callers (`tests/it/module_graph.rs` checks it; the diff's recursive
//! descent over subschemas is the one ring, listed there with its reason).

pub mod actions;
pub mod adapters;
pub mod announce;
pub mod apis;
pub mod catalog;
pub mod cli;
pub mod diff;
pub mod discover;
pub mod downstream;
pub mod exit;
pub mod layout;
pub mod memory;
pub mod pep440;
pub mod pep503;
pub mod publish;
pub mod render;
pub mod sdk;
pub mod semver_policy;
pub mod spec;
pub mod stages;
pub mod timeline;
