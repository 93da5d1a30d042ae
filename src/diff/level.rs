//! How much a change matters: the one type both the rule table (`rules`)
//! and the findings (`finding`) need, kept apart so that neither imports
//! the other for it.
//!
//! Pure data: this module must not do I/O.

use serde::{Deserialize, Serialize};

/// How much a change matters to existing clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Existing clients can fail.
    Breaking,
    /// Existing clients may misbehave; a human should look.
    Warning,
    /// Compatible change worth knowing about.
    Info,
}

impl Level {
    /// The serialized name: `breaking`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Breaking => "breaking",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}
