//! Test support shared by the integration tests: servers on 127.0.0.1 and a
//! harness that runs the built binary the way the Actions runner does.
#![allow(dead_code)]

pub mod clients;
pub mod command;
pub mod corpus;
pub mod fake_github;
pub mod github_description;
pub mod github_json;
pub mod http_server;
pub mod mermaid;
pub mod registries;
pub mod runner;
pub mod service_registry;
pub mod skip;
