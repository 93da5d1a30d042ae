//! Security requirements (operation and global), security schemes, servers.
//! Pure test code: builds documents in memory and must not do I/O.

use serde_json::{Value, json};

use super::{Case, api, case, ok, run};

fn secured(op_security: Option<Value>, global: Option<Value>, schemes: Value) -> Value {
    let mut op = json!({"responses": ok()});
    if let Some(security) = op_security {
        op["security"] = security;
    }
    let mut doc = api(json!({"/x": {"get": op}}));
    if let Some(global) = global {
        doc["security"] = global;
    }
    doc["components"]["securitySchemes"] = schemes;
    doc
}

fn schemes() -> Value {
    json!({
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
        "basic": {"type": "http", "scheme": "basic"},
        "oauth": {"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "https://a.example/auth",
            "tokenUrl": "https://a.example/token",
            "scopes": {"read": "r", "write": "w"}
        }}}
    })
}

fn op(security: Value) -> Value {
    secured(Some(security), None, schemes())
}

fn global(security: Value) -> Value {
    secured(None, Some(security), schemes())
}

fn scheme(name: &str, value: Value) -> Value {
    let mut all = schemes();
    all[name] = value;
    secured(None, None, all)
}

fn with_servers(servers: Value) -> Value {
    let mut doc = api(json!({}));
    doc["servers"] = servers;
    doc
}

pub(super) fn cases() -> Vec<Case> {
    let key = json!([{"key": []}]);
    let key_or_basic = json!([{"key": []}, {"basic": []}]);
    let read = json!([{"oauth": ["read"]}]);
    let read_write = json!([{"oauth": ["read", "write"]}]);
    let oauth = schemes()["oauth"].clone();
    let mut oauth_urls = oauth.clone();
    oauth_urls["flows"]["authorizationCode"]["authorizationUrl"] = json!("https://b.example/auth");
    let mut oauth_token = oauth.clone();
    oauth_token["flows"]["authorizationCode"]["tokenUrl"] = json!("https://b.example/token");
    let mut oauth_scope_removed = oauth.clone();
    oauth_scope_removed["flows"]["authorizationCode"]["scopes"] = json!({"read": "r"});
    let mut oauth_scope_added = oauth.clone();
    oauth_scope_added["flows"]["authorizationCode"]["scopes"]["admin"] = json!("a");
    let mut oauth_flow_added = oauth.clone();
    oauth_flow_added["flows"]["clientCredentials"] =
        json!({"tokenUrl": "https://a.example/token", "scopes": {}});
    let openid = |url: &str| json!({"type": "openIdConnect", "openIdConnectUrl": url});
    let server = |url: &str, variables: Value| json!([{"url": url, "variables": variables}]);
    let region =
        |default: &str, values: Value| json!({"region": {"default": default, "enum": values}});
    vec![
        case(
            "alternative added",
            op(key.clone()),
            op(key_or_basic.clone()),
            &["api-security-added"],
        ),
        case(
            "alternative removed",
            op(key_or_basic.clone()),
            op(key.clone()),
            &["api-security-removed"],
        ),
        case(
            "auth now required",
            op(json!([])),
            op(key.clone()),
            &["api-security-became-required"],
        ),
        case(
            "auth now optional",
            op(key.clone()),
            op(json!([{}, {"key": []}])),
            &["api-security-became-optional"],
        ),
        case(
            "scope added",
            op(read.clone()),
            op(read_write.clone()),
            &["api-security-scope-added"],
        ),
        case(
            "scope removed",
            op(read_write.clone()),
            op(read.clone()),
            &["api-security-scope-removed"],
        ),
        case(
            "operation inherits global: only global is reported",
            global(key.clone()),
            global(key_or_basic.clone()),
            &["api-global-security-added"],
        ),
        case(
            "global alternative removed",
            global(key_or_basic),
            global(key.clone()),
            &["api-global-security-removed"],
        ),
        case(
            "global auth now required",
            secured(None, None, schemes()),
            global(key.clone()),
            &["api-global-security-became-required"],
        ),
        case(
            "global auth now optional",
            global(key.clone()),
            secured(None, None, schemes()),
            &["api-global-security-became-optional"],
        ),
        case(
            "global scope added",
            global(read.clone()),
            global(read_write.clone()),
            &["api-global-security-scope-added"],
        ),
        case(
            "global scope removed",
            global(read_write),
            global(read),
            &["api-global-security-scope-removed"],
        ),
        case(
            "operation override equal to global",
            global(key.clone()),
            secured(Some(key.clone()), Some(key), schemes()),
            &[],
        ),
        case(
            "requirement moved to an identically defined scheme",
            secured(Some(json!([{"basic": []}])), None, schemes()),
            {
                let mut all = schemes();
                all["basic2"] = json!({"type": "http", "scheme": "basic", "description": "other"});
                secured(Some(json!([{"basic2": []}])), None, all)
            },
            &[
                "api-security-scheme-renamed",
                "api-security-component-added",
            ],
        ),
        case(
            "global requirement moved to an identically defined scheme",
            global(json!([{"basic": []}])),
            {
                let mut all = schemes();
                all["basic2"] = json!({"type": "http", "scheme": "basic"});
                secured(None, Some(json!([{"basic2": []}])), all)
            },
            &[
                "api-global-security-scheme-renamed",
                "api-security-component-added",
            ],
        ),
        case(
            "scheme added",
            secured(None, None, json!({})),
            secured(None, None, json!({"key": schemes()["key"].clone()})),
            &["api-security-component-added"],
        ),
        case(
            "scheme removed",
            secured(None, None, json!({"key": schemes()["key"].clone()})),
            secured(None, None, json!({})),
            &["api-security-component-removed"],
        ),
        case(
            "scheme type changed",
            scheme("key", json!({"type": "http", "scheme": "bearer"})),
            scheme("key", schemes()["key"].clone()),
            &["api-security-component-type-changed"],
        ),
        case(
            "http scheme changed",
            scheme("basic", json!({"type": "http", "scheme": "bearer"})),
            secured(None, None, schemes()),
            &["api-security-component-scheme-changed"],
        ),
        case(
            "apiKey moved",
            scheme(
                "key",
                json!({"type": "apiKey", "in": "query", "name": "X-Key"}),
            ),
            secured(None, None, schemes()),
            &["api-security-component-in-changed"],
        ),
        case(
            "apiKey renamed",
            scheme(
                "key",
                json!({"type": "apiKey", "in": "header", "name": "X-Other"}),
            ),
            secured(None, None, schemes()),
            &["api-security-component-name-changed"],
        ),
        case(
            "oauth auth url",
            secured(None, None, schemes()),
            scheme("oauth", oauth_urls),
            &["api-security-component-oauth-url-changed"],
        ),
        case(
            "oauth token url",
            secured(None, None, schemes()),
            scheme("oauth", oauth_token),
            &["api-security-component-oauth-token-url-changed"],
        ),
        case(
            "oauth scope removed",
            secured(None, None, schemes()),
            scheme("oauth", oauth_scope_removed),
            &["api-security-component-oauth-scope-removed"],
        ),
        case(
            "oauth scope added",
            secured(None, None, schemes()),
            scheme("oauth", oauth_scope_added),
            &["api-security-component-oauth-scope-added"],
        ),
        case(
            "oauth flow added",
            secured(None, None, schemes()),
            scheme("oauth", oauth_flow_added.clone()),
            &["api-security-component-oauth-flow-added"],
        ),
        case(
            "oauth flow removed",
            scheme("oauth", oauth_flow_added),
            secured(None, None, schemes()),
            &["api-security-component-oauth-flow-removed"],
        ),
        case(
            "openid url",
            scheme("oid", openid("https://a/.well-known")),
            scheme("oid", openid("https://b/.well-known")),
            &["api-security-component-openid-url-changed"],
        ),
        case(
            "server removed",
            with_servers(json!([{"url": "https://a"}, {"url": "https://b"}])),
            with_servers(json!([{"url": "https://a/"}])),
            &["api-server-removed"],
        ),
        case(
            "server added",
            with_servers(json!([{"url": "https://a"}])),
            with_servers(json!([{"url": "https://a"}, {"url": "https://b"}])),
            &["api-server-added"],
        ),
        case(
            "server variable default changed",
            with_servers(server(
                "https://{region}.x",
                region("eu", json!(["eu", "us"])),
            )),
            with_servers(server(
                "https://{region}.x",
                region("us", json!(["eu", "us"])),
            )),
            &["api-server-variable-default-changed"],
        ),
        case(
            "server variable value removed",
            with_servers(server(
                "https://{region}.x",
                region("eu", json!(["eu", "us"])),
            )),
            with_servers(server("https://{region}.x", region("eu", json!(["eu"])))),
            &["api-server-variable-enum-value-removed"],
        ),
    ]
}

#[test]
fn security_and_server_cases() {
    run(&cases());
}
