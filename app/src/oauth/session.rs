//! The browser's cookies: the login session, the short-lived cookie that carries an
//! upstream login across the identity provider's redirect, and the binding cookie of a
//! pending authorization request. Read into the use cases' `Browser`, set from what they
//! return; what they mean is decided in `domain::usecases::grants`.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse};
use domain::usecases::grants::{Browser, NewSession};

use super::OAuthState;

pub const SESSION_COOKIE: &str = "pmcp_session";
pub const LOGIN_COOKIE: &str = "pmcp_login";
/// A random value per browser, set by `/oauth/authorize`; each pending request keeps its
/// hash, and the login and consent steps refuse a browser that does not send it.
pub const BROWSER_COOKIE: &str = "pmcp_browser";

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

/// The cookies of this browser the use cases read.
#[must_use]
pub fn browser(req: &HttpRequest) -> Browser {
    Browser {
        session: req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()),
        binding: req.cookie(BROWSER_COOKIE).map(|c| c.value().to_owned()),
    }
}

/// `response` with `cookie` set (logged when it cannot be).
#[must_use]
pub fn with_cookie(mut response: HttpResponse, cookie: &Cookie<'static>) -> HttpResponse {
    if let Err(e) = response.add_cookie(cookie) {
        tracing::error!(cause = %e, name = cookie.name(), "setting a cookie failed");
    }
    response
}

/// `response` carrying a new login session's cookie.
#[must_use]
pub fn signed_in(state: &OAuthState, session: NewSession, response: HttpResponse) -> HttpResponse {
    let max_age = session.max_age.num_seconds();
    with_cookie(
        response,
        &cookie(state, SESSION_COOKIE, session.id, max_age),
    )
}
