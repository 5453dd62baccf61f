//! The consent page (`domain::usecases::grants::{show_consent, decide_consent}`): "Allow
//! <client> to access your projects?", read-only or read-write, Allow or Deny.

use actix_web::{HttpRequest, HttpResponse, web};
use domain::usecases::grants::{ConsentStep, Decision, decide_consent, show_consent};
use serde::Deserialize;
use url::Url;

use super::errors::browser_answer;
use super::pages::{self, ConsentView};
use super::redirects::{to_login, with_code};
use super::{OAuthState, session};

#[derive(Debug, Deserialize)]
pub struct Show {
    request: String,
}

/// `GET /oauth/consent?request=…`.
pub async fn show(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    query: web::Query<Show>,
) -> HttpResponse {
    let browser = session::browser(&req);
    let prompt = match show_consent(&state.grants, &query.request, &browser).await {
        Ok(ConsentStep::Ask(prompt)) => prompt,
        Ok(ConsentStep::Login) => return to_login(&query.request),
        Ok(ConsentStep::Remembered(issued)) => return with_code(&issued, &state.issuer),
        Err(e) => return browser_answer(e, &state.issuer),
    };
    let request = &prompt.request;
    let host = Url::parse(&request.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| request.redirect_uri.clone());
    pages::consent(&ConsentView {
        request: &query.request,
        csrf: &prompt.form_token,
        client_name: &request.client_name,
        client_host: &host,
        redirect_uri: &request.redirect_uri,
        user_email: &prompt.user_email,
        write_requested: request.write_requested,
    })
}

#[derive(Debug, Deserialize)]
pub struct Form {
    request: String,
    csrf: String,
    decision: String,
    access: Option<String>,
}

/// `POST /oauth/consent`.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    form: web::Form<Form>,
) -> HttpResponse {
    let form = form.into_inner();
    let decision = Decision {
        form_token: form.csrf,
        allow: form.decision == "allow",
        write: form.access.as_deref() != Some("read"),
    };
    let browser = session::browser(&req);
    match decide_consent(&state.grants, &form.request, &browser, &decision).await {
        Ok(Some(issued)) => with_code(&issued, &state.issuer),
        Ok(None) => to_login(&form.request),
        Err(e) => browser_answer(e, &state.issuer),
    }
}
