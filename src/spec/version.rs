//! The `openapi` version field, for every stage that loads a spec.
//!
//! Must not do I/O: no filesystem, network, environment or clock.

use std::fmt;

use serde_json::Value;

/// A parsed `openapi` field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpenApiVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    /// The field as written (`3.0.3`).
    pub raw: String,
}

impl OpenApiVersion {
    pub fn is_30(&self) -> bool {
        self.major == 3 && self.minor == 0
    }
    pub fn is_31(&self) -> bool {
        self.major == 3 && self.minor == 1
    }
}

impl fmt::Display for OpenApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Checks the root's `openapi` field; errors carry (pointer, message).
pub fn check(root: &Value) -> Result<OpenApiVersion, (String, String)> {
    let Some(map) = root.as_object() else {
        return Err((
            String::new(),
            "an OpenAPI document must be a JSON object / YAML mapping".into(),
        ));
    };
    if let Some(swagger) = map.get("swagger") {
        return Err((
            "/swagger".into(),
            format!(
                "this is a Swagger {} document; only OpenAPI 3.0.x and 3.1.x are supported (convert it first, e.g. with swagger2openapi)",
                swagger
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| swagger.to_string())
            ),
        ));
    }
    let raw = match map.get("openapi") {
        None => {
            return Err((
                String::new(),
                "missing the `openapi` field (expected 3.0.x or 3.1.x)".into(),
            ));
        }
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err((
                "/openapi".into(),
                format!("`openapi` must be a string like \"3.1.0\", found {other}"),
            ));
        }
    };
    let parts: Vec<Option<u32>> = raw.split('.').map(|p| p.parse().ok()).collect();
    let version = match parts.as_slice() {
        [Some(major), Some(minor), Some(patch)] => OpenApiVersion {
            major: *major,
            minor: *minor,
            patch: *patch,
            raw: raw.clone(),
        },
        _ => {
            return Err((
                "/openapi".into(),
                format!("`openapi` is '{raw}', not a version like 3.0.3 or 3.1.0"),
            ));
        }
    };
    if version.is_30() || version.is_31() {
        Ok(version)
    } else {
        Err((
            "/openapi".into(),
            format!("OpenAPI {raw} is not supported; expected 3.0.x or 3.1.x"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions() {
        let v = check(&json!({"openapi": "3.0.3"})).unwrap();
        assert_eq!((v.major, v.minor, v.patch, v.is_30()), (3, 0, 3, true));
        assert!(check(&json!({"openapi": "3.1.2"})).unwrap().is_31());
        let e = check(&json!({"swagger": "2.0"})).unwrap_err();
        assert!(e.1.contains("Swagger 2.0"), "{e:?}");
        assert_eq!(
            check(&json!({"openapi": "3.2.0"})).unwrap_err().0,
            "/openapi"
        );
        assert!(
            check(&json!({"openapi": 3.0}))
                .unwrap_err()
                .1
                .contains("must be a string")
        );
        assert!(check(&json!({"openapi": "3.0"})).is_err());
        assert!(check(&json!({})).unwrap_err().1.contains("missing"));
        assert!(check(&json!([])).is_err());
    }
}
