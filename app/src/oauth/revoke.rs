//! `POST /oauth/revoke` (RFC 7009): revokes the refresh token's whole family. Access tokens
//! are short-lived JWTs and simply expire. Always 200 for an authenticated client, whether or
//! not the token was known (§2.2).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{OAuthState, clients, crypto};

#[derive(Debug, Deserialize)]
pub struct Form {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /oauth/revoke`.
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    form: web::Form<Form>,
) -> HttpResponse {
    let form = form.into_inner();
    let presented = clients::presented(
        &req,
        form.client_id.as_deref(),
        form.client_secret.as_deref(),
    );
    let client = match clients::authenticate(&state, &presented).await {
        Ok(client) => client,
        Err(e) => return e.json(),
    };
    let Some(token) = form.token.filter(|t| !t.is_empty()) else {
        return super::errors::OAuthError::invalid_request("token is missing").json();
    };
    match state.grants.family_of(&crypto::hash(&token)).await {
        // RFC 7009 §2.1: a token issued to another client is not this client's to revoke;
        // the answer is the same 200 as for an unknown token, so it reveals nothing.
        Ok(Some(found)) if found.client_id != client.client_id => {
            tracing::info!(client = %client.client_id, "refused to revoke another client's token");
        }
        Ok(Some(found)) => {
            if let Err(e) = state.grants.revoke_family(found.family).await {
                return super::errors::OAuthError::from(e).json();
            }
            tracing::info!(client = %client.client_id, "refresh token family revoked");
        }
        Ok(None) => {}
        Err(e) => return super::errors::OAuthError::from(e).json(),
    }
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
