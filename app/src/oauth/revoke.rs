//! `POST /oauth/revoke` (RFC 7009, `domain::usecases::grants::revoke_token`): revokes the
//! grant of a refresh token or of one of our access tokens (the person's approval of the
//! client, every refresh family of it, and so every access token naming it). Always 200 for an authenticated client, whether or not the
//! token was known or its own (§2.2), so the answer reveals nothing.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::usecases::grants::{Revocation, revoke_token};
use serde::Deserialize;

use super::errors::api_answer;
use super::{OAuthState, clients};

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
    let credentials = clients::presented(&req, form.client_id, form.client_secret);
    // An access token of ours names its grant; anything else is looked up as a refresh token.
    let policy = &state.grants.policy;
    let access = form.token.as_deref().and_then(|t| {
        [&policy.resource, &policy.read_only_resource]
            .into_iter()
            .find_map(|audience| state.tokens.verify_for(t, audience).ok())
    });
    match revoke_token(
        &state.grants,
        &credentials,
        form.token.as_deref(),
        access.as_ref(),
    )
    .await
    {
        Ok(Revocation::Revoked { client_id }) => {
            tracing::info!(client = %client_id, "grant revoked");
        }
        Ok(Revocation::NotTheClients { client_id }) => {
            tracing::info!(client = %client_id, "refused to revoke another client's token");
        }
        Ok(Revocation::Unknown) => {}
        Err(e) => return api_answer(e),
    }
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
