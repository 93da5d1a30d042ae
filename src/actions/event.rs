//! The triggering event: its name and the JSON payload at `GITHUB_EVENT_PATH`.
//!
//! Only reads the payload; what a field means is the stage's business.

use anyhow::{Context, Result};
use serde_json::Value;
use std::path::Path;

/// The webhook event that started the workflow run.
#[derive(Debug, Clone, Default)]
pub struct Event {
    /// `repository_dispatch`, `workflow_dispatch`, ... (empty for local runs).
    pub name: String,
    pub payload: Value,
}

impl Event {
    /// Reads the payload file. A missing path means a local run with no event.
    pub fn load(name: Option<String>, path: Option<&Path>) -> Result<Event> {
        let payload = match path {
            None => Value::Null,
            Some(path) => {
                let text = fs_err::read_to_string(path)
                    .context("reading the event payload (GITHUB_EVENT_PATH)")?;
                serde_json::from_str(&text).with_context(|| {
                    format!("the event payload {} is not valid JSON", path.display())
                })?
            }
        };
        Ok(Event {
            name: name.unwrap_or_default(),
            payload,
        })
    }

    /// `action` of a `repository_dispatch` payload: the sender's `event_type`.
    pub fn dispatch_type(&self) -> Option<&str> {
        self.payload.get("action").and_then(Value::as_str)
    }

    /// `client_payload` of a `repository_dispatch`, if any.
    pub fn client_payload(&self) -> Option<&Value> {
        self.payload.get("client_payload").filter(|v| !v.is_null())
    }

    /// `inputs` of a `workflow_dispatch`, if any.
    pub fn dispatch_inputs(&self) -> Option<&Value> {
        self.payload.get("inputs").filter(|v| !v.is_null())
    }
}
