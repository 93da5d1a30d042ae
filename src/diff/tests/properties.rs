//! Object properties, with the request/response asymmetry and
//! readOnly/writeOnly.
//! Pure test code: builds documents in memory and must not do I/O.

use serde_json::{Value, json};

use super::{Case, Place, case, get_response, obj, post_body, run};

fn s() -> Value {
    json!({"type": "string"})
}

fn flagged(flag: &str) -> Value {
    json!({"type": "string", flag: true})
}

/// Runs the same (base, revision) object pair as request and as response body.
fn both(name: &str, base: Value, rev: Value, request: &[&str], response: &[&str]) -> [Case; 2] {
    [
        case(
            &format!("request: {name}"),
            post_body(base.clone()),
            post_body(rev.clone()),
            request,
        ),
        case(
            &format!("response: {name}"),
            get_response(base),
            get_response(rev),
            response,
        ),
    ]
}

pub(super) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let id_only = obj(json!({"id": s()}), &["id"]);
    out.extend(both(
        "required property added",
        id_only.clone(),
        obj(json!({"id": s(), "name": s()}), &["id", "name"]),
        &["new-required-request-property"],
        &["response-required-property-added"],
    ));
    out.extend(both(
        "required property with default added",
        id_only.clone(),
        obj(
            json!({"id": s(), "name": {"type": "string", "default": "x"}}),
            &["id", "name"],
        ),
        &["new-required-request-property-with-default"],
        &["response-required-property-added"],
    ));
    out.extend(both(
        "optional property added",
        id_only.clone(),
        obj(json!({"id": s(), "name": s()}), &["id"]),
        &["new-optional-request-property"],
        &["response-optional-property-added"],
    ));
    out.extend(both(
        "required property removed",
        obj(json!({"id": s(), "name": s()}), &["id", "name"]),
        id_only.clone(),
        &["request-property-removed"],
        &["response-required-property-removed"],
    ));
    out.extend(both(
        "optional property removed",
        obj(json!({"id": s(), "name": s()}), &["id"]),
        id_only.clone(),
        &["request-property-removed"],
        &["response-optional-property-removed"],
    ));
    out.extend(both(
        "property became required",
        obj(json!({"id": s()}), &[]),
        id_only.clone(),
        &["request-property-became-required"],
        &["response-property-became-required"],
    ));
    out.extend(both(
        "property became optional",
        id_only.clone(),
        obj(json!({"id": s()}), &[]),
        &["request-property-became-optional"],
        &["response-property-became-optional"],
    ));
    out.extend(both(
        "property deprecated",
        id_only.clone(),
        obj(json!({"id": flagged("deprecated")}), &["id"]),
        &["request-property-deprecated"],
        &["response-property-deprecated"],
    ));
    out.extend(both(
        "property reactivated",
        obj(json!({"id": flagged("deprecated")}), &["id"]),
        id_only.clone(),
        &["request-property-reactivated"],
        &["response-property-reactivated"],
    ));
    // readOnly / writeOnly
    for required in [true, false] {
        let req: &[&str] = if required { &["id"] } else { &[] };
        let kind = if required { "required" } else { "optional" };
        let plain = obj(json!({"id": s()}), req);
        let read_only = obj(json!({"id": flagged("readOnly")}), req);
        let write_only = obj(json!({"id": flagged("writeOnly")}), req);
        let id = |side: &str, which: &str| Some(format!("{side}-{kind}-property-became-{which}"));
        // (what, where the schema sits, base, revision, expected rule)
        #[rustfmt::skip]
        let flips: [(&str, Place, &Value, &Value, Option<String>); 7] = [
            ("became readOnly", post_body, &plain, &read_only, id("request", "read-only")),
            ("became writable", post_body, &read_only, &plain, id("request", "not-read-only")),
            ("became writeOnly (request)", post_body, &plain, &write_only, id("request", "write-only")),
            ("not writeOnly (request)", post_body, &write_only, &plain, id("request", "not-write-only")),
            ("became writeOnly (response)", get_response, &plain, &write_only, id("response", "write-only")),
            ("not writeOnly (response)", get_response, &write_only, &plain, id("response", "not-write-only")),
            // readOnly in responses and writeOnly in requests change nothing for clients.
            ("readOnly in response", get_response, &plain, &read_only, None),
        ];
        for (what, place, base, rev, expect) in flips {
            let expect: Vec<&str> = expect.iter().map(String::as_str).collect();
            out.push(case(
                &format!("{kind} {what}"),
                place(base.clone()),
                place(rev.clone()),
                &expect,
            ));
        }
    }
    out.extend(both(
        "readOnly property added as required",
        id_only.clone(),
        obj(
            json!({"id": s(), "created": flagged("readOnly")}),
            &["id", "created"],
        ),
        &[],
        &["response-required-property-added"],
    ));
    out.extend(both(
        "writeOnly property removed",
        obj(
            json!({"id": s(), "secret": flagged("writeOnly")}),
            &["id", "secret"],
        ),
        id_only.clone(),
        &["request-property-removed"],
        &[],
    ));
    out.extend(both(
        "nested property removed",
        obj(
            json!({"owner": obj(json!({"id": s(), "name": s()}), &["id", "name"])}),
            &["owner"],
        ),
        obj(
            json!({"owner": obj(json!({"id": s()}), &["id"])}),
            &["owner"],
        ),
        &["request-property-removed"],
        &["response-required-property-removed"],
    ));
    out.extend(both(
        "array item property became required",
        json!({"type": "array", "items": obj(json!({"id": s()}), &[])}),
        json!({"type": "array", "items": id_only}),
        &["request-property-became-required"],
        &["response-property-became-required"],
    ));
    out
}

#[test]
fn property_cases() {
    run(&cases());
}

#[test]
fn property_messages_carry_the_path() {
    let base = get_response(obj(
        json!({"owner": obj(json!({"name": s()}), &["name"])}),
        &[],
    ));
    let rev = get_response(obj(json!({"owner": obj(json!({}), &[])}), &[]));
    let findings = super::run_diff(&base, &rev);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].message,
        "Response property `owner.name` (status 200): was removed."
    );
    assert_eq!(
        findings[0].base_pointer.as_deref(),
        Some(
            "/paths/~1x/get/responses/200/content/application~1json/schema/properties/owner/properties/name"
        )
    );
}
