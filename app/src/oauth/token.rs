//! `POST /oauth/token`: parses the form, exchanges the code or refresh token
//! (`domain::usecases::grants::exchange_token`) and answers with a new access token and
//! the next refresh token. Answers 200 with `Cache-Control: no-store`, never 201.

use std::collections::BTreeSet;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::usecases::grants::{GrantError, Issued, Replay, TokenRequest, exchange_token};
use serde::Deserialize;
use serde_json::json;

use super::errors::{OAuthError, api_answer};
use super::{OAuthState, clients};
use crate::metrics::{Metrics, OAuthEvent};

#[derive(Debug, Deserialize)]
pub struct Form {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    resource: Option<String>,
    scope: Option<String>,
}

/// `POST /oauth/token` (and `/token`).
pub async fn token(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    metrics: web::Data<Metrics>,
    form: web::Form<Form>,
) -> HttpResponse {
    let form = form.into_inner();
    let request = TokenRequest {
        credentials: clients::presented(&req, form.client_id, form.client_secret),
        grant_type: form.grant_type,
        code: form.code,
        redirect_uri: form.redirect_uri,
        code_verifier: form.code_verifier,
        refresh_token: form.refresh_token,
        resource: form.resource,
        scope: form.scope,
    };
    match exchange_token(&state.grants, &request).await {
        Ok(issued) => {
            metrics.oauth(OAuthEvent::TokenIssued);
            respond(&state, &issued)
        }
        Err(e) => {
            if matches!(
                &e,
                GrantError::Replayed {
                    what: Replay::RefreshToken,
                    ..
                }
            ) {
                metrics.oauth(OAuthEvent::RefreshReuseDetected);
            }
            api_answer(e)
        }
    }
}

fn respond(state: &OAuthState, issued: &Issued) -> HttpResponse {
    let scopes: BTreeSet<String> = issued.scopes.iter().cloned().collect();
    // The audience is the grant's resource (`/mcp` or `/mcp/readonly`), checked to be one
    // of this server's when the code was asked for.
    let access = match state.tokens.mint_for(
        &issued.resource,
        issued.user,
        &scopes,
        &issued.client_id,
        issued.grant,
        state.access_token_ttl,
    ) {
        Ok(access) => access,
        Err(e) => return OAuthError::server_error(e.to_string()).json(),
    };
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": state.access_token_ttl.as_secs(),
            "refresh_token": issued.refresh_token,
            "scope": issued.scopes.join(" "),
        }))
}
