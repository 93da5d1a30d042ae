//! The provider contract an integration uses: the operations a manifest
//! names (`operationId` or `METHOD /path`), looked up in an OpenAPI
//! document, and the document cut down to just those operations so that the
//! semantic diff (`crate::diff`) reports only changes that reach them.
//!
//! Paths match with parameter names erased (`/pets/{id}` is `/pets/{petId}`),
//! as the diff matches operations ([`path_key`]); operations are the spec
//! view's ([`SpecView::operations`]). Pure.

use crate::spec::view::{METHODS, SpecView, path_key};
use serde_json::Value;
use std::collections::BTreeSet;

/// One operation as a manifest names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationRef {
    Id(String),
    /// Lower-case method and the path as written.
    Route(String, String),
}

impl OperationRef {
    pub fn parse(raw: &str) -> Result<OperationRef, String> {
        let raw = raw.trim();
        if let Some((method, path)) = raw.split_once(char::is_whitespace) {
            let method = method.to_ascii_lowercase();
            let path = path.trim();
            if METHODS.contains(&method.as_str()) && path.starts_with('/') && !path.contains(' ') {
                return Ok(OperationRef::Route(method, path.to_owned()));
            }
            return Err(format!(
                "operation {raw:?} is neither an operationId nor `METHOD /path`"
            ));
        }
        if raw.is_empty() {
            return Err("an operation is empty".to_owned());
        }
        Ok(OperationRef::Id(raw.to_owned()))
    }
}

/// `(method, path with parameter names erased)`: how operations are matched.
pub type OperationKey = (String, String);

/// The operation `wanted` names in `document`, as `(method, path as written)`.
pub fn find(document: &Value, wanted: &OperationRef) -> Option<(String, String)> {
    SpecView::new(document)
        .operations(false)
        .into_iter()
        .find(|op| match wanted {
            OperationRef::Id(id) => op.op.get("operationId").and_then(Value::as_str) == Some(id),
            OperationRef::Route(method, path) => {
                method == op.method && path_key(path) == path_key(op.path)
            }
        })
        .map(|op| (op.method.to_owned(), op.path.to_owned()))
}

/// `document` with only the operations in `keep` (path-level fields such as
/// shared parameters stay) and no webhooks; components stay whole, the diff
/// reports them only through the operations that use them.
pub fn restrict(document: &Value, keep: &BTreeSet<OperationKey>) -> Value {
    let mut out = document.clone();
    if let Some(root) = out.as_object_mut() {
        root.remove("webhooks");
        if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
            paths.retain(|path, item| {
                let erased = path_key(path);
                let Some(item) = item.as_object_mut() else {
                    return false;
                };
                item.retain(|key, _| {
                    !METHODS.contains(&key.as_str())
                        || keep.contains(&(key.clone(), erased.clone()))
                });
                item.keys().any(|k| METHODS.contains(&k.as_str()))
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"openapi": "3.1.0", "paths": {
            "/pets/{petId}": {"parameters": [], "get": {"operationId": "getPet"}, "delete": {"operationId": "deletePet"}},
            "/stores": {"get": {"operationId": "listStores"}}
        }, "webhooks": {"x": {"post": {}}}})
    }

    #[test]
    fn references_parse() {
        assert_eq!(
            OperationRef::parse("getPet"),
            Ok(OperationRef::Id("getPet".into()))
        );
        assert_eq!(
            OperationRef::parse("GET /pets/{id}"),
            Ok(OperationRef::Route("get".into(), "/pets/{id}".into()))
        );
        assert!(OperationRef::parse("FETCH /x").is_err());
        assert!(OperationRef::parse("get pets").is_err());
    }

    #[test]
    fn operations_are_found_by_id_or_route() {
        let d = doc();
        let by_id = find(&d, &OperationRef::Id("deletePet".into()));
        assert_eq!(by_id, Some(("delete".into(), "/pets/{petId}".into())));
        let by_route = find(&d, &OperationRef::parse("get /pets/{id}").unwrap());
        assert_eq!(by_route, Some(("get".into(), "/pets/{petId}".into())));
        assert_eq!(find(&d, &OperationRef::Id("nope".into())), None);
        // Matched as the diff matches: a trailing slash is the same path.
        let slash = find(&d, &OperationRef::parse("get /stores/").unwrap());
        assert_eq!(slash, Some(("get".into(), "/stores".into())));
    }

    #[test]
    fn restrict_keeps_only_the_named_operations() {
        let keep = BTreeSet::from([("get".to_owned(), "/pets/{}".to_owned())]);
        let cut = restrict(&doc(), &keep);
        assert_eq!(
            cut,
            json!({"openapi": "3.1.0", "paths": {"/pets/{petId}": {"parameters": [], "get": {"operationId": "getPet"}}}})
        );
    }
}
