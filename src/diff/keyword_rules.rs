//! Rule table entries for the JSON Schema 2020-12 keywords that OpenAPI 3.1
//! allows (compared in [`super::keywords`]), with oasdiff's rule ids and
//! levels: a keyword that appears narrows (breaking in a request, info in a
//! response), one that disappears widens (the reverse).
//!
//! Pure data: must not do I/O.

use super::level::Level::{self, Breaking as B, Info as I, Warning as W};
use super::schema_change::{SchemaChange, change};

/// Generated for the four body and property subjects, like `SCHEMA_CHANGES`.
#[rustfmt::skip]
pub(crate) const KEYWORD_CHANGES: &[SchemaChange] = &[
    // oasdiff: sub-schema added to prefixItems is INFO in a request and ERR
    // in a response (a tuple that allows one more position widens).
    change("prefix-items-added", I, B, true, false, "prefixItems gained a position"),
    change("prefix-items-removed", B, I, false, false, "prefixItems lost a position"),
    change("contains-added", B, I, false, false, "contains constraint added"),
    change("contains-removed", I, B, true, false, "contains constraint removed"),
    change("if-added", B, I, false, false, "if subschema added"),
    change("if-removed", I, B, true, false, "if subschema removed"),
    change("then-added", B, I, false, false, "then subschema added"),
    change("then-removed", I, B, true, false, "then subschema removed"),
    change("else-added", B, I, false, false, "else subschema added"),
    change("else-removed", I, B, true, false, "else subschema removed"),
    change("dependent-required-added", B, I, false, false, "dependentRequired entry added"),
    change("dependent-required-removed", I, B, true, false, "dependentRequired entry removed"),
    change("dependent-required-changed", B, B, false, false, "dependentRequired entry changed"),
    change("dependent-schema-added", B, I, false, false, "dependentSchemas entry added"),
    change("dependent-schema-removed", I, B, true, false, "dependentSchemas entry removed"),
    change("pattern-property-added", B, I, false, false, "patternProperties entry added"),
    change("pattern-property-removed", I, B, true, false, "patternProperties entry removed"),
    change("property-names-added", B, I, false, false, "propertyNames constraint added"),
    change("property-names-removed", I, B, true, false, "propertyNames constraint removed"),
    change("unevaluated-items-added", B, I, false, false, "unevaluatedItems constraint added"),
    change("unevaluated-items-removed", I, B, true, false, "unevaluatedItems constraint removed"),
    change("unevaluated-properties-added", B, I, false, false, "unevaluatedProperties constraint added"),
    change("unevaluated-properties-removed", I, B, true, false, "unevaluatedProperties constraint removed"),
    change("content-schema-added", B, I, false, false, "contentSchema added"),
    change("content-schema-removed", I, B, true, false, "contentSchema removed"),
    change("content-media-type-changed", B, B, false, false, "contentMediaType changed"),
    change("content-encoding-changed", B, B, false, false, "contentEncoding changed"),
    change("unique-items-set", B, I, false, false, "array items must now be unique"),
    change("unique-items-unset", I, B, true, false, "array items need no longer be unique"),
    // Not in oasdiff.
    change("one-of-branches-overlap", B, W, false, false, "oneOf alternatives now overlap"),
];

/// Rules only bodies have: (id, level, minor, description).
#[rustfmt::skip]
pub(crate) const BODY_RULES: &[(&str, Level, bool, &str)] = &[
    ("request-body-media-type-schema-added", B, false, "a request media type that took any body now has a schema"),
    ("request-body-media-type-schema-removed", I, true, "a request media type no longer has a schema (any body is accepted)"),
    ("response-body-media-type-schema-added", I, false, "a response media type that had no schema now has one"),
    ("response-body-media-type-schema-removed", B, false, "a response media type no longer has a schema (anything may be returned)"),
];
