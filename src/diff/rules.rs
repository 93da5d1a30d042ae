//! The rule catalog: every rule id the diff can emit, with its level, whether
//! it implies at least a minor version bump, and a one-line description.
//!
//! Pure: must not do I/O. Ids follow oasdiff's checker ids where oasdiff has
//! the same rule, so ignore lists carry over. Schema rules are generated as
//! `{subject}-{change}` (e.g. `request-property-max-length-decreased`) from
//! [`SCHEMA_CHANGES`] and [`BOUNDS`], with levels that depend on the direction:
//! narrowing a request or widening a response is what breaks clients.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use super::keyword_rules::{BODY_RULES, KEYWORD_CHANGES};
use super::level::Level;
use super::rationale;
use super::schema_change::{Dir, SchemaChange, Subject, change};
use Level::{Breaking as B, Info as I, Warning as W};

/// One entry of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub level: Level,
    /// Implies at least a minor version bump (an addition) when not breaking.
    pub minor: bool,
    pub description: String,
    /// Why the rule has its level (and where it differs from oasdiff, why).
    pub rationale: String,
}

/// Schema changes other than numeric bounds.
#[rustfmt::skip]
pub(crate) const SCHEMA_CHANGES: &[SchemaChange] = &[
    change("type-changed", B, B, false, true, "type changed incompatibly"),
    change("type-generalized", I, B, true, true, "type widened (e.g. integer to number)"),
    change("type-specialized", B, I, false, true, "type narrowed (e.g. number to integer)"),
    change("list-of-types-widened", I, B, true, true, "list of types widened"),
    change("list-of-types-narrowed", B, I, false, true, "list of types narrowed"),
    change("became-nullable", I, B, true, true, "became nullable"),
    change("became-not-nullable", B, I, false, true, "became not nullable"),
    change("format-changed", W, W, false, true, "format changed"),
    change("enum-value-added", I, W, true, true, "enum value added"),
    change("enum-value-removed", B, I, false, true, "enum value removed"),
    change("became-enum", B, I, false, true, "restricted to a list of enum values"),
    change("enum-removed", I, W, true, true, "no longer restricted to enum values"),
    change("const-added", B, I, false, true, "const value set"),
    change("const-removed", I, W, true, true, "const value unset"),
    change("const-changed", B, B, false, true, "const value changed"),
    change("default-value-added", I, I, false, true, "default value added"),
    change("default-value-removed", W, I, false, true, "default value removed"),
    change("default-value-changed", W, I, false, true, "default value changed"),
    change("pattern-added", B, I, false, true, "pattern added"),
    change("pattern-removed", I, W, true, true, "pattern removed"),
    change("pattern-changed", W, W, false, true, "pattern changed"),
    change("multiple-of-changed", W, W, false, true, "multipleOf changed"),
    change("additional-properties-narrowed", B, I, false, false, "additional properties restricted"),
    change("additional-properties-widened", I, W, true, false, "additional properties allowed"),
    change("one-of-added", I, W, true, false, "alternative added to oneOf"),
    change("one-of-removed", B, I, false, false, "alternative removed from oneOf"),
    change("any-of-added", I, W, true, false, "alternative added to anyOf"),
    change("any-of-removed", B, I, false, false, "alternative removed from anyOf"),
    change("discriminator-added", W, W, false, false, "discriminator added"),
    change("discriminator-removed", W, W, false, false, "discriminator removed"),
    change("discriminator-property-name-changed", B, B, false, false, "discriminator property name changed"),
    change("discriminator-mapping-added", I, W, true, false, "discriminator mapping keys added"),
    change("discriminator-mapping-deleted", B, I, false, false, "discriminator mapping keys removed"),
    change("discriminator-mapping-changed", B, B, false, false, "discriminator mapping value changed"),
];

/// A numeric bound keyword: id part, JSON keyword, and whether it is an upper bound.
pub(crate) struct Bound {
    pub id: &'static str,
    pub keyword: &'static str,
    pub upper: bool,
}

#[rustfmt::skip]
pub(crate) const BOUNDS: &[Bound] = &[
    Bound { id: "max-length", keyword: "maxLength", upper: true },
    Bound { id: "min-length", keyword: "minLength", upper: false },
    Bound { id: "max", keyword: "maximum", upper: true },
    Bound { id: "min", keyword: "minimum", upper: false },
    Bound { id: "exclusive-max", keyword: "exclusiveMaximum", upper: true },
    Bound { id: "exclusive-min", keyword: "exclusiveMinimum", upper: false },
    Bound { id: "max-items", keyword: "maxItems", upper: true },
    Bound { id: "min-items", keyword: "minItems", upper: false },
    Bound { id: "max-properties", keyword: "maxProperties", upper: true },
    Bound { id: "min-properties", keyword: "minProperties", upper: false },
    Bound { id: "max-contains", keyword: "maxContains", upper: true },
    Bound { id: "min-contains", keyword: "minContains", upper: false },
];

/// The four movements of a bound: (suffix, narrows).
pub(crate) fn bound_moves(bound: &Bound) -> [(&'static str, bool); 4] {
    if bound.upper {
        [
            ("decreased", true),
            ("increased", false),
            ("set", true),
            ("unset", false),
        ]
    } else {
        [
            ("increased", true),
            ("decreased", false),
            ("set", true),
            ("unset", false),
        ]
    }
}

/// Rules that are not generated per schema subject.
#[rustfmt::skip]
const FIXED: &[(&str, Level, bool, &str)] = &[
    // endpoints
    ("api-path-removed-without-deprecation", B, false, "a path was removed without being deprecated first"),
    ("api-path-removed-with-deprecation", I, false, "a deprecated path was removed"),
    ("api-removed-without-deprecation", B, false, "an operation was removed without being deprecated first"),
    ("api-removed-with-deprecation", I, false, "a deprecated operation was removed"),
    ("endpoint-added", I, true, "an operation was added"),
    ("webhook-added", I, true, "a webhook (3.1 `webhooks`) was added"),
    ("webhook-removed", B, false, "a webhook (3.1 `webhooks`) was removed"),
    ("endpoint-deprecated", I, false, "an operation was deprecated"),
    ("endpoint-reactivated", I, false, "an operation is no longer deprecated"),
    ("api-operation-id-removed", B, false, "an operationId was removed or changed (generated SDK method names change)"),
    ("api-operation-id-added", I, false, "an operationId was added"),
    ("api-tag-removed", I, false, "a tag was removed from an operation"),
    ("api-tag-added", I, false, "a tag was added to an operation"),
    // request body
    ("request-body-added-required", B, false, "a required request body was added"),
    ("request-body-added-optional", I, true, "an optional request body was added"),
    ("request-body-removed", B, false, "the request body was removed"),
    ("request-body-became-required", B, false, "the request body became required"),
    ("request-body-became-optional", I, true, "the request body became optional"),
    ("request-body-media-type-removed", B, false, "a request body media type was removed"),
    ("request-body-media-type-added", I, true, "a request body media type was added"),
    // responses
    ("response-success-status-removed", B, false, "a success (1xx-3xx) response status was removed"),
    ("response-non-success-status-removed", W, false, "an error or default response status was removed"),
    ("response-success-status-added", I, false, "a success response status was added"),
    ("response-non-success-status-added", I, false, "an error or default response status was added"),
    ("response-media-type-removed", B, false, "a response media type was removed"),
    ("response-media-type-added", I, false, "a response media type was added"),
    ("required-response-header-removed", B, false, "a required response header was removed"),
    ("optional-response-header-removed", W, false, "an optional response header was removed"),
    ("response-header-became-optional", B, false, "a response header became optional"),
    ("response-header-became-required", I, false, "a response header became required"),
    ("response-header-added", I, false, "a response header was added"),
    // parameters
    ("new-required-request-parameter", B, false, "a required request parameter was added"),
    ("new-optional-request-parameter", I, true, "an optional request parameter was added"),
    ("request-parameter-removed", W, false, "a request parameter was removed"),
    ("request-parameter-removed-with-deprecation", I, false, "a deprecated request parameter was removed"),
    ("request-parameter-became-required", B, false, "a request parameter became required"),
    ("request-parameter-became-optional", I, true, "a request parameter became optional"),
    ("request-parameter-deprecated", I, false, "a request parameter was deprecated"),
    ("request-parameter-reactivated", I, false, "a request parameter is no longer deprecated"),
    ("request-path-parameter-renamed", I, false, "a path parameter was renamed (matched by position; not breaking on the wire)"),
    ("request-parameter-style-changed", B, false, "a request parameter's style or explode serialization changed"),
    // request properties
    ("new-required-request-property", B, false, "a required request property was added"),
    ("new-required-request-property-with-default", B, false, "a required request property with a default value was added"),
    ("new-optional-request-property", I, true, "an optional request property was added"),
    ("request-property-removed", W, false, "a request property was removed"),
    ("request-property-became-required", B, false, "a request property became required"),
    ("request-property-became-optional", I, true, "a request property became optional"),
    ("request-property-deprecated", I, false, "a request property was deprecated"),
    ("request-property-reactivated", I, false, "a request property is no longer deprecated"),
    ("request-required-property-became-read-only", W, false, "a required request property became readOnly (clients' values are ignored)"),
    ("request-optional-property-became-read-only", W, false, "an optional request property became readOnly (clients' values are ignored)"),
    ("request-required-property-became-not-read-only", B, false, "a required readOnly property became writable, so requests must now send it"),
    ("request-optional-property-became-not-read-only", I, true, "an optional readOnly property became writable"),
    ("request-required-property-became-write-only", I, false, "a required request property became writeOnly"),
    ("request-optional-property-became-write-only", I, false, "an optional request property became writeOnly"),
    ("request-required-property-became-not-write-only", I, false, "a required request property is no longer writeOnly"),
    ("request-optional-property-became-not-write-only", I, false, "an optional request property is no longer writeOnly"),
    // response properties
    ("response-required-property-removed", B, false, "a required response property was removed"),
    ("response-optional-property-removed", W, false, "an optional response property was removed"),
    ("response-required-property-added", I, true, "a required response property was added"),
    ("response-optional-property-added", I, true, "an optional response property was added"),
    ("response-property-became-optional", B, false, "a response property became optional"),
    ("response-property-became-required", I, false, "a response property became required"),
    ("response-property-deprecated", I, false, "a response property was deprecated"),
    ("response-property-reactivated", I, false, "a response property is no longer deprecated"),
    ("response-required-property-became-write-only", B, false, "a required response property became writeOnly (no longer returned)"),
    ("response-optional-property-became-write-only", W, false, "an optional response property became writeOnly (no longer returned)"),
    ("response-required-property-became-not-write-only", I, true, "a required writeOnly property is now returned in responses"),
    ("response-optional-property-became-not-write-only", I, true, "an optional writeOnly property is now returned in responses"),
    // security
    ("api-security-added", I, false, "an alternative security requirement was added to an operation"),
    ("api-security-removed", B, false, "an alternative security requirement was removed from an operation"),
    ("api-security-became-required", B, false, "an operation that needed no authentication now requires it"),
    ("api-security-became-optional", I, false, "an operation no longer requires authentication"),
    ("api-security-scheme-renamed", I, false, "an operation's security requirement now names a different but identically defined scheme"),
    ("api-security-scope-added", B, false, "a scope was added to an operation's security requirement"),
    ("api-security-scope-removed", I, false, "a scope was removed from an operation's security requirement"),
    ("api-global-security-added", I, false, "an alternative global security requirement was added"),
    ("api-global-security-removed", B, false, "an alternative global security requirement was removed"),
    ("api-global-security-became-required", B, false, "the API now requires authentication by default"),
    ("api-global-security-became-optional", I, false, "the API no longer requires authentication by default"),
    ("api-global-security-scheme-renamed", I, false, "a global security requirement now names a different but identically defined scheme"),
    ("api-global-security-scope-added", B, false, "a scope was added to a global security requirement"),
    ("api-global-security-scope-removed", I, false, "a scope was removed from a global security requirement"),
    ("api-security-component-added", I, false, "a security scheme was added to components/securitySchemes"),
    ("api-security-component-removed", W, false, "a security scheme was removed from components/securitySchemes"),
    ("api-security-component-type-changed", B, false, "a security scheme's type changed"),
    ("api-security-component-scheme-changed", B, false, "an http security scheme's scheme changed (e.g. basic to bearer)"),
    ("api-security-component-in-changed", B, false, "an apiKey security scheme moved (header, query, cookie)"),
    ("api-security-component-name-changed", B, false, "an apiKey security scheme's parameter name changed"),
    ("api-security-component-oauth-flow-added", I, false, "an OAuth flow was added to a security scheme"),
    ("api-security-component-oauth-flow-removed", B, false, "an OAuth flow was removed from a security scheme"),
    ("api-security-component-oauth-url-changed", W, false, "an OAuth authorization URL changed"),
    ("api-security-component-oauth-token-url-changed", W, false, "an OAuth token URL changed"),
    ("api-security-component-oauth-scope-added", I, false, "an OAuth scope was added to a security scheme"),
    ("api-security-component-oauth-scope-removed", W, false, "an OAuth scope was removed from a security scheme"),
    ("api-security-component-openid-url-changed", W, false, "an OpenID Connect discovery URL changed"),
    // servers
    ("api-server-removed", W, false, "a server URL was removed"),
    ("api-server-added", I, false, "a server URL was added"),
    ("api-server-variable-default-changed", W, false, "a server variable's default value changed"),
    ("api-server-variable-enum-value-removed", W, false, "a value was removed from a server variable's enum"),
];

struct Catalog {
    rules: Vec<RuleInfo>,
    by_id: HashMap<String, usize>,
}

fn level_for(dir: Dir, request: Level, response: Level) -> Level {
    match dir {
        Dir::Request => request,
        Dir::Response => response,
    }
}

fn fixed_rule(id: &str, level: Level, minor: bool, description: &str) -> RuleInfo {
    RuleInfo {
        id: id.to_owned(),
        level,
        minor,
        description: description.to_owned(),
        rationale: rationale::for_fixed(id).unwrap_or_default().to_owned(),
    }
}

/// A generated rule, with its level override (and rationale) if it has one.
fn generated(subject: Subject, suffix: &str, level: Level, widens: bool, what: &str) -> RuleInfo {
    let id = format!("{}-{suffix}", subject.prefix());
    let (level, rationale) = match rationale::override_for(&id) {
        Some((level, why)) => (level, why.to_owned()),
        None => (level, rationale::for_change(suffix, subject.dir(), level)),
    };
    RuleInfo {
        id,
        level,
        minor: widens && level != B,
        description: format!("{}: {what}", subject.noun()),
        rationale,
    }
}

fn build() -> Catalog {
    let mut rules: Vec<RuleInfo> = FIXED
        .iter()
        .chain(BODY_RULES)
        .map(|(id, level, minor, description)| fixed_rule(id, *level, *minor, description))
        .collect();
    for subject in Subject::ALL {
        for change in SCHEMA_CHANGES.iter().chain(KEYWORD_CHANGES) {
            if subject.value_only() && !change.value {
                continue;
            }
            let level = level_for(subject.dir(), change.request, change.response);
            rules.push(generated(
                subject,
                change.suffix,
                level,
                change.widens,
                change.what,
            ));
        }
        for bound in BOUNDS {
            for (movement, narrows) in bound_moves(bound) {
                let level = match (subject.dir(), narrows) {
                    (Dir::Request, true) | (Dir::Response, false) => B,
                    _ => I,
                };
                let suffix = format!("{}-{movement}", bound.id);
                let what = format!("{} {movement}", bound.keyword);
                rules.push(generated(subject, &suffix, level, !narrows, &what));
            }
        }
    }
    let by_id = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.id.clone(), i))
        .collect();
    Catalog { rules, by_id }
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(build)
}

/// Every rule the diff can emit, in a stable order.
pub fn rules() -> &'static [RuleInfo] {
    &catalog().rules
}

/// Looks one rule up by id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    let catalog = catalog();
    catalog.by_id.get(id).map(|&i| &catalog.rules[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for rule in rules() {
            assert!(seen.insert(rule.id.as_str()), "duplicate {}", rule.id);
            assert!(
                rule.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                rule.id
            );
        }
        assert!(rules().len() >= 120);
        assert_eq!(
            rule("request-property-max-length-decreased").unwrap().level,
            B
        );
        assert_eq!(
            rule("response-property-max-length-increased")
                .unwrap()
                .level,
            B
        );
        assert_eq!(rule("response-property-enum-value-added").unwrap().level, W);
    }
}
