//! The handlers of the connections page's personal-token forms: `POST
//! /oauth/connections/tokens` (make one; the answer is the page showing it once) and `POST
//! /oauth/connections/tokens/revoke`. Both check the page's CSRF pair and the signed-in
//! session (`domain::usecases::grants::form_user`); the rules are
//! `domain::usecases::grants::{create_personal_token, revoke_personal_token}`.

use actix_web::{HttpRequest, HttpResponse, web};
use domain::model::GrantId;
use domain::usecases::grants::{
    GrantError, create_personal_token, form_user, revoke_personal_token,
};

use super::connections::{HOME, csrf_pair, signed_in_page};
use super::errors::browser_answer;
use super::personal_tokens_page::{Notice, TokenForm};
use super::redirects::see_other;
use super::{OAuthState, session};

/// The page again, with `notice` in its tokens part.
async fn page_with(
    state: &OAuthState,
    req: &HttpRequest,
    csrf: &str,
    notice: &Notice,
) -> HttpResponse {
    match signed_in_page(state, &session::browser(req), csrf, notice).await {
        Ok(Some(page)) => page,
        Ok(None) => see_other(HOME),
        Err(e) => browser_answer(e, &state.issuer),
    }
}

/// `POST /oauth/connections/tokens`: makes a token and shows it once.
pub async fn create(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    body: web::Bytes,
) -> HttpResponse {
    let form = TokenForm::parse(&body);
    let user = match form_user(
        &state.grants,
        &session::browser(&req),
        &csrf_pair(&req, &form.csrf),
    )
    .await
    {
        Ok(Some(user)) => user,
        Ok(None) => return see_other(HOME),
        Err(e) => return browser_answer(e, &state.issuer),
    };
    let notice = match form.asked() {
        Err(problem) => Notice::Problem(problem),
        Ok(asked) => match create_personal_token(&state.grants, user, &asked).await {
            Ok(created) => Notice::Created(Box::new(created)),
            Err(GrantError::InvalidRequest(problem)) => Notice::Problem(problem),
            Err(e) => return browser_answer(e, &state.issuer),
        },
    };
    page_with(&state, &req, &form.csrf, &notice).await
}

#[derive(Debug, serde::Deserialize)]
pub struct Revoke {
    csrf: String,
    id: String,
}

/// `POST /oauth/connections/tokens/revoke`.
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    form: web::Form<Revoke>,
) -> HttpResponse {
    let user = match form_user(
        &state.grants,
        &session::browser(&req),
        &csrf_pair(&req, &form.csrf),
    )
    .await
    {
        Ok(Some(user)) => user,
        Ok(None) => return see_other(HOME),
        Err(e) => return browser_answer(e, &state.issuer),
    };
    let Ok(id) = form.id.parse::<GrantId>() else {
        return browser_answer(
            GrantError::InvalidRequest("no such token; open the page again".into()),
            &state.issuer,
        );
    };
    match revoke_personal_token(&state.grants, user, id).await {
        Ok(_) => see_other(HOME),
        Err(e) => browser_answer(e, &state.issuer),
    }
}
