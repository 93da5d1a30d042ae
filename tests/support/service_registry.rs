//! A registry server on 127.0.0.1 implementing `contracts/registry.yaml`
//! (register, list, get, status, discovery), whose every request body and
//! answer is validated against that document's schemas; and a small JSON
//! Schema checker for the keywords the contract uses. Test-only.
//!
//! Faults stand in for broken registries: down (500), garbage (not JSON),
//! a 50 MB answer, a discovery document that is not JSON.
#![allow(dead_code)]

use super::http_server::{Behaviour, RecordedRequest, TestServer};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The contract, parsed once per call (small).
pub fn contract() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/contracts/registry.yaml");
    let text = std::fs::read_to_string(path).expect("contracts/registry.yaml");
    serde_yaml::from_str(&text).expect("the contract is YAML")
}

/// Checks `value` against `#/components/schemas/{schema}`; every violation
/// with its JSON path. Supports the keywords the contract uses; an unknown
/// `pattern` panics rather than passing silently.
pub fn validate(doc: &Value, schema: &str, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(
        doc,
        &json!({"$ref": format!("#/components/schemas/{schema}")}),
        value,
        "$",
        &mut errors,
    );
    errors
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.strip_prefix('#').expect("local $ref");
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("unresolvable $ref {reference}"))
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return check(doc, resolve(doc, reference), value, at, errors);
    }
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        let ok = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => panic!("unsupported type {other}"),
        };
        if !ok {
            errors.push(format!("{at}: not a(n) {kind}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let Some(text) = value.as_str() {
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && (text.chars().count() as u64) < min
        {
            errors.push(format!("{at}: shorter than {min}"));
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
            && !pattern_matches(pattern, text)
        {
            errors.push(format!("{at}: {text:?} does not match {pattern}"));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap();
            if !object.contains_key(name) {
                errors.push(format!("{at}: required property {name:?} is missing"));
            }
        }
        for (key, item) in object {
            let here = format!("{at}.{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => check(doc, sub, item, &here, errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        errors.push(format!("{here}: not allowed (additionalProperties: false)"))
                    }
                    Some(sub @ Value::Object(_)) => check(doc, sub, item, &here, errors),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, item) in list.iter().enumerate() {
            check(doc, items, item, &format!("{at}[{i}]"), errors);
        }
    }
}

/// The two patterns the contract uses.
fn pattern_matches(pattern: &str, text: &str) -> bool {
    match pattern {
        "^/" => text.starts_with('/'),
        "^[a-z0-9_-][a-z0-9._-]{0,99}$" => {
            let ok =
                |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-');
            let mut chars = text.chars();
            chars.next().is_some_and(ok) && text.len() <= 100 && chars.all(|c| ok(c) || c == '.')
        }
        other => panic!("the contract uses a pattern this checker does not know: {other}"),
    }
}

/// How the registry misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Every request gets a 500.
    Down,
    /// `GET /api/services` and `GET /api/services/{name}` answer text that is not JSON.
    Garbage,
    /// `GET /api/services` and `GET /api/services/{name}` answer a 50 MB JSON body.
    Huge,
    /// The discovery document is HTML.
    DiscoveryNotJson,
}

#[derive(Default)]
struct State {
    services: BTreeMap<String, Value>,
    /// Names the discovery document lists (it lags, like a cache).
    discoverable: Vec<String>,
    violations: Vec<String>,
    mode: Option<Mode>,
    /// Discovery lists a service only after this many discovery reads since
    /// its registration (0: at once).
    discovery_lag: usize,
    discovery_reads: BTreeMap<String, usize>,
}

/// The running registry; drop it to stop it.
pub struct RegistryServer {
    pub server: TestServer,
    state: Arc<Mutex<State>>,
    pub token: Option<String>,
}

impl RegistryServer {
    pub fn start(token: Option<&str>) -> RegistryServer {
        let state = Arc::new(Mutex::new(State::default()));
        let handler_state = Arc::clone(&state);
        let token_owned = token.map(str::to_owned);
        let doc = Arc::new(contract());
        let server = TestServer::start_with_handler(Arc::new(move |request: &RecordedRequest| {
            let mut state = handler_state.lock().unwrap();
            handle(&mut state, &doc, token_owned.as_deref(), request)
        }));
        RegistryServer {
            server,
            state,
            token: token.map(str::to_owned),
        }
    }

    pub fn url(&self) -> String {
        self.server.origin()
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    /// Discovery lists a new service only on the `lag`-th read after it
    /// registered.
    pub fn set_discovery_lag(&self, lag: usize) {
        self.state.lock().unwrap().discovery_lag = lag;
    }

    /// Stores services as if registered earlier.
    pub fn seed(&self, services: &[Value]) {
        let mut state = self.state.lock().unwrap();
        for s in services {
            let name = s["name"].as_str().unwrap().to_owned();
            state.discoverable.push(name.clone());
            state.services.insert(name, s.clone());
        }
    }

    pub fn service(&self, name: &str) -> Option<Value> {
        self.state.lock().unwrap().services.get(name).cloned()
    }

    /// Requests or answers that broke the contract.
    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }
}

fn answer(code: u16, body: &Value) -> Behaviour {
    Behaviour::Status {
        code,
        headers: vec![("content-type".into(), "application/json".into())],
        body: serde_json::to_vec(body).unwrap(),
    }
}

/// Validates an answer against the contract before sending it.
fn valid(state: &mut State, doc: &Value, schema: &str, code: u16, body: Value) -> Behaviour {
    for v in validate(doc, schema, &body) {
        state.violations.push(format!("answer {schema}: {v}"));
    }
    answer(code, &body)
}

fn problem(code: u16, message: &str) -> Behaviour {
    answer(code, &json!({"message": message}))
}

fn handle(
    state: &mut State,
    doc: &Value,
    token: Option<&str>,
    request: &RecordedRequest,
) -> Behaviour {
    let mode = state.mode.unwrap_or(Mode::Normal);
    if mode == Mode::Down {
        return problem(500, "registry is down");
    }
    let path = request.path.as_str();
    let method = request.method.as_str();
    if path == "/.well-known/services.json" && method == "GET" {
        if mode == Mode::DiscoveryNotJson {
            return Behaviour::Status {
                code: 200,
                headers: vec![("content-type".into(), "text/html".into())],
                body: b"<html>maintenance</html>".to_vec(),
            };
        }
        return discovery(state, doc);
    }
    if let Some(token) = token
        && request.header("authorization") != Some(&format!("Bearer {token}"))
    {
        return problem(401, "a bearer token is required");
    }
    let reads = method == "GET" && path.starts_with("/api/services");
    if reads && mode == Mode::Garbage {
        return Behaviour::Status {
            code: 200,
            headers: vec![],
            body: b"<<<not json>>>".to_vec(),
        };
    }
    if reads && mode == Mode::Huge {
        let mut body = b"{\"services\":[".to_vec();
        body.resize(50 * 1024 * 1024, b' ');
        body.extend_from_slice(b"]}");
        return Behaviour::Status {
            code: 200,
            headers: vec![],
            body,
        };
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    match (method, parts.as_slice()) {
        ("POST", ["api", "register"]) => register(state, doc, body),
        ("GET", ["api", "services"]) => {
            let list: Vec<Value> = state.services.values().cloned().collect();
            valid(state, doc, "ServiceList", 200, json!({"services": list}))
        }
        ("GET", ["api", "services", name]) => match state.services.get(*name).cloned() {
            Some(s) => valid(state, doc, "Service", 200, s),
            None => problem(404, "no such service"),
        },
        ("PATCH", ["api", "services", name, "status"]) => {
            let errors = validate(doc, "StatusUpdate", &body);
            if !errors.is_empty() {
                state
                    .violations
                    .extend(errors.iter().map(|e| format!("request StatusUpdate: {e}")));
                return problem(400, &errors.join("; "));
            }
            let Some(service) = state.services.get_mut(*name) else {
                return problem(404, "no such service");
            };
            service["status"] = body["status"].clone();
            let s = service.clone();
            valid(state, doc, "Service", 200, s)
        }
        _ => problem(404, "not found"),
    }
}

fn register(state: &mut State, doc: &Value, body: Value) -> Behaviour {
    let errors = validate(doc, "Registration", &body);
    if !errors.is_empty() {
        state
            .violations
            .extend(errors.iter().map(|e| format!("request Registration: {e}")));
        return problem(400, &errors.join("; "));
    }
    let name = body["name"].as_str().unwrap().to_owned();
    let existed = state.services.contains_key(&name);
    let mut service = body;
    if let Some(old) = state.services.get(&name) {
        for key in ["status", "registered_at"] {
            if let Some(v) = old.get(key) {
                service[key] = v.clone();
            }
        }
    } else {
        service["registered_at"] = json!("2026-01-01T00:00:00Z");
        state.discovery_reads.insert(name.clone(), 0);
    }
    state.services.insert(name, service.clone());
    valid(
        state,
        doc,
        "Service",
        if existed { 200 } else { 201 },
        service,
    )
}

fn discovery(state: &mut State, doc: &Value) -> Behaviour {
    let lag = state.discovery_lag;
    let pending: Vec<String> = state.discovery_reads.keys().cloned().collect();
    for name in pending {
        let reads = state.discovery_reads.get_mut(&name).unwrap();
        *reads += 1;
        if *reads > lag {
            state.discovery_reads.remove(&name);
            state.discoverable.push(name);
        }
    }
    let list: Vec<Value> = state
        .discoverable
        .iter()
        .filter_map(|n| state.services.get(n).cloned())
        .collect();
    valid(state, doc, "ServiceList", 200, json!({"services": list}))
}

/// Service test servers on 127.0.0.1, one per behaviour.
pub mod services {
    use super::super::http_server::{Behaviour, TestServer};
    use serde_json::json;

    /// `/health` answers 200 with `version`.
    pub fn healthy(version: &str) -> TestServer {
        TestServer::start(vec![(
            "/health",
            Behaviour::json(json!({"status": "ok", "version": version}).to_string()),
        )])
    }

    /// `/health` answers 500, always.
    pub fn failing() -> TestServer {
        TestServer::start(vec![("/health", Behaviour::status(500))])
    }

    /// `/health` never answers.
    pub fn hanging() -> TestServer {
        TestServer::start(vec![("/health", Behaviour::Hang)])
    }

    /// `/health` fails once (503), then answers 200.
    pub fn flapping(version: &str) -> TestServer {
        TestServer::start(vec![(
            "/health",
            Behaviour::Sequence(vec![
                Behaviour::status(503),
                Behaviour::json(json!({"version": version}).to_string()),
            ]),
        )])
    }

    /// `/health` answers 200, and `/mcp` answers `tools/list` with `tools` tools.
    pub fn mcp(version: &str, tools: usize) -> TestServer {
        let list: Vec<_> = (0..tools)
            .map(|i| json!({"name": format!("tool_{i}"), "inputSchema": {"type": "object"}}))
            .collect();
        TestServer::start(vec![
            (
                "/health",
                Behaviour::json(json!({"version": version}).to_string()),
            ),
            (
                "/mcp",
                Behaviour::json(
                    json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": list}}).to_string(),
                ),
            ),
        ])
    }
}
