//! What a generated schema rule is made of: where the schema sits
//! ([`Subject`]), which way data flows through it ([`Dir`]), and one row of a
//! change table ([`SchemaChange`]). The catalog in [`super::rules`] crosses
//! the subjects with the rows of its own table and of
//! [`super::keyword_rules`]; [`super::rationale`] explains a level by the
//! direction. Kept apart from all three so that each depends on this
//! vocabulary and none on another's internals (they used to import each
//! other in a ring).
//!
//! Pure data: must not do I/O.

use super::level::Level;

/// Which way data flows through a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Dir {
    Request,
    Response,
}

/// Where a schema sits; the prefix of generated schema rule ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Subject {
    RequestBody,
    RequestProperty,
    RequestParameter,
    ResponseBody,
    ResponseProperty,
    ResponseHeader,
}

impl Subject {
    pub(crate) const ALL: [Subject; 6] = [
        Subject::RequestBody,
        Subject::RequestProperty,
        Subject::RequestParameter,
        Subject::ResponseBody,
        Subject::ResponseProperty,
        Subject::ResponseHeader,
    ];

    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Subject::RequestBody => "request-body",
            Subject::RequestProperty => "request-property",
            Subject::RequestParameter => "request-parameter",
            Subject::ResponseBody => "response-body",
            Subject::ResponseProperty => "response-property",
            Subject::ResponseHeader => "response-header",
        }
    }

    pub(crate) fn dir(self) -> Dir {
        match self {
            Subject::RequestBody | Subject::RequestProperty | Subject::RequestParameter => {
                Dir::Request
            }
            _ => Dir::Response,
        }
    }

    /// Parameters and headers are plain values: structural rules (composition,
    /// discriminator, additionalProperties) are not generated for them.
    pub(crate) fn value_only(self) -> bool {
        matches!(self, Subject::RequestParameter | Subject::ResponseHeader)
    }

    pub(crate) fn noun(self) -> &'static str {
        match self {
            Subject::RequestBody => "request body",
            Subject::RequestProperty => "request property",
            Subject::RequestParameter => "request parameter",
            Subject::ResponseBody => "response body",
            Subject::ResponseProperty => "response property",
            Subject::ResponseHeader => "response header",
        }
    }
}

/// A change to a schema value, independent of where the schema sits.
pub(crate) struct SchemaChange {
    pub suffix: &'static str,
    pub request: Level,
    pub response: Level,
    /// Widens the set of valid values (an addition when compatible).
    pub widens: bool,
    /// Also generated for parameters and headers.
    pub value: bool,
    pub what: &'static str,
}

pub(crate) const fn change(
    suffix: &'static str,
    request: Level,
    response: Level,
    widens: bool,
    value: bool,
    what: &'static str,
) -> SchemaChange {
    SchemaChange {
        suffix,
        request,
        response,
        widens,
        value,
        what,
    }
}
