//! The consent page: "Allow <client> to access your projects?", read-only or read-write,
//! Allow or Deny. An approval is remembered per person × client × scopes.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use domain::grants::Consent;
use serde::Deserialize;
use url::Url;

use super::authorize::{AuthRequest, issue_code, see_other};
use super::errors::OAuthError;
use super::pages::{self, ConsentView};
use super::{OAuthState, crypto, session};

#[derive(Debug, Deserialize)]
pub struct Show {
    request: String,
}

/// Loads the pending request `id` started by this browser, or an error page.
pub(super) async fn pending_request(
    state: &OAuthState,
    req: &HttpRequest,
    id: &str,
) -> Result<AuthRequest, HttpResponse> {
    let request = stored_request(state, id).await?;
    if session::same_browser(req, &request.browser) {
        Ok(request)
    } else {
        Err(OAuthError::invalid_request(
            "this sign-in request was started in another browser (or its cookie expired); start again from your application",
        )
        .page())
    }
}

async fn stored_request(state: &OAuthState, id: &str) -> Result<AuthRequest, HttpResponse> {
    let pending = state
        .grants
        .pending(id, Utc::now())
        .await
        .map_err(|e| OAuthError::from(e).page())?
        .ok_or_else(|| OAuthError::invalid_request("this sign-in request expired or was already used; start again from your application").page())?;
    serde_json::from_value(pending.payload)
        .map_err(|_| OAuthError::server_error("a stored request does not decode").page())
}

/// `GET /oauth/consent?request=…`.
pub async fn show(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    query: web::Query<Show>,
) -> HttpResponse {
    let request = match pending_request(&state, &req, &query.request).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let user = match session::current_user(&state, &req).await {
        Ok(Some(user)) => user,
        Ok(None) => return see_other(&format!("/oauth/login?request={}", query.request)),
        Err(e) => return e.page(),
    };
    // A remembered approval covering what is asked skips the page.
    match state.grants.consent(user, &request.client_id).await {
        Ok(Some(consent))
            if request
                .data_scopes(true)
                .iter()
                .all(|s| consent.scopes.contains(s)) =>
        {
            return finish(&state, &query.request, &request, user, true).await;
        }
        Ok(_) => {}
        Err(e) => return OAuthError::from(e).page(),
    }
    let email = match state.directory.user_by_id(user).await {
        Ok(Some(u)) => u.email,
        Ok(None) => return see_other(&format!("/oauth/login?request={}", query.request)),
        Err(e) => return OAuthError::from(e).page(),
    };
    let Some(csrf) = session::consent_token(&req, &request.csrf) else {
        return see_other(&format!("/oauth/login?request={}", query.request));
    };
    let host = Url::parse(&request.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| request.redirect_uri.clone());
    pages::consent(&ConsentView {
        request: &query.request,
        csrf: &csrf,
        client_name: &request.client_name,
        client_host: &host,
        redirect_uri: &request.redirect_uri,
        user_email: &email,
        write_requested: request.write_requested,
    })
}

#[derive(Debug, Deserialize)]
pub struct Decision {
    request: String,
    csrf: String,
    decision: String,
    access: Option<String>,
}

/// Takes the pending request (single use) and sends the browser back with a code.
async fn finish(
    state: &OAuthState,
    id: &str,
    request: &AuthRequest,
    user: domain::model::UserId,
    write: bool,
) -> HttpResponse {
    match state.grants.take_pending(id, Utc::now()).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return OAuthError::invalid_request(
                "this sign-in request was already used; start again from your application",
            )
            .page();
        }
        Err(e) => return OAuthError::from(e).page(),
    }
    match issue_code(state, request, user, write).await {
        Ok(response) => response,
        Err(e) => e.redirect(
            &request.redirect_uri,
            request.state.as_deref(),
            &state.issuer,
        ),
    }
}

/// `POST /oauth/consent`.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    form: web::Form<Decision>,
) -> HttpResponse {
    let form = form.into_inner();
    let request = match pending_request(&state, &req, &form.request).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    // The token shown with the page is bound to the session that saw it.
    let expected = session::consent_token(&req, &request.csrf).unwrap_or_default();
    if expected.is_empty() || !crypto::same(&form.csrf, &expected) {
        return OAuthError::invalid_request(
            "the form expired or did not come from this server; start again",
        )
        .page();
    }
    let user = match session::current_user(&state, &req).await {
        Ok(Some(user)) => user,
        Ok(None) => return see_other(&format!("/oauth/login?request={}", form.request)),
        Err(e) => return e.page(),
    };
    if form.decision != "allow" {
        let _ = state.grants.take_pending(&form.request, Utc::now()).await;
        return OAuthError::access_denied("the person denied access").redirect(
            &request.redirect_uri,
            request.state.as_deref(),
            &state.issuer,
        );
    }
    let write = form.access.as_deref() != Some("read");
    let consent = Consent {
        user,
        client_id: request.client_id.clone(),
        scopes: request.data_scopes(write),
        granted_at: Utc::now(),
    };
    if let Err(e) = state.grants.put_consent(&consent).await {
        return OAuthError::from(e).page();
    }
    finish(&state, &form.request, &request, user, write).await
}
