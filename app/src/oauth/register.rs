//! `POST /oauth/register`: dynamic client registration (RFC 7591). Parses the body and
//! registers the client (`domain::usecases::grants::register_client`); answers 201 with
//! the client's metadata and, for a confidential client, its secret (shown once).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use domain::usecases::grants::{Registration, register_client};
use serde::Deserialize;
use serde_json::json;

use super::OAuthState;
use super::errors::{OAuthError, api_answer};

/// The largest registration body accepted.
pub const MAX_BODY: usize = 16 * 1024;

#[derive(Debug, Deserialize)]
struct Request {
    redirect_uris: Option<Vec<String>>,
    client_name: Option<String>,
    token_endpoint_auth_method: Option<String>,
    grant_types: Option<Vec<String>>,
    response_types: Option<Vec<String>>,
    scope: Option<String>,
}

/// `POST /oauth/register`.
pub async fn register(state: web::Data<OAuthState>, body: web::Bytes) -> HttpResponse {
    let request = match parse(&body) {
        Ok(request) => request,
        Err(e) => return e.json(),
    };
    let registered = match register_client(&state.grants, request).await {
        Ok(registered) => registered,
        Err(e) => return api_answer(e),
    };
    let client = &registered.client;
    let mut body = json!({
        "client_id": client.client_id,
        "client_id_issued_at": client.created_at.timestamp(),
        "client_name": client.client_name,
        "redirect_uris": client.redirect_uris,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    });
    if !registered.scopes.is_empty() {
        body["scope"] = json!(registered.scopes.join(" "));
    }
    if let Some(secret) = &registered.secret {
        body["client_secret"] = json!(secret);
        body["client_secret_expires_at"] = json!(0);
    }
    HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

fn parse(body: &[u8]) -> Result<Registration, OAuthError> {
    if body.len() > MAX_BODY {
        return Err(OAuthError::invalid_client_metadata(
            "the registration is larger than 16 KiB",
        ));
    }
    let request: Request = serde_json::from_slice(body).map_err(|e| {
        OAuthError::invalid_client_metadata(format!("the body is not a client registration: {e}"))
    })?;
    Ok(Registration {
        redirect_uris: request.redirect_uris,
        client_name: request.client_name,
        token_endpoint_auth_method: request.token_endpoint_auth_method,
        grant_types: request.grant_types,
        response_types: request.response_types,
        scope: request.scope,
    })
}
