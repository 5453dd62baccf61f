//! `GET /oauth/authorize`: parses the request and starts it
//! (`domain::usecases::grants::start_authorization`): straight back to the client with a
//! code, or on to the consent step with the browser's binding cookie. Every refusal is a
//! page, never a redirect (see the use case).

use actix_web::{HttpRequest, HttpResponse, web};
use domain::usecases::grants::{AuthorizationQuery, Authorized, start_authorization};
use serde::Deserialize;

use super::OAuthState;
use super::errors::browser_answer;
use super::redirects::{to_consent, with_code};
use super::session::{self, BROWSER_COOKIE};
use crate::metrics::{Metrics, OAuthEvent};

#[derive(Debug, Deserialize)]
pub struct Query {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    resource: Option<String>,
    prompt: Option<String>,
}

impl From<Query> for AuthorizationQuery {
    fn from(q: Query) -> Self {
        Self {
            client_id: q.client_id,
            redirect_uri: q.redirect_uri,
            response_type: q.response_type,
            code_challenge: q.code_challenge,
            code_challenge_method: q.code_challenge_method,
            state: q.state,
            scope: q.scope,
            resource: q.resource,
            prompt: q.prompt,
        }
    }
}

/// `GET /oauth/authorize` (and `/authorize`).
pub async fn authorize(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    metrics: web::Data<Metrics>,
    query: web::Query<Query>,
) -> HttpResponse {
    let query = AuthorizationQuery::from(query.into_inner());
    let started = start_authorization(&state.grants, &query, &session::browser(&req)).await;
    if started.is_ok() {
        metrics.oauth(OAuthEvent::AuthorizationStarted);
    }
    match started {
        Ok(Authorized::Code(issued)) => with_code(&issued, &state.issuer),
        Ok(Authorized::Pending {
            request,
            binding,
            max_age,
        }) => session::with_cookie(
            to_consent(&request),
            &session::cookie(&state, BROWSER_COOKIE, binding, max_age.num_seconds()),
        ),
        Err(e) => browser_answer(e, &state.issuer),
    }
}
