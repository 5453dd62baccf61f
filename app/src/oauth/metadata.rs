//! Authorization-server metadata (RFC 8414) and its OpenID Connect discovery twin.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::OAuthState;

fn document(state: &OAuthState) -> Value {
    let issuer = &state.issuer;
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth/authorize"),
        "token_endpoint": format!("{issuer}/oauth/token"),
        "registration_endpoint": format!("{issuer}/oauth/register"),
        "revocation_endpoint": format!("{issuer}/oauth/revoke"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "scopes_supported": state.grants.policy.scopes_supported,
        "client_id_metadata_document_supported": true,
        "authorization_response_iss_parameter_supported": true,
        "service_documentation": format!("{issuer}/"),
    })
}

/// `GET /.well-known/oauth-authorization-server`.
pub async fn authorization_server(state: web::Data<OAuthState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(document(&state))
}

/// `GET /.well-known/openid-configuration`: the same document with the fields OpenID
/// discovery requires. This server issues access and refresh tokens, not ID tokens.
pub async fn openid_configuration(state: web::Data<OAuthState>) -> HttpResponse {
    let mut doc = document(&state);
    if let Value::Object(map) = &mut doc {
        map.insert("subject_types_supported".into(), json!(["public"]));
        map.insert(
            "id_token_signing_alg_values_supported".into(),
            json!(["ES256"]),
        );
        map.insert(
            "claims_supported".into(),
            json!(["sub", "iss", "aud", "exp", "iat"]),
        );
    }
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(doc)
}
