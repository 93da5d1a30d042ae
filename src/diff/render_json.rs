//! Renders findings as JSON with a stable shape. Pure: must not do I/O.
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "summary": {"breaking": 1, "warning": 0, "info": 2},
//!   "findings": [
//!     {
//!       "id": "request-parameter-removed",
//!       "level": "warning",
//!       "operation": "GET /pets",           // or null
//!       "component": "parameters/Limit",    // or null
//!       "base_pointer": "/paths/~1pets/get/parameters/0",  // or null
//!       "revision_pointer": null,
//!       "message": "The query parameter `limit` was removed."
//!     }
//!   ]
//! }
//! ```
//!
//! Every key is always present (null when absent); `findings` keeps the
//! order [`diff`](super::diff) returned. New keys may be added; existing keys
//! keep their meaning while `format_version` stays 1.

use serde_json::{Value, json};

use super::finding::{Finding, Summary};

/// Version of the JSON shape below.
pub const JSON_FORMAT_VERSION: u32 = 1;

pub fn render_json(findings: &[Finding], summary: &Summary) -> Value {
    let findings: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "id": f.id,
                "level": f.level.as_str(),
                "operation": f.operation,
                "component": f.component,
                "base_pointer": f.base_pointer,
                "revision_pointer": f.revision_pointer,
                "message": f.message,
            })
        })
        .collect();
    json!({
        "format_version": JSON_FORMAT_VERSION,
        "summary": {"breaking": summary.breaking, "warning": summary.warning, "info": summary.info},
        "findings": findings,
    })
}
