//! `/oauth/connections`: the applications a person has allowed, each with a Revoke button
//! (which forgets the approval and ends that application's refresh tokens). The person signs
//! in with the session cookie of a previous authorization, or (dev identity provider) with
//! the email form here. Forms carry a double-submit CSRF token (cookie + field).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use domain::model::UserId;
use serde::Deserialize;

use super::authorize::see_other;
use super::errors::OAuthError;
use super::pages::{escape, page};
use super::{OAuthState, crypto, session};

const CSRF_COOKIE: &str = "pmcp_csrf";

/// The CSRF token of this browser (reused from its cookie, or new).
fn csrf_token(req: &HttpRequest) -> Result<(String, bool), OAuthError> {
    match req.cookie(CSRF_COOKIE) {
        Some(c) if c.value().len() >= 43 => Ok((c.value().to_owned(), false)),
        _ => Ok((crypto::random_token()?, true)),
    }
}

fn csrf_ok(req: &HttpRequest, submitted: &str) -> bool {
    req.cookie(CSRF_COOKIE)
        .is_some_and(|c| crypto::same(c.value(), submitted))
}

fn with_csrf(
    state: &OAuthState,
    mut response: HttpResponse,
    token: String,
    new: bool,
) -> HttpResponse {
    if new && let Err(e) = response.add_cookie(&session::cookie(state, CSRF_COOKIE, token, 3600)) {
        tracing::error!(cause = %e, "setting the CSRF cookie failed");
    }
    response
}

async fn list_page(
    state: &OAuthState,
    user: UserId,
    csrf: &str,
) -> Result<HttpResponse, OAuthError> {
    let consents = state.grants.consents_of(user).await?;
    let mut rows = String::new();
    for c in &consents {
        let name = match state.grants.client(&c.client_id, Utc::now()).await? {
            Some(client) => client.client_name,
            None => c.client_id.clone(),
        };
        let access = if c.scopes.iter().any(|s| s == "data:write") {
            "Read and write"
        } else {
            "Read only"
        };
        rows.push_str(&format!(
            "<li class=\"connection\"><div><strong>{}</strong><br><span class=\"muted\">{access} · since {}</span></div>\
             <form method=\"post\" action=\"/oauth/connections/revoke\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"client_id\" value=\"{}\">\
             <button type=\"submit\">Revoke</button></form></li>",
            escape(&name),
            c.granted_at.format("%Y-%m-%d"),
            escape(csrf),
            escape(&c.client_id),
        ));
    }
    let body = if consents.is_empty() {
        "<h1>Connected applications</h1><p>No application has access to your projects.</p>"
            .to_owned()
    } else {
        format!(
            "<h1>Connected applications</h1><p>These applications may act for you on the Business Platform. Revoking one ends its access; it will ask again next time.</p><ul class=\"connections\">{rows}</ul>"
        )
    };
    Ok(page(StatusCode::OK, "Connected applications", &body))
}

fn sign_in_page(state: &OAuthState, csrf: &str, problem: Option<&str>) -> HttpResponse {
    if state.identity.is_some() {
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
    let result = async {
        let (csrf, new) = csrf_token(&req)?;
        let response = match session::current_user(&state, &req).await? {
            Some(user) => list_page(&state, user, &csrf).await?,
            None => sign_in_page(&state, &csrf, None),
        };
        Ok::<_, OAuthError>(with_csrf(&state, response, csrf, new))
    };
    result.await.unwrap_or_else(|e| e.page())
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
    if state.identity.is_some() || !csrf_ok(&req, &form.csrf) {
        return OAuthError::invalid_request(
            "the form expired or did not come from this server; open the page again",
        )
        .page();
    }
    let user = match state.directory.user_by_email(form.email.trim()).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return sign_in_page(&state, &form.csrf, Some("This email cannot sign in here."));
        }
        Err(e) => return OAuthError::from(e).page(),
    };
    session::signed_in(&state, user.id, "/oauth/connections").await
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
    if !csrf_ok(&req, &form.csrf) {
        return OAuthError::invalid_request(
            "the form expired or did not come from this server; open the page again",
        )
        .page();
    }
    let user = match session::current_user(&state, &req).await {
        Ok(Some(user)) => user,
        Ok(None) => return see_other("/oauth/connections"),
        Err(e) => return e.page(),
    };
    match state.grants.revoke_consent(user, &form.client_id).await {
        Ok(_) => see_other("/oauth/connections"),
        Err(e) => OAuthError::from(e).page(),
    }
}
