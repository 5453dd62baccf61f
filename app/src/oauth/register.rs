//! Dynamic client registration (RFC 7591), lenient where real clients need it: unknown
//! scopes are dropped, `none` and `client_secret_post`/`client_secret_basic` accepted, and
//! registrations that are never used expire.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{TimeDelta, Utc};
use domain::grants::{ClientSource, OAuthClient};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::errors::OAuthError;
use super::{OAuthState, crypto};

/// The largest registration body accepted.
pub const MAX_BODY: usize = 16 * 1024;
const MAX_REDIRECT_URIS: usize = 10;
/// The longest redirect URI (or client id URL) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 2048;

#[derive(Debug, Deserialize)]
struct Request {
    redirect_uris: Option<Vec<String>>,
    client_name: Option<String>,
    token_endpoint_auth_method: Option<String>,
    grant_types: Option<Vec<String>>,
    response_types: Option<Vec<String>>,
    scope: Option<String>,
}

/// Accepts `https` URIs, `http` on loopback hosts, and private-use schemes of native apps
/// (`com.example.app:/callback`, RFC 8252 §7.1); never fragments.
///
/// # Errors
/// `invalid_redirect_uri` saying what is wrong.
pub fn check_redirect_uri(raw: &str) -> Result<(), OAuthError> {
    if raw.len() > MAX_URI_BYTES {
        return Err(OAuthError::invalid_redirect_uri(format!(
            "a redirect URI may be at most {MAX_URI_BYTES} bytes"
        )));
    }
    let url = Url::parse(raw).map_err(|_| {
        OAuthError::invalid_redirect_uri(format!("\"{raw}\" is not an absolute URI"))
    })?;
    if url.fragment().is_some() {
        return Err(OAuthError::invalid_redirect_uri(format!(
            "\"{raw}\" has a fragment"
        )));
    }
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(OAuthError::invalid_redirect_uri(format!(
            "\"{raw}\" uses http on a non-loopback host; use https"
        ))),
        scheme if scheme.contains('.') => Ok(()),
        scheme => Err(OAuthError::invalid_redirect_uri(format!(
            "\"{raw}\": the scheme \"{scheme}\" is neither https, loopback http, nor a private-use scheme like com.example.app"
        ))),
    }
}

/// `POST /oauth/register`.
pub async fn register(state: web::Data<OAuthState>, body: web::Bytes) -> HttpResponse {
    match register_client(&state, &body).await {
        Ok(response) => response,
        Err(e) => e.json(),
    }
}

async fn register_client(state: &OAuthState, body: &[u8]) -> Result<HttpResponse, OAuthError> {
    if body.len() > MAX_BODY {
        return Err(OAuthError::invalid_client_metadata(
            "the registration is larger than 16 KiB",
        ));
    }
    let request: Request = serde_json::from_slice(body).map_err(|e| {
        OAuthError::invalid_client_metadata(format!("the body is not a client registration: {e}"))
    })?;
    let redirect_uris = request.redirect_uris.unwrap_or_default();
    if redirect_uris.is_empty() || redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(OAuthError::invalid_redirect_uri(format!(
            "give 1 to {MAX_REDIRECT_URIS} redirect_uris"
        )));
    }
    for uri in &redirect_uris {
        check_redirect_uri(uri)?;
    }
    let method = request
        .token_endpoint_auth_method
        .unwrap_or_else(|| "client_secret_basic".into());
    if !matches!(
        method.as_str(),
        "none" | "client_secret_basic" | "client_secret_post"
    ) {
        return Err(OAuthError::invalid_client_metadata(format!(
            "token_endpoint_auth_method \"{method}\" is not supported; use none, client_secret_basic or client_secret_post"
        )));
    }
    if let Some(grants) = &request.grant_types
        && grants
            .iter()
            .any(|g| g != "authorization_code" && g != "refresh_token")
    {
        return Err(OAuthError::invalid_client_metadata(
            "grant_types may hold authorization_code and refresh_token only",
        ));
    }
    if let Some(types) = &request.response_types
        && types.iter().any(|t| t != "code")
    {
        return Err(OAuthError::invalid_client_metadata(
            "response_types may hold code only",
        ));
    }
    let supported = super::metadata::scopes_supported();
    let scope: Vec<&str> = request
        .scope
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .filter(|s| supported.contains(s))
        .collect();
    let secret = if method == "none" {
        None
    } else {
        Some(crypto::random_token()?)
    };
    let now = Utc::now();
    let name = request
        .client_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "An MCP client".into());
    let ttl = TimeDelta::from_std(state.unused_client_ttl).unwrap_or(TimeDelta::days(7));
    let client = OAuthClient {
        client_id: format!("pmcp-{}", uuid::Uuid::now_v7().simple()),
        client_name: name.chars().take(200).collect(),
        redirect_uris,
        token_endpoint_auth_method: method,
        secret_hash: secret.as_deref().map(crypto::hash),
        source: ClientSource::Registered,
        created_at: now,
        expires_at: Some(now + ttl),
    };
    state.grants.put_client(&client).await?;
    let mut body = json!({
        "client_id": client.client_id,
        "client_id_issued_at": now.timestamp(),
        "client_name": client.client_name,
        "redirect_uris": client.redirect_uris,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    });
    if !scope.is_empty() {
        body["scope"] = json!(scope.join(" "));
    }
    if let Some(secret) = secret {
        body["client_secret"] = json!(secret);
        body["client_secret_expires_at"] = json!(0);
    }
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_seen_in_the_wild_are_accepted() {
        for uri in [
            "https://claude.ai/api/mcp/auth_callback",
            "https://chatgpt.com/connector_platform_oauth_redirect",
            "http://localhost:6274/oauth/callback",
            "http://127.0.0.1:33418/callback",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(check_redirect_uri(uri).is_ok(), "{uri}");
        }
    }

    #[test]
    fn unsafe_redirect_uris_are_refused() {
        for uri in [
            "http://example.com/cb",
            "https://a.example/cb#frag",
            "javascript:alert(1)",
            "relative/cb",
            "myapp:/cb",
        ] {
            assert!(check_redirect_uri(uri).is_err(), "{uri}");
        }
    }
}
