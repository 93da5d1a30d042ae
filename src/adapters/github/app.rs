//! GitHub App authentication: a short-lived JWT signed with the app's
//! private key (RS256, with `ring`, which rustls already brings) is traded
//! for an installation access token. The private key and both tokens stay
//! in `SecretString`s.

use super::rest::RepoName;
use super::{GitHub, GitHubError, Resend, RetryPolicy};
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, SystemTime};

/// A JWT that identifies the app for a few minutes. `iat` is set a minute
/// back, as GitHub recommends, to allow for clock drift.
pub fn jwt(
    app_id: &str,
    private_key_pem: &SecretString,
    now: SystemTime,
) -> Result<SecretString, GitHubError> {
    let key = key_pair(private_key_pem)?;
    let now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = b64(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = json!({"iat": now.saturating_sub(60), "exp": now + 540, "iss": app_id});
    let signing_input = format!("{header}.{}", b64(claims.to_string().as_bytes()));
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| GitHubError::Setup("signing the GitHub App JWT failed".into()))?;
    Ok(SecretString::from(format!(
        "{signing_input}.{}",
        b64(&signature)
    )))
}

/// An RSA key from PEM: PKCS#1 (`BEGIN RSA PRIVATE KEY`, what GitHub hands
/// out) or PKCS#8 (`BEGIN PRIVATE KEY`).
fn key_pair(pem: &SecretString) -> Result<ring::signature::RsaKeyPair, GitHubError> {
    let invalid = |why: &str| GitHubError::Setup(format!("app_private_key: {why}"));
    let text = pem.expose_secret();
    let pkcs8 = text.contains("BEGIN PRIVATE KEY");
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.trim().chars())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| invalid("not a PEM private key (the .pem file GitHub generated)"))?;
    let parsed = if pkcs8 {
        ring::signature::RsaKeyPair::from_pkcs8(&der)
    } else {
        ring::signature::RsaKeyPair::from_der(&der)
    };
    parsed.map_err(|e| invalid(&format!("not an RSA private key ({e})")))
}

/// An installation token for the app's installation on `repo`'s owner.
pub async fn installation_token(
    api_url: &str,
    app_id: &str,
    private_key_pem: &SecretString,
    repo: &RepoName,
    policy: RetryPolicy,
) -> Result<SecretString, GitHubError> {
    #[derive(Deserialize)]
    struct Installation {
        id: u64,
    }
    #[derive(Deserialize)]
    struct AccessToken {
        token: String,
    }
    let app = GitHub::new(
        api_url,
        &jwt(app_id, private_key_pem, SystemTime::now())?,
        policy,
    )?;
    let installation: Installation = app.get(&repo.path("/installation")).await?;
    // A second token, if a resent request made one, is harmless.
    let token: AccessToken = app
        .post(
            &format!("/app/installations/{}/access_tokens", installation.id),
            &json!({}),
            Resend::Safe,
        )
        .await?;
    Ok(SecretString::from(token.token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_key_is_reported_without_echoing_it() {
        let key = SecretString::from(
            "-----BEGIN RSA PRIVATE KEY-----\nnot-base64!\n-----END RSA PRIVATE KEY-----\n",
        );
        let err = jwt("1", &key, SystemTime::now()).unwrap_err().to_string();
        assert!(err.starts_with("app_private_key:"), "{err}");
        assert!(!err.contains("not-base64"), "{err}");
    }
}
