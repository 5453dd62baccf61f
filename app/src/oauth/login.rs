//! Logging the person in: the dev form (one email field, for people added with the admin
//! CLI) or the upstream OpenID provider through the identity port. Either way the browser
//! ends on the consent page with a session cookie.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{TimeDelta, Utc};
use domain::grants::Pending;
use domain::model::{User, UserId};
use domain::ports::{Identity, LoginStart, StoreError};
use serde::{Deserialize, Serialize};

use super::consent::pending_request;
use super::errors::OAuthError;
use super::session::{self, LOGIN_COOKIE};
use super::{OAuthState, crypto, pages};

#[derive(Debug, Deserialize)]
pub struct Form {
    request: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct UpstreamLogin {
    request: String,
    pending: String,
}

/// `GET /oauth/login?request=…`: the dev form, or a redirect to the upstream provider.
pub async fn form(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    query: web::Query<Form>,
) -> HttpResponse {
    let request = match pending_request(&state, &req, &query.request).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let Some(identity) = &state.identity else {
        return pages::login(&query.request, &request.csrf, &request.client_name, None);
    };
    let callback = format!("{}/oauth/callback", state.issuer);
    match identity.start_login(&callback).await {
        Ok(LoginStart::Redirect { url, pending }) => {
            match remember_upstream(&state, &query.request, pending).await {
                Ok(cookie) => HttpResponse::Found()
                    .cookie(cookie)
                    .insert_header((header::LOCATION, url))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish(),
                Err(e) => e.page(),
            }
        }
        Ok(LoginStart::LocalForm) => {
            pages::login(&query.request, &request.csrf, &request.client_name, None)
        }
        Err(e) => {
            tracing::error!(cause = %e, "starting the upstream login failed");
            OAuthError::server_error("the identity provider cannot be reached; try again later")
                .page()
        }
    }
}

async fn remember_upstream(
    state: &OAuthState,
    request: &str,
    pending: String,
) -> Result<actix_web::cookie::Cookie<'static>, OAuthError> {
    let id = crypto::random_token()?;
    let payload = serde_json::to_value(UpstreamLogin {
        request: request.to_owned(),
        pending,
    })
    .map_err(anyhow::Error::from)?;
    state
        .grants
        .put_pending(&Pending {
            id: format!("login:{id}"),
            payload,
            expires_at: Utc::now() + TimeDelta::minutes(10),
        })
        .await?;
    Ok(session::cookie(state, LOGIN_COOKIE, id, 600))
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
    if state.identity.is_some() {
        return OAuthError::invalid_request("sign in through the identity provider").page();
    }
    let form = form.into_inner();
    let request = match pending_request(&state, &req, &form.request).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    if !crypto::same(&form.csrf, &request.csrf) {
        return OAuthError::invalid_request(
            "the form expired or did not come from this server; start again",
        )
        .page();
    }
    let user = match state.directory.user_by_email(form.email.trim()).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return pages::login(
                &form.request,
                &request.csrf,
                &request.client_name,
                // The same words whether or not the address is known elsewhere.
                Some(
                    "This email cannot sign in here. Check it, or ask an administrator to add you (platform-mcp admin user add).",
                ),
            );
        }
        Err(e) => return OAuthError::from(e).page(),
    };
    logged_in(&state, &form.request, user.id).await
}

async fn logged_in(state: &OAuthState, request: &str, user: UserId) -> HttpResponse {
    session::signed_in(state, user, &format!("/oauth/consent?request={request}")).await
}

/// `GET /oauth/callback`: the upstream provider sends the browser back here.
pub async fn callback(req: HttpRequest, state: web::Data<OAuthState>) -> HttpResponse {
    let Some(identity) = &state.identity else {
        return OAuthError::invalid_request("no upstream identity provider is configured").page();
    };
    let Some(cookie) = req.cookie(LOGIN_COOKIE) else {
        return OAuthError::invalid_request(
            "this sign-in expired or was started in another browser; start again",
        )
        .page();
    };
    let login = match state
        .grants
        .take_pending(&format!("login:{}", cookie.value()), Utc::now())
        .await
    {
        Ok(Some(p)) => p,
        Ok(None) => {
            return OAuthError::invalid_request(
                "this sign-in expired or was already completed; start again",
            )
            .page();
        }
        Err(e) => return OAuthError::from(e).page(),
    };
    let Ok(login) = serde_json::from_value::<UpstreamLogin>(login.payload) else {
        return OAuthError::server_error("a stored sign-in does not decode").page();
    };
    let identity = match identity
        .finish_login(req.query_string(), &login.pending)
        .await
    {
        Ok(identity) => identity,
        Err(e) => return OAuthError::access_denied(e.to_string()).page(),
    };
    match person_for(&state, &identity).await {
        Ok(user) => logged_in(&state, &login.request, user).await,
        Err(e) => e.page(),
    }
}

/// The person for an upstream identity: found by (issuer, subject); else an existing person
/// with the same email, linked only when the provider verified that email; else created.
async fn person_for(state: &OAuthState, identity: &Identity) -> Result<UserId, OAuthError> {
    let directory = &state.directory;
    if let Some(user) = directory
        .user_by_identity(&identity.issuer, &identity.subject)
        .await?
    {
        return Ok(user.id);
    }
    let email = identity.email.clone().ok_or_else(|| {
        OAuthError::access_denied("the identity provider did not share an email address")
    })?;
    if let Some(existing) = directory.user_by_email(&email).await? {
        if !identity.email_verified {
            return Err(OAuthError::access_denied(
                "an account with this email exists, and the identity provider has not verified the email; verify it there first",
            ));
        }
        directory
            .link_identity(existing.id, &identity.issuer, &identity.subject)
            .await?;
        return Ok(existing.id);
    }
    let user = User {
        id: UserId::from_uuid(uuid::Uuid::now_v7()),
        display_name: identity.name.clone().unwrap_or_else(|| email.clone()),
        email,
        identity: Some((identity.issuer.clone(), identity.subject.clone())),
    };
    match directory.create_user(&user).await {
        Ok(()) => Ok(user.id),
        // Another tab created the same person a moment ago.
        Err(StoreError::AlreadyExists(_)) => directory
            .user_by_identity(&identity.issuer, &identity.subject)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| OAuthError::server_error("creating the account failed; try again")),
        Err(e) => Err(e.into()),
    }
}
