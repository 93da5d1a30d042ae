//! Why each rule has its level: one rationale per rule, shown by
//! `specrelay rules` and in the JSON catalogue, and the level exceptions
//! where a generated schema rule, or our level, differs from the default.
//!
//! The yardsticks are oasdiff's levels (error = breaking, warn = warning,
//! info = info) and what breaks a generated SDK or a strict server. Where we
//! differ from oasdiff on purpose, the rationale says so ("oasdiff: ...").
//!
//! Pure data: must not do I/O.

use super::level::Level::{self, Breaking as B};
use super::schema_change::Dir;

/// Generated schema rules whose level is not the table default, with why.
#[rustfmt::skip]
pub(crate) const LEVEL_OVERRIDES: &[(&str, Level, &str)] = &[
    ("request-parameter-default-value-changed", B,
     "Clients that omit the parameter relied on the old default; the server now applies another value to the same request (oasdiff: error)."),
    ("request-parameter-default-value-removed", B,
     "Clients that omit the parameter relied on the default; the server no longer promises any value for it."),
    ("response-body-one-of-added", B,
     "A new alternative in a response is a shape old clients cannot decode: generated union types have no case for it and strict deserialisers reject it."),
    ("response-property-one-of-added", B,
     "A new alternative in a response is a shape old clients cannot decode: generated union types have no case for it and strict deserialisers reject it."),
    ("response-body-any-of-added", B,
     "A new alternative in a response is a shape old clients cannot decode: generated union types have no case for it."),
    ("response-property-any-of-added", B,
     "A new alternative in a response is a shape old clients cannot decode: generated union types have no case for it."),
];

/// Rationales of the fixed rules (and of generated rules that need more
/// than the per-change text), by id.
#[rustfmt::skip]
pub(crate) const RATIONALES: &[(&str, &str)] = &[
    ("api-path-removed-without-deprecation", "Every call to the path now fails (404); clients had no deprecation period to move."),
    ("api-path-removed-with-deprecation", "The path was deprecated first, so clients were warned; the removal is the announced end of life."),
    ("api-removed-without-deprecation", "Every call to the operation now fails; clients had no deprecation period to move."),
    ("api-removed-with-deprecation", "The operation was deprecated first, so clients were warned; the removal is the announced end of life."),
    ("endpoint-added", "New capability; nothing existing changes."),
    ("webhook-added", "A new event the API may send; receivers that do not subscribe are unaffected."),
    ("webhook-removed", "Receivers built for the event stop getting it and their integration silently stops working (oasdiff: error). Was a warning; raised because nothing downstream can detect it."),
    ("endpoint-deprecated", "A signal to plan a move; the operation still works."),
    ("endpoint-reactivated", "The operation is supported again; nothing breaks."),
    ("api-operation-id-removed", "specrelay generates SDK methods named after operationId: a removed or renamed operationId renames the SDK method and breaks every caller at compile time. oasdiff: info, because it does not generate code."),
    ("api-operation-id-added", "A new operationId names a method that did not have a stable name; nothing existing changes."),
    ("api-tag-removed", "Tags group documentation; the wire contract is unchanged."),
    ("api-tag-added", "Tags group documentation; the wire contract is unchanged."),
    ("request-body-added-required", "Clients that send no body are now rejected."),
    ("request-body-added-optional", "Clients may send a body; those that do not are unaffected."),
    ("request-body-removed", "Clients still send the body the old spec described, which the server no longer reads or rejects outright; generated SDKs lose the parameter (oasdiff: error). Was a warning."),
    ("request-body-became-required", "Clients that omit the body are now rejected."),
    ("request-body-became-optional", "Clients may now omit the body; those that send it are unaffected."),
    ("request-body-media-type-removed", "Clients sending that content type are now rejected (415)."),
    ("request-body-media-type-added", "Another accepted content type; existing clients are unaffected."),
    ("request-body-media-type-schema-added", "A media type that took any body now constrains it: bodies that were valid may be rejected (oasdiff: error)."),
    ("request-body-media-type-schema-removed", "The server accepts any body for the media type; every body that was valid still is (oasdiff: info)."),
    ("response-body-media-type-schema-added", "The response gains a description; what is returned did not change for clients (oasdiff: info)."),
    ("response-body-media-type-schema-removed", "Clients lose the guarantee of a typed body: generated SDKs fall back to an untyped value and code reading fields breaks (oasdiff: error)."),
    ("response-success-status-removed", "Clients that handle that success status no longer get it and may treat the new one as an error."),
    ("response-non-success-status-removed", "Error handling written for that status is dead code; a client may mis-handle what replaced it. Worth a look, rarely breaking."),
    ("response-success-status-added", "Clients that only expect the old success statuses may treat the new one as unexpected; most SDKs accept any 2xx."),
    ("response-non-success-status-added", "Errors are already possible; documenting another one breaks nothing."),
    ("response-media-type-removed", "Clients that request or parse that content type no longer get it."),
    ("response-media-type-added", "Another content type the server can return when asked; existing clients keep asking for theirs."),
    ("required-response-header-removed", "Clients that read the header find it missing."),
    ("optional-response-header-removed", "The header was optional, so careful clients handle its absence; careless ones may not."),
    ("response-header-became-optional", "Clients that read the header may find it missing."),
    ("response-header-became-required", "A stronger guarantee for clients; nothing breaks."),
    ("response-header-added", "Clients ignore headers they do not read."),
    ("new-required-request-parameter", "Existing calls lack the parameter and are rejected."),
    ("new-optional-request-parameter", "Existing calls remain valid."),
    ("request-parameter-removed", "Servers usually ignore unknown parameters, but a value a client sends no longer has any effect; generated SDKs lose the argument (oasdiff: warning)."),
    ("request-parameter-removed-with-deprecation", "The parameter was deprecated first, so clients were warned."),
    ("request-parameter-became-required", "Calls that omit the parameter are now rejected."),
    ("request-parameter-became-optional", "Every call that was valid still is."),
    ("request-parameter-deprecated", "A signal to plan a move; the parameter still works."),
    ("request-parameter-reactivated", "The parameter is supported again."),
    ("request-path-parameter-renamed", "Path parameters are positional on the wire; only generated argument names change."),
    ("request-parameter-style-changed", "Clients, including generated SDKs, serialise the parameter the old way (for example `a,b` instead of `a=1&a=2`) and the server now parses it differently. Was a warning; raised because it fails on every call that sends the parameter. oasdiff has no such rule."),
    ("new-required-request-property", "Existing request bodies lack the property and are rejected."),
    ("new-required-request-property-with-default", "Existing request bodies lack the property; a strict server rejects them even though a default exists (oasdiff: error)."),
    ("new-optional-request-property", "Existing request bodies remain valid."),
    ("request-property-removed", "A strict server (additionalProperties: false) rejects the old property and a lax one ignores it silently; either way the client's value is lost (oasdiff: warning)."),
    ("request-property-became-required", "Request bodies that omit the property are now rejected."),
    ("request-property-became-optional", "Every body that was valid still is."),
    ("request-property-deprecated", "A signal to plan a move; the property still works."),
    ("request-property-reactivated", "The property is supported again."),
    ("request-required-property-became-read-only", "Clients still send it, and the server now ignores the value they set."),
    ("request-optional-property-became-read-only", "Clients may still send it, and the server now ignores the value they set."),
    ("request-required-property-became-not-read-only", "A required property that clients never sent (it was readOnly) must now be sent: old requests are rejected."),
    ("request-optional-property-became-not-read-only", "Clients may now set the property; nothing existing changes."),
    ("request-required-property-became-write-only", "writeOnly only hides the property from responses; requests are unchanged."),
    ("request-optional-property-became-write-only", "writeOnly only hides the property from responses; requests are unchanged."),
    ("request-required-property-became-not-write-only", "Requests are unchanged."),
    ("request-optional-property-became-not-write-only", "Requests are unchanged."),
    ("response-required-property-removed", "Clients read a property that is no longer there: generated SDK types fail to deserialise or yield missing values."),
    ("response-optional-property-removed", "The property was optional, so careful clients handle its absence, but code that used it loses the data (oasdiff: warning)."),
    ("response-required-property-added", "Clients ignore properties they do not read; new SDK versions get the field."),
    ("response-optional-property-added", "Clients ignore properties they do not read."),
    ("response-property-became-optional", "Clients that assume the property is present may fail when it is absent."),
    ("response-property-became-required", "A stronger guarantee for clients."),
    ("response-property-deprecated", "A signal to plan a move; the property is still returned."),
    ("response-property-reactivated", "The property is supported again."),
    ("response-required-property-became-write-only", "A required property is no longer returned; clients reading it break."),
    ("response-optional-property-became-write-only", "An optional property is no longer returned; clients that used it lose the data."),
    ("response-required-property-became-not-write-only", "Responses carry one more property; clients ignore it."),
    ("response-optional-property-became-not-write-only", "Responses may carry one more property; clients ignore it."),
    ("api-security-added", "An alternative way to authenticate; existing credentials still work."),
    ("api-security-removed", "Clients that authenticated with the removed alternative are now refused."),
    ("api-security-became-required", "Anonymous calls are now refused."),
    ("api-security-became-optional", "Authenticated calls still work; anonymous ones are now allowed."),
    ("api-security-scheme-renamed", "The requirement names another scheme defined identically; what clients send is the same."),
    ("api-security-scope-added", "Tokens issued without the new scope are now refused."),
    ("api-security-scope-removed", "Tokens with the old scopes still carry enough."),
    ("api-global-security-added", "An alternative way to authenticate; existing credentials still work."),
    ("api-global-security-removed", "Clients that authenticated with the removed alternative are now refused."),
    ("api-global-security-became-required", "Anonymous calls are now refused."),
    ("api-global-security-became-optional", "Authenticated calls still work."),
    ("api-global-security-scheme-renamed", "The requirement names another scheme defined identically; what clients send is the same."),
    ("api-global-security-scope-added", "Tokens issued without the new scope are now refused."),
    ("api-global-security-scope-removed", "Tokens with the old scopes still carry enough."),
    ("api-security-component-added", "A scheme nobody uses yet changes nothing."),
    ("api-security-component-removed", "Operations that used it are reported by their own rules; an unused scheme's removal is worth a look (oasdiff: info)."),
    ("api-security-component-type-changed", "Clients send credentials of the old kind, which the server no longer accepts (oasdiff: info; raised because every authenticated call fails)."),
    ("api-security-component-scheme-changed", "Clients send `Basic` where `Bearer` is expected (or the reverse); every authenticated call fails."),
    ("api-security-component-in-changed", "Clients send the key where the server no longer looks for it; every authenticated call fails."),
    ("api-security-component-name-changed", "Clients send the key under a name the server no longer reads; every authenticated call fails."),
    ("api-security-component-oauth-flow-added", "Another way to obtain tokens; existing flows still work."),
    ("api-security-component-oauth-flow-removed", "Clients using that flow can no longer obtain tokens."),
    ("api-security-component-oauth-url-changed", "Configured clients still use the old URL; it may redirect or fail (oasdiff: info)."),
    ("api-security-component-oauth-token-url-changed", "Configured clients still use the old URL; it may redirect or fail (oasdiff: info)."),
    ("api-security-component-oauth-scope-added", "Another scope can be requested; nothing existing changes."),
    ("api-security-component-oauth-scope-removed", "Clients requesting the scope may be refused a token (oasdiff: info)."),
    ("api-security-component-openid-url-changed", "Configured clients still use the old discovery URL."),
    ("api-server-removed", "Clients configured with that base URL may stop reaching the API; most read the URL from configuration, so it is worth a look rather than breaking."),
    ("api-server-added", "Another base URL; nothing existing changes."),
    ("api-server-variable-default-changed", "Clients that rely on the default reach another server."),
    ("api-server-variable-enum-value-removed", "Clients configured with that value build a URL the spec no longer lists."),
];

/// The rationale of a generated schema change by its suffix, without the
/// direction sentence.
#[rustfmt::skip]
const CHANGE_RATIONALES: &[(&str, &str)] = &[
    ("type-changed", "Values of the old type are no longer valid and values of the new one are not understood: requests and responses both break."),
    ("type-generalized", "More types are valid."),
    ("type-specialized", "Fewer types are valid."),
    ("list-of-types-widened", "The list of types grew: more kinds of values are valid (oasdiff: list-of-types-widened)."),
    ("list-of-types-narrowed", "The list of types shrank: fewer kinds of values are valid (oasdiff: list-of-types-narrowed)."),
    ("became-nullable", "null is now valid."),
    ("became-not-nullable", "null is no longer valid."),
    ("format-changed", "A format change may or may not change the valid values (date to date-time does; int32 to int64 widens); worth a look."),
    ("enum-value-added", "One more value is valid. In a response, clients with exhaustive enums (generated SDKs) may not handle it: a warning, as in oasdiff."),
    ("enum-value-removed", "One value fewer is valid."),
    ("became-enum", "Only listed values are valid now."),
    ("enum-removed", "Any value of the type is valid now. In a response, clients with exhaustive enums may get values they do not handle."),
    ("const-added", "Only one value is valid now."),
    ("const-removed", "Any value of the type is valid now."),
    ("const-changed", "The one valid value is another one: old values are rejected and new ones not understood."),
    ("default-value-added", "Documents what the server does when the value is omitted; nothing changes for clients that send it."),
    ("default-value-removed", "Clients that omit the value relied on the default."),
    ("default-value-changed", "Clients that omit the value relied on the old default; in a request body the server now applies another value (oasdiff: info for properties, error for parameters)."),
    ("pattern-added", "Strings that do not match are no longer valid."),
    ("pattern-removed", "Any string is valid now."),
    ("pattern-changed", "A new pattern may accept or reject other strings; it cannot be decided in general, so a human should look (oasdiff: warning)."),
    ("multiple-of-changed", "Another step of valid numbers; old values may not be multiples of the new one."),
    ("additional-properties-narrowed", "Properties that were allowed beyond the declared ones are now rejected."),
    ("additional-properties-widened", "Undeclared properties are now allowed; in a response, strict clients may reject them."),
    ("one-of-added", "Another alternative is valid."),
    ("one-of-removed", "An alternative is no longer valid."),
    ("any-of-added", "Another alternative is valid."),
    ("any-of-removed", "An alternative is no longer valid."),
    ("discriminator-added", "Generated SDKs dispatch on the discriminator; adding it changes how values map to types."),
    ("discriminator-removed", "Generated SDKs lose the dispatch property and may mis-map values."),
    ("discriminator-property-name-changed", "Values carry the old discriminator property; neither side can tell the alternatives apart."),
    ("discriminator-mapping-added", "Another discriminator value maps to a type."),
    ("discriminator-mapping-deleted", "A discriminator value no longer maps to a type."),
    ("discriminator-mapping-changed", "A discriminator value maps to another type: values are decoded as the wrong type."),
    ("prefix-items-added", "prefixItems gained a position: tuples may be longer, so more arrays are valid (as oasdiff, which rates it info in requests and error in responses). The positions both sides have are compared one by one."),
    ("prefix-items-removed", "prefixItems lost a position: fewer arrays are valid (as oasdiff). The positions both sides have are compared one by one."),
    ("contains-added", "Arrays must now contain a matching item."),
    ("contains-removed", "Arrays no longer need a matching item."),
    ("if-added", "A condition now selects then/else constraints: values may be constrained that were not."),
    ("if-removed", "The conditional constraints no longer apply."),
    ("then-added", "Values that meet the if condition get more constraints."),
    ("then-removed", "Values that meet the if condition lose constraints."),
    ("else-added", "Values that fail the if condition get more constraints."),
    ("else-removed", "Values that fail the if condition lose constraints."),
    ("dependent-required-added", "A property now requires others to be present."),
    ("dependent-required-removed", "A property no longer requires others."),
    ("dependent-required-changed", "A property requires a different set of others: some valid objects become invalid (oasdiff: error both ways)."),
    ("dependent-schema-added", "A property's presence now adds constraints."),
    ("dependent-schema-removed", "A property's presence no longer adds constraints."),
    ("pattern-property-added", "Properties whose names match the pattern are now constrained."),
    ("pattern-property-removed", "Properties whose names match the pattern are no longer constrained."),
    ("property-names-added", "Property names are now constrained."),
    ("property-names-removed", "Property names are no longer constrained."),
    ("unevaluated-items-added", "Array items not covered by other keywords are now constrained (often forbidden)."),
    ("unevaluated-items-removed", "Array items not covered by other keywords are no longer constrained."),
    ("unevaluated-properties-added", "Properties not covered by other keywords are now constrained (often forbidden)."),
    ("unevaluated-properties-removed", "Properties not covered by other keywords are no longer constrained."),
    ("content-schema-added", "The string's decoded content is now constrained."),
    ("content-schema-removed", "The string's decoded content is no longer constrained."),
    ("content-media-type-changed", "The string carries another kind of content: old clients encode or decode it wrongly (oasdiff: error)."),
    ("content-encoding-changed", "The string is encoded differently (for example base64 to base32): old clients encode or decode it wrongly (oasdiff: error)."),
    ("unique-items-set", "Arrays with repeated items are no longer valid."),
    ("unique-items-unset", "Arrays may now repeat items; in a response, clients that put them in a set lose duplicates."),
    ("one-of-branches-overlap", "A value that matched exactly one oneOf alternative may now match two, and oneOf then rejects it: a strict server refuses requests that were valid; in a response, clients that pick the alternative by validation cannot decide. oasdiff has no such rule."),
];

/// The rationale of a generated schema rule: the change, then what its
/// direction means for clients.
pub(crate) fn for_change(suffix: &str, dir: Dir, level: Level) -> String {
    let what = CHANGE_RATIONALES
        .iter()
        .find(|(s, _)| *s == suffix)
        .map(|(_, text)| (*text).to_owned())
        .unwrap_or_else(|| bound_rationale(suffix));
    let consequence = match (level, dir) {
        (Level::Breaking, Dir::Request) => {
            "In a request, values clients send today can be rejected: breaking."
        }
        (Level::Breaking, Dir::Response) => {
            "In a response, clients (and SDKs generated from the old spec) can get values they do not expect: breaking."
        }
        (Level::Warning, _) => "Whether clients break depends on the values: a warning.",
        (Level::Info, Dir::Request) => "In a request, every value clients send today stays valid.",
        (Level::Info, Dir::Response) => {
            "In a response, clients only get values they already handle."
        }
    };
    format!("{what} {consequence}")
}

fn bound_rationale(suffix: &str) -> String {
    let tightens = ["-decreased", "-increased", "-set", "-unset"]
        .iter()
        .any(|m| suffix.ends_with(m));
    if tightens {
        format!(
            "A numeric bound moved ({suffix}): the range of valid values changed in one direction."
        )
    } else {
        format!("The schema changed ({suffix}).")
    }
}

/// A fixed rule's rationale.
pub(crate) fn for_fixed(id: &str) -> Option<&'static str> {
    RATIONALES.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// The level override of a generated rule and its rationale.
pub(crate) fn override_for(id: &str) -> Option<(Level, &'static str)> {
    LEVEL_OVERRIDES
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, level, why)| (*level, *why))
}

#[cfg(test)]
mod tests {
    use super::super::finding::Level::{Breaking as B, Info as I, Warning as W};
    use super::super::{rule, rules};
    use super::*;

    #[test]
    fn every_rule_has_a_rationale_and_every_entry_a_rule() {
        for r in rules() {
            assert!(r.rationale.len() > 20, "{} has no rationale", r.id);
        }
        for (id, _) in RATIONALES {
            assert!(rule(id).is_some(), "rationale for unknown rule {id}");
        }
        for (id, level, _) in LEVEL_OVERRIDES {
            assert_eq!(rule(id).map(|r| r.level), Some(*level), "{id}");
        }
    }

    /// The level table as reviewed against oasdiff and generated SDKs.
    #[test]
    fn the_reviewed_levels() {
        #[rustfmt::skip]
        let table = [
            ("request-body-removed", B),
            ("webhook-removed", B),
            ("request-parameter-default-value-changed", B),
            ("request-property-default-value-changed", W),
            ("response-property-one-of-added", B),
            ("response-body-any-of-added", B),
            ("request-body-one-of-added", I),
            ("response-property-list-of-types-widened", B),
            ("request-body-list-of-types-narrowed", B),
            ("request-body-list-of-types-widened", I),
            ("api-operation-id-removed", B),
            ("request-parameter-style-changed", B),
            ("request-body-media-type-schema-added", B),
            ("response-body-media-type-schema-removed", B),
            ("request-property-prefix-items-added", I),
            ("response-property-prefix-items-added", B),
            ("request-body-contains-added", B),
            ("response-body-contains-removed", B),
            ("request-parameter-max-contains-decreased", B),
            ("response-header-min-contains-unset", B),
            ("request-property-dependent-required-changed", B),
            ("response-property-dependent-required-changed", B),
            ("request-body-unevaluated-properties-added", B),
            ("response-body-unevaluated-properties-added", I),
            ("request-body-one-of-branches-overlap", B),
            ("response-body-one-of-branches-overlap", W),
            ("response-property-enum-value-added", W),
        ];
        for (id, level) in table {
            assert_eq!(rule(id).map(|r| r.level), Some(level), "{id}");
        }
        assert!(rule("request-parameter-one-of-branches-overlap").is_none());
    }
}
