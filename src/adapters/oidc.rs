//! Trusted publishing, for the `publish` stage: a short-lived PyPI upload
//! token from the job's OIDC identity, instead of a stored secret. The
//! requests are described in [`crate::publish::trusted`]; this sends them.
//! Every token here is a secret: none is logged, and each goes only to the
//! origin that issued or accepts it.

use super::http::{Credential, Downloader, HttpError, Upload};
use crate::publish::trusted;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// The Actions runtime's OIDC token endpoint, from
/// `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (set
/// only when the job has `permissions: id-token: write`).
#[derive(Clone)]
pub struct IdTokenRequest {
    pub url: Url,
    pub token: SecretString,
}

/// Why no upload token could be minted.
#[derive(Debug, thiserror::Error)]
pub enum TrustedPublishingError {
    #[error("trusted publishing: {step}: {source}")]
    Http {
        step: &'static str,
        #[source]
        source: HttpError,
    },
    #[error("trusted publishing: {0}")]
    Answer(#[from] trusted::AnswerError),
    #[error(
        "trusted publishing: the index refused to mint an upload token ({reasons}); check that a trusted publisher is configured for this repository and workflow"
    )]
    Refused { reasons: String },
}

/// Asks the index at `oidc` (its `/_/oidc/` API) for an upload token in
/// exchange for this job's OIDC token.
pub async fn mint_pypi_token(
    http: &Downloader,
    oidc: &Url,
    request: &IdTokenRequest,
) -> Result<SecretString, TrustedPublishingError> {
    let failed = |step| move |source| TrustedPublishingError::Http { step, source };
    let audience = http
        .get(&trusted::audience_url(oidc), None)
        .await
        .map_err(failed("asking the index for its OIDC audience"))?;
    let audience = trusted::audience(&audience.bytes)?;

    let runner = Credential::bearer(request.url.origin(), request.token.clone());
    let id_token = http
        .get(
            &trusted::id_token_url(&request.url, &audience),
            Some(&runner),
        )
        .await
        .map_err(failed("asking the Actions runtime for an OIDC token"))?;
    let id_token = SecretString::from(trusted::id_token(&id_token.bytes)?);

    let mint = Upload {
        method: reqwest::Method::POST,
        url: trusted::mint_url(oidc),
        headers: vec![("content-type", "application/json".into())],
        body: trusted::mint_body(id_token.expose_secret()),
    };
    let minted = match http.send_once(&mint, None).await {
        Ok(minted) => minted,
        Err(HttpError::Status { status, body, .. }) if (400..500).contains(&status) => {
            return Err(TrustedPublishingError::Refused {
                reasons: trusted::mint_refusal(&body),
            });
        }
        Err(e) => return Err(failed("exchanging the OIDC token for an upload token")(e)),
    };
    Ok(SecretString::from(trusted::minted_token(&minted.bytes)?))
}
