//! Security schemes and each operation's requirements: unsupported
//! schemes are left out with a warning, and a requirement that names an
//! undefined or left-out scheme drops that alternative (the validation
//! policy's fallback: the scheme is skipped for the operation).
//!
//! Must not do I/O.

use super::*;

impl<'a> Lowerer<'a> {
    pub(super) fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let Some(schemes) = SpecView::new(self.doc).components("securitySchemes") else {
            return Vec::new();
        };
        let mut scope = Scope::new();
        let mut out = Vec::new();
        for (key, s) in schemes {
            let s = self.deref(s);
            let kind = match str_of(s, "type") {
                Some("apiKey") => {
                    let location = match str_of(s, "in") {
                        Some("query") => ApiKeyLocation::Query,
                        Some("cookie") => ApiKeyLocation::Cookie,
                        _ => ApiKeyLocation::Header,
                    };
                    AuthKind::ApiKey {
                        location,
                        name: str_of(s, "name").unwrap_or(key).to_owned(),
                    }
                }
                Some("http") => match str_of(s, "scheme").map(str::to_ascii_lowercase).as_deref() {
                    Some("bearer") => AuthKind::Bearer,
                    Some("basic") => AuthKind::Basic,
                    other => {
                        self.warnings.push(format!(
                            "security scheme {key}: HTTP scheme {} is not supported",
                            other.unwrap_or("(none)")
                        ));
                        continue;
                    }
                },
                Some("oauth2" | "openIdConnect") => AuthKind::Bearer,
                other => {
                    self.warnings.push(format!(
                        "security scheme {key}: type {} is not supported",
                        other.unwrap_or("(none)")
                    ));
                    continue;
                }
            };
            out.push(SecurityScheme {
                key: key.clone(),
                ident: scope.claim(&naming::member_name(self.lang, key, "auth")),
                kind,
                docs: docs_of(s),
            });
        }
        out
    }

    pub(super) fn security(&self, op: &Value, schemes: &[SecurityScheme]) -> Vec<Vec<String>> {
        let requirements = op
            .get("security")
            .or_else(|| self.doc.get("security"))
            .and_then(Value::as_array);
        let Some(requirements) = requirements else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for req in requirements {
            let Some(req) = req.as_object() else { continue };
            let idents: Option<Vec<String>> = req
                .keys()
                .map(|k| {
                    schemes
                        .iter()
                        .find(|s| s.key == *k)
                        .map(|s| s.ident.clone())
                })
                .collect();
            if let Some(idents) = idents
                && !out.contains(&idents)
            {
                out.push(idents);
            }
        }
        out
    }
}
