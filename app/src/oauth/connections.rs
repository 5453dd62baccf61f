//! `/oauth/connections`: the applications a person has allowed, each with its last write, its
//! newest writes (`recent.rs`) and a Revoke button (which forgets the approval and ends that
//! application's refresh tokens), then their personal access tokens
//! (`personal_tokens_page.rs`). The person signs in with the session cookie of a previous
//! authorization, or (dev identity provider) with the email form here. Forms carry a
//! double-submit CSRF token (cookie + field). The rules are
//! `domain::usecases::grants::{connections, sign_in_for_connections, revoke_connection}`;
//! this file draws the pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::usecases::grants::{
    Browser, Connection, CsrfPair, GrantError, connections, connections_csrf, current_user,
    revoke_connection, sign_in_for_connections,
};
use serde::Deserialize;

use super::errors::browser_answer;
use super::pages::{escape, page};
use super::personal_tokens_page::{Notice, section};
use super::recent::{Recent, recent, summary, writes};
use super::redirects::see_other;
use super::{OAuthState, session};

const CSRF_COOKIE: &str = "pmcp_csrf";
pub(super) const HOME: &str = "/oauth/connections";

pub(super) fn csrf_pair(req: &HttpRequest, submitted: &str) -> CsrfPair {
    CsrfPair {
        cookie: req.cookie(CSRF_COOKIE).map(|c| c.value().to_owned()),
        submitted: submitted.to_owned(),
    }
}

fn with_csrf(state: &OAuthState, response: HttpResponse, token: String, new: bool) -> HttpResponse {
    if new {
        session::with_cookie(response, &session::cookie(state, CSRF_COOKIE, token, 3600))
    } else {
        response
    }
}

fn list_page(list: &[Connection], recent: &[Recent], csrf: &str, tokens: &str) -> HttpResponse {
    let mut rows = String::new();
    for (c, recent) in list.iter().zip(recent) {
        rows.push_str(&format!(
            "<li class=\"connection\"><div><strong>{}</strong><br><span class=\"muted\">{}</span></div>\
             <form method=\"post\" action=\"/oauth/connections/revoke\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"client_id\" value=\"{}\">\
             <button type=\"submit\">Revoke</button></form>{}</li>",
            escape(&c.client_name),
            summary(c.write, c.granted_at, c.last_used_at, recent),
            escape(csrf),
            escape(&c.client_id),
            writes(recent),
        ));
    }
    let body = if list.is_empty() {
        "<h1>Connected applications</h1><p>No application has access to your projects.</p>"
            .to_owned()
    } else {
        format!(
            "<h1>Connected applications</h1><p>These applications may act for you on the Business Platform. Revoking one ends its access; it will ask again next time.</p><ul class=\"connections\">{rows}</ul>"
        )
    };
    page(
        StatusCode::OK,
        "Connected applications",
        &format!("{body}{tokens}"),
    )
}

fn sign_in_page(state: &OAuthState, csrf: &str, problem: Option<&str>) -> HttpResponse {
    if state.grants.identity.is_some() {
        return page(
            StatusCode::OK,
            "Connected applications",
            "<h1>Connected applications</h1><p>Sign in by connecting from an MCP client first; then open this page again in the same browser.</p>",
        );
    }
    let problem = problem.map_or(String::new(), |p| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape(p))
    });
    page(
        StatusCode::OK,
        "Connected applications",
        &format!(
            "<h1>Sign in to see your connected applications</h1>{problem}\
             <form method=\"post\" action=\"/oauth/connections/login\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label for=\"email\">Email</label>\
             <input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" required autofocus>\
             <div class=\"buttons\"><button class=\"primary\" type=\"submit\">Continue</button></div></form>",
            escape(csrf)
        ),
    )
}

/// `GET /oauth/connections`.
pub async fn show(req: HttpRequest, state: web::Data<OAuthState>) -> HttpResponse {
    let cookie = req.cookie(CSRF_COOKIE).map(|c| c.value().to_owned());
    let (csrf, new) = match connections_csrf(&state.grants, cookie.as_deref()) {
        Ok(token) => token,
        Err(e) => return browser_answer(e, &state.issuer),
    };
    let browser = session::browser(&req);
    let response = match signed_in_page(&state, &browser, &csrf, &Notice::Nothing).await {
        Ok(Some(response)) => response,
        Ok(None) => sign_in_page(&state, &csrf, None),
        Err(e) => return browser_answer(e, &state.issuer),
    };
    with_csrf(&state, response, csrf, new)
}

/// The signed-in person's applications and their writes, and their personal access tokens
/// with `notice`; `None` when nobody is signed in.
pub(super) async fn signed_in_page(
    state: &OAuthState,
    browser: &Browser,
    csrf: &str,
    notice: &Notice,
) -> Result<Option<HttpResponse>, GrantError> {
    let Some(user) = current_user(&state.grants, browser).await? else {
        return Ok(None);
    };
    let Some(list) = connections(&state.grants, browser).await? else {
        return Ok(None);
    };
    let recent = recent(state.activity.as_ref(), user, &list).await;
    let tokens = section(state, user, csrf, notice).await?;
    Ok(Some(list_page(&list, &recent, csrf, &tokens)))
}

#[derive(Debug, Deserialize)]
pub struct Login {
    csrf: String,
    email: String,
}

/// `POST /oauth/connections/login` (dev identity provider only).
pub async fn login(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    form: web::Form<Login>,
) -> HttpResponse {
    let csrf = csrf_pair(&req, &form.csrf);
    match sign_in_for_connections(&state.grants, &csrf, &form.email).await {
        Ok(Some(session)) => session::signed_in(&state, session, see_other(HOME)),
        Ok(None) => sign_in_page(&state, &form.csrf, Some("This email cannot sign in here.")),
        Err(e) => browser_answer(e, &state.issuer),
    }
}

#[derive(Debug, Deserialize)]
pub struct Revoke {
    csrf: String,
    client_id: String,
}

/// `POST /oauth/connections/revoke`.
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    form: web::Form<Revoke>,
) -> HttpResponse {
    let csrf = csrf_pair(&req, &form.csrf);
    let browser = session::browser(&req);
    match revoke_connection(&state.grants, &browser, &csrf, &form.client_id).await {
        Ok(_) => see_other(HOME),
        Err(e) => browser_answer(e, &state.issuer),
    }
}
