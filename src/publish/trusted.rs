//! Trusted publishing for the `publish` stage, as data: where an index's
//! OIDC endpoints are, the Actions token request for the index's audience,
//! and reading the three answers (audience, OIDC token, minted upload
//! token). Pure; `adapters::oidc` sends the requests.
//!
//! The flow is PyPI's: `GET {oidc}/audience` names the audience; the Actions
//! runtime (`ACTIONS_ID_TOKEN_REQUEST_URL`, with `audience=` added, and
//! `ACTIONS_ID_TOKEN_REQUEST_TOKEN` as bearer) issues an OIDC token for it;
//! `POST {oidc}/mint-token {"token": …}` exchanges that for a short-lived
//! API token, used like any other with user `__token__`.

use serde_json::Value;
use url::Url;

/// The index's OIDC API (ending in `/`): PyPI's and TestPyPI's live on the
/// main host (`https://pypi.org/_/oidc/`); other indexes at `/_/oidc/` of
/// the upload URL's origin.
pub fn default_oidc_url(upload: &Url) -> Url {
    let origin = match upload.host_str() {
        Some("upload.pypi.org") => "https://pypi.org".to_owned(),
        _ => upload.origin().ascii_serialization(),
    };
    Url::parse(&format!("{origin}/_/oidc/")).expect("an origin and a path make a URL")
}

fn with_slash(url: &Url) -> Url {
    let mut url = url.clone();
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

pub fn audience_url(oidc: &Url) -> Url {
    with_slash(oidc).join("audience").expect("a relative path")
}

pub fn mint_url(oidc: &Url) -> Url {
    with_slash(oidc)
        .join("mint-token")
        .expect("a relative path")
}

/// The Actions runtime's token URL with `audience` added to its query.
pub fn id_token_url(request_url: &Url, audience: &str) -> Url {
    let mut url = request_url.clone();
    url.query_pairs_mut().append_pair("audience", audience);
    url
}

/// The body of the mint request.
pub fn mint_body(oidc_token: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "token": oidc_token })).expect("JSON serialises")
}

/// Why an answer could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{what}: {reason}")]
pub struct AnswerError {
    pub what: &'static str,
    pub reason: String,
}

fn field(body: &[u8], what: &'static str, name: &str) -> Result<String, AnswerError> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| AnswerError {
        what,
        reason: format!("not JSON: {e}"),
    })?;
    doc.get(name)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| AnswerError {
            what,
            reason: format!("no `{name}` in the answer"),
        })
}

/// `{"audience": "pypi"}`.
pub fn audience(body: &[u8]) -> Result<String, AnswerError> {
    field(body, "the index's OIDC audience", "audience")
}

/// `{"value": "<jwt>"}` from the Actions runtime.
pub fn id_token(body: &[u8]) -> Result<String, AnswerError> {
    field(body, "the Actions OIDC token", "value")
}

/// `{"token": "pypi-…"}`, or PyPI's `{"message", "errors": [{code, description}]}`.
pub fn minted_token(body: &[u8]) -> Result<String, AnswerError> {
    field(body, "the minted upload token", "token")
}

/// The reasons in a refused mint request, for the error message (PyPI
/// explains which claim did not match a trusted publisher).
pub fn mint_refusal(body: &str) -> String {
    let Ok(doc) = serde_json::from_str::<Value>(body) else {
        return body.to_owned();
    };
    let reasons: Vec<String> = doc
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let code = e.get("code").and_then(Value::as_str).unwrap_or("error");
            let description = e.get("description").and_then(Value::as_str)?;
            Some(format!("{code}: {description}"))
        })
        .collect();
    if reasons.is_empty() {
        doc.get("message")
            .and_then(Value::as_str)
            .unwrap_or(body)
            .to_owned()
    } else {
        reasons.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let url = |s: &str| Url::parse(s).unwrap();
        let pypi = default_oidc_url(&url("https://upload.pypi.org/legacy/"));
        assert_eq!(pypi.as_str(), "https://pypi.org/_/oidc/");
        assert_eq!(
            audience_url(&pypi).as_str(),
            "https://pypi.org/_/oidc/audience"
        );
        assert_eq!(
            mint_url(&pypi).as_str(),
            "https://pypi.org/_/oidc/mint-token"
        );
        assert_eq!(
            default_oidc_url(&url("https://test.pypi.org/legacy/")).as_str(),
            "https://test.pypi.org/_/oidc/"
        );
        assert_eq!(
            mint_url(&url("http://127.0.0.1:9/custom/oidc")).as_str(),
            "http://127.0.0.1:9/custom/oidc/mint-token"
        );
        assert_eq!(
            id_token_url(
                &url("https://actions.example/token?api-version=2.0"),
                "pypi"
            )
            .as_str(),
            "https://actions.example/token?api-version=2.0&audience=pypi"
        );
    }

    #[test]
    fn answers() {
        assert_eq!(audience(br#"{"audience":"pypi"}"#).unwrap(), "pypi");
        assert_eq!(id_token(br#"{"count":1,"value":"jwt"}"#).unwrap(), "jwt");
        assert_eq!(
            minted_token(br#"{"success":true,"token":"pypi-x"}"#).unwrap(),
            "pypi-x"
        );
        assert!(minted_token(br#"{"token":""}"#).is_err());
        assert!(audience(b"<html>").is_err());
        assert_eq!(
            mint_refusal(
                r#"{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher"}]}"#
            ),
            "invalid-publisher: valid token, but no corresponding publisher"
        );
        assert_eq!(mint_refusal("plain"), "plain");
    }
}
