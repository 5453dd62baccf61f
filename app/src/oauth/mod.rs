//! The OAuth 2.1 authorization server MCP clients use: discovery (RFC 8414), dynamic client
//! registration (RFC 7591), Client ID Metadata Documents, the authorization endpoint with
//! PKCE, login through the identity port, consent, the token endpoint with refresh-token
//! rotation, and revocation (RFC 7009). Every piece of state lives in the `GrantStore`.

mod authorize;
mod cimd;
mod clients;
mod connections;
mod consent;
pub mod crypto;
mod errors;
mod login;
mod metadata;
mod pages;
mod register;
mod revoke;
mod session;
mod token;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use domain::grants::GrantStore;
use domain::ports::{Directory, IdentityProvider};

use crate::auth::tokens::TokenService;
use crate::config::Settings;
use crate::http::open_cors;

pub use clients::register_operator_client;

/// What the authorization server needs, shared by its handlers.
pub struct OAuthState {
    pub grants: Arc<dyn GrantStore>,
    pub directory: Arc<dyn Directory>,
    /// `None`: the dev login form.
    pub identity: Option<Arc<dyn IdentityProvider>>,
    pub tokens: TokenService,
    pub issuer: String,
    pub resource: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub refresh_family_max_age: Duration,
    pub unused_client_ttl: Duration,
    /// Cookies get `Secure` when the public URL is https.
    pub secure_cookies: bool,
    pub metadata_fetch: cimd::FetchPolicy,
}

impl OAuthState {
    /// The state for `settings`.
    ///
    /// # Errors
    /// The configured metadata CA file cannot be read.
    pub fn new(
        settings: &Settings,
        grants: Arc<dyn GrantStore>,
        directory: Arc<dyn Directory>,
        identity: Option<Arc<dyn IdentityProvider>>,
        tokens: TokenService,
    ) -> anyhow::Result<Self> {
        let issuer = settings.issuer();
        Ok(Self {
            grants,
            directory,
            identity,
            tokens,
            secure_cookies: issuer.starts_with("https://"),
            resource: settings.resource(),
            issuer,
            access_token_ttl: settings.auth.access_token_ttl,
            refresh_token_ttl: settings.oauth.refresh_token_ttl,
            refresh_family_max_age: settings.oauth.refresh_family_max_age,
            unused_client_ttl: settings.oauth.unused_client_ttl,
            metadata_fetch: cimd::FetchPolicy::from_settings(&settings.oauth)?,
        })
    }
}

/// The metadata documents, served under `/.well-known`.
pub fn well_known(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/oauth-authorization-server",
        web::get().to(metadata::authorization_server),
    )
    .route(
        "/openid-configuration",
        web::get().to(metadata::openid_configuration),
    );
}

/// The endpoints under `/oauth`, and the root aliases some clients use
/// (`/authorize`, `/token`, `/register`).
pub fn endpoints(cfg: &mut web::ServiceConfig) {
    cfg.route("/oauth/authorize", web::get().to(authorize::authorize))
        .route("/authorize", web::get().to(authorize::authorize))
        .route("/oauth/login", web::get().to(login::form))
        .route("/oauth/login", web::post().to(login::submit))
        .route("/oauth/callback", web::get().to(login::callback))
        .route("/oauth/consent", web::get().to(consent::show))
        .route("/oauth/consent", web::post().to(consent::decide))
        .route("/oauth/connections", web::get().to(connections::show))
        .route(
            "/oauth/connections/login",
            web::post().to(connections::login),
        )
        .route(
            "/oauth/connections/revoke",
            web::post().to(connections::revoke),
        );
}

/// The endpoints clients call from scripts and browsers (the Inspector): CORS applies, and
/// no `Origin` check (ChatGPT's calls carry one; refusing it surfaces as "registration
/// failed").
pub fn api(cfg: &mut web::ServiceConfig) {
    for path in ["/oauth/token", "/token"] {
        cfg.service(
            web::resource(path)
                .wrap(open_cors())
                .route(web::post().to(token::token)),
        );
    }
    for path in ["/oauth/register", "/register"] {
        cfg.service(
            web::resource(path)
                .wrap(open_cors())
                .route(web::post().to(register::register)),
        );
    }
    cfg.service(
        web::resource("/oauth/revoke")
            .wrap(open_cors())
            .route(web::post().to(revoke::revoke)),
    );
}
