//! The browser side: the login-session cookie, the short-lived cookie that carries an
//! upstream login across the identity provider's redirect, and the browser cookie that
//! binds a pending authorization request to the browser that started it.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use chrono::{TimeDelta, Utc};
use domain::grants::BrowserSession;
use domain::model::UserId;

use super::errors::OAuthError;
use super::{OAuthState, crypto};

pub const SESSION_COOKIE: &str = "pmcp_session";
pub const LOGIN_COOKIE: &str = "pmcp_login";
/// A random value per browser, set by `/oauth/authorize`; each pending request keeps its
/// hash, and the login and consent steps refuse a browser that does not send it.
pub const BROWSER_COOKIE: &str = "pmcp_browser";
const SESSION_HOURS: i64 = 12;

/// A cookie with the house rules: `HttpOnly`, `SameSite=Lax`, `Secure` on https, path `/`.
#[must_use]
pub fn cookie(
    state: &OAuthState,
    name: &'static str,
    value: String,
    max_age_seconds: i64,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .max_age(CookieDuration::seconds(max_age_seconds))
        .finish()
}

/// The person logged in in this browser, if any.
///
/// # Errors
/// Storage failed.
pub async fn current_user(
    state: &OAuthState,
    req: &HttpRequest,
) -> Result<Option<UserId>, OAuthError> {
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let session = state
        .grants
        .session(&crypto::hash(cookie.value()), Utc::now())
        .await?;
    Ok(session.map(|s| s.user))
}

/// Starts a session for `user` and sends the browser to `location` with its cookie.
pub async fn signed_in(
    state: &OAuthState,
    user: UserId,
    location: &str,
) -> actix_web::HttpResponse {
    match start(state, user).await {
        Ok(cookie) => {
            let mut response = super::authorize::see_other(location);
            if let Err(e) = response.add_cookie(&cookie) {
                tracing::error!(cause = %e, "setting the session cookie failed");
            }
            response
        }
        Err(e) => e.page(),
    }
}

/// Starts a session for `user` and returns its cookie.
///
/// # Errors
/// Storage failed.
pub async fn start(state: &OAuthState, user: UserId) -> Result<Cookie<'static>, OAuthError> {
    let id = crypto::random_token()?;
    state
        .grants
        .put_session(&BrowserSession {
            id_hash: crypto::hash(&id),
            user,
            expires_at: Utc::now() + TimeDelta::hours(SESSION_HOURS),
        })
        .await?;
    Ok(cookie(state, SESSION_COOKIE, id, SESSION_HOURS * 3600))
}

/// This browser's binding value: the one it sent, when well formed, else a new one. The
/// caller sets it again (`cookie`) so that it outlives the pending request.
///
/// # Errors
/// The system's random source failed.
pub fn browser_binding(req: &HttpRequest) -> anyhow::Result<String> {
    match req.cookie(BROWSER_COOKIE) {
        Some(c) if c.value().len() == 43 && c.value().bytes().all(is_base64url) => {
            Ok(c.value().to_owned())
        }
        _ => crypto::random_token(),
    }
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// True when this browser sent the binding whose hash is `bound`.
#[must_use]
pub fn same_browser(req: &HttpRequest, bound: &str) -> bool {
    req.cookie(BROWSER_COOKIE)
        .is_some_and(|c| !bound.is_empty() && crypto::same(&crypto::hash(c.value()), bound))
}

/// The consent form's token: the pending request's CSRF token bound to this browser's
/// login session, so a consent shown to one session cannot be posted from another.
#[must_use]
pub fn consent_token(req: &HttpRequest, csrf: &str) -> Option<String> {
    req.cookie(SESSION_COOKIE)
        .map(|session| crypto::hash(&format!("{csrf}:{}", session.value())))
}
