//! The OAuth 2.1 authorization server MCP clients use: discovery (RFC 8414), dynamic client
//! registration (RFC 7591), Client ID Metadata Documents, the authorization endpoint with
//! PKCE, login through the identity port, consent, the token endpoint with refresh-token
//! rotation, and revocation (RFC 7009). Every rule is a use case of
//! `domain::usecases::grants`; the handlers here parse, call one, and answer (errors
//! through `errors.rs`). Every piece of state lives behind the grant ports.

mod authorize;
mod cimd;
mod clients;
mod connections;
mod consent;
mod consent_page;
pub mod crypto;
mod errors;
mod login;
mod metadata;
mod pages;
mod personal_tokens_forms;
mod personal_tokens_page;
mod recent;
mod redirects;
mod register;
mod revoke;
mod session;
mod state;
mod token;

use actix_web::web;

use crate::http::open_cors;

pub use clients::register_operator_client;
pub use state::OAuthState;

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
        )
        .route(
            "/oauth/connections/tokens",
            web::post().to(personal_tokens_forms::create),
        )
        .route(
            "/oauth/connections/tokens/revoke",
            web::post().to(personal_tokens_forms::revoke),
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
