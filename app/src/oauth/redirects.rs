//! Where the authorization server sends the browser: to its own next step (`303 See
//! Other`), or back to the client with a code, `state` and `iss` (RFC 9207).

use actix_web::HttpResponse;
use actix_web::http::header;
use domain::usecases::grants::IssuedCode;
use url::Url;

use super::errors::OAuthError;

/// A `303 See Other` to a path of this server.
#[must_use]
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The browser back to the client with `code`, `state` and `iss`.
#[must_use]
pub fn with_code(issued: &IssuedCode, issuer: &str) -> HttpResponse {
    let Ok(mut url) = Url::parse(&issued.redirect_uri) else {
        return OAuthError::server_error("the redirect URI does not parse").page();
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &issued.code);
        if let Some(s) = &issued.state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", issuer);
    }
    HttpResponse::Found()
        .insert_header((header::LOCATION, url.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The consent step of pending request `request`.
#[must_use]
pub fn to_consent(request: &str) -> HttpResponse {
    see_other(&format!("/oauth/consent?request={request}"))
}

/// The login step of pending request `request`.
#[must_use]
pub fn to_login(request: &str) -> HttpResponse {
    see_other(&format!("/oauth/login?request={request}"))
}
