//! Logging the person in: the dev form (one email field) or the upstream OpenID provider
//! through the identity port (`domain::usecases::grants::{start_login,
//! sign_in_with_email, finish_upstream_login}`). Either way the browser ends on the consent
//! step with a session cookie.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::usecases::grants::{
    LoginStep, SignIn, SignedIn, finish_upstream_login, sign_in_with_email, start_login,
};
use serde::Deserialize;

use super::errors::browser_answer;
use super::redirects::to_consent;
use super::session::{self, LOGIN_COOKIE};
use super::{OAuthState, pages};

/// What the dev form says for an email that cannot sign in: the same words whether or not
/// the address is known elsewhere.
const CANNOT_SIGN_IN: &str = "This email cannot sign in here. Check it, or ask an administrator to add you (platform-mcp admin user add).";

#[derive(Debug, Deserialize)]
pub struct Form {
    request: String,
}

/// `GET /oauth/login?request=…`: the dev form, or a redirect to the upstream provider.
pub async fn form(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    query: web::Query<Form>,
) -> HttpResponse {
    let callback = format!("{}/oauth/callback", state.issuer);
    let browser = session::browser(&req);
    match start_login(&state.grants, &query.request, &browser, &callback).await {
        Ok(LoginStep::Form { csrf, client_name }) => {
            pages::login(&query.request, &csrf, &client_name, None)
        }
        Ok(LoginStep::Upstream {
            url,
            login,
            max_age_seconds,
        }) => HttpResponse::Found()
            .cookie(session::cookie(
                &state,
                LOGIN_COOKIE,
                login,
                max_age_seconds,
            ))
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Err(e) => browser_answer(e, &state.issuer),
    }
}

#[derive(Debug, Deserialize)]
pub struct Submit {
    request: String,
    csrf: String,
    email: String,
}

/// `POST /oauth/login`: the dev form's submission.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    form: web::Form<Submit>,
) -> HttpResponse {
    let browser = session::browser(&req);
    let signed = sign_in_with_email(
        &state.grants,
        &form.request,
        &browser,
        &form.csrf,
        &form.email,
    )
    .await;
    match signed {
        Ok(SignIn::Done(signed)) => to_consent_signed_in(&state, signed),
        Ok(SignIn::Unknown { csrf, client_name }) => {
            pages::login(&form.request, &csrf, &client_name, Some(CANNOT_SIGN_IN))
        }
        Err(e) => browser_answer(e, &state.issuer),
    }
}

/// `GET /oauth/callback`: the upstream provider sends the browser back here.
pub async fn callback(req: HttpRequest, state: web::Data<OAuthState>) -> HttpResponse {
    let login = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned());
    match finish_upstream_login(&state.grants, login.as_deref(), req.query_string()).await {
        Ok(signed) => to_consent_signed_in(&state, signed),
        Err(e) => browser_answer(e, &state.issuer),
    }
}

fn to_consent_signed_in(state: &OAuthState, signed: SignedIn) -> HttpResponse {
    session::signed_in(state, signed.session, to_consent(&signed.request))
}
