//! The authorization server's ports (clients, codes, refresh families, consents, personal tokens, sessions,
//! pending requests, purge): what the authorization server keeps between requests. Records
//! round-trip exactly, expired ones are absent to every read (`expires_at <= now`), codes
//! and pending requests are used once and refresh tokens rotated once even under
//! concurrency, and the reuse of a rotated refresh token revokes its whole family.
//!
//! Times are fixed and whole microseconds (what every adapter stores), so records compare
//! exactly; `now` is always the caller's.

mod clients;
mod codes;
mod consents;
mod refresh;
mod sessions;
mod tokens;

use chrono::{DateTime, TimeDelta, Utc};
use domain::grants::{
    AuthorizationCode, ClientSource, NewRefreshToken, OAuthClient, Redemption, RefreshToken,
};
use domain::model::{User, UserId};
use uuid::Uuid;

use crate::support::Store;
// Every authorization-server port, as one store implements them (the server's aggregate).
use app::storage::GrantStorage as Grants;

/// `seconds` after a fixed instant with microseconds.
fn at(seconds: i64) -> DateTime<Utc> {
    let t0 = DateTime::parse_from_rfc3339("2026-11-24T12:00:00.123456Z")
        .unwrap()
        .with_timezone(&Utc);
    t0 + TimeDelta::seconds(seconds)
}

/// A new person, stored through the `Directory` (grants reference people).
async fn person<S: Store>(store: &S) -> UserId {
    let id = Uuid::now_v7();
    let user = User {
        id: UserId::from_uuid(id),
        email: format!("{id}@example.com"),
        display_name: "Someone".into(),
        identity: None,
    };
    store.create_user(&user).await.unwrap();
    user.id
}

fn client(client_id: &str, expires_at: Option<DateTime<Utc>>) -> OAuthClient {
    OAuthClient {
        client_id: client_id.into(),
        client_name: "Claude".into(),
        redirect_uris: vec![
            "https://claude.ai/api/mcp/auth_callback".into(),
            "http://localhost/callback".into(),
        ],
        token_endpoint_auth_method: "none".into(),
        secret_hash: None,
        source: ClientSource::Registered,
        created_at: at(0),
        expires_at,
    }
}

fn code(code_hash: &str, user: UserId, expires_at: DateTime<Utc>) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: code_hash.into(),
        client_id: "client-1".into(),
        user,
        redirect_uri: "https://claude.ai/api/mcp/auth_callback".into(),
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
        scopes: vec!["openid".into(), "data:read".into()],
        resource: "https://mcp.example.com/mcp".into(),
        expires_at,
        family: Uuid::now_v7(),
    }
}

/// The first refresh token of a new family of `user` with `client_id`, valid for an hour.
fn refresh(token_hash: &str, user: UserId, client_id: &str) -> RefreshToken {
    RefreshToken {
        token_hash: token_hash.into(),
        family: Uuid::now_v7(),
        client_id: client_id.into(),
        user,
        scopes: vec!["openid".into(), "data:write".into()],
        resource: "https://mcp.example.com/mcp".into(),
        expires_at: at(3600),
    }
}

/// What the token endpoint hands `redeem_code`: the first token's hash and expiry (the rest
/// is the code's grant).
fn first(token_hash: &str) -> NewRefreshToken {
    NewRefreshToken {
        token_hash: token_hash.into(),
        expires_at: at(3600),
    }
}

/// What the token endpoint hands `rotate_refresh` to store `token` (its hash and expiry).
fn new_token(token: &RefreshToken) -> NewRefreshToken {
    NewRefreshToken {
        token_hash: token.token_hash.clone(),
        expires_at: token.expires_at,
    }
}

/// The token that replaces `token`, as the token endpoint chooses it: a new hash, a later
/// expiry.
fn successor(token: &NewRefreshToken, token_hash: &str) -> NewRefreshToken {
    NewRefreshToken {
        token_hash: token_hash.into(),
        expires_at: token.expires_at + TimeDelta::seconds(60),
    }
}

/// Starts `token`'s family the way the server does (there is no other way to store a
/// first token): a code carrying its grant, redeemed with its hash and expiry.
async fn issue<S: Grants>(store: &S, token: &RefreshToken) {
    let code = AuthorizationCode {
        code_hash: format!("code-of-{}", token.token_hash),
        client_id: token.client_id.clone(),
        user: token.user,
        redirect_uri: "https://claude.ai/api/mcp/auth_callback".into(),
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
        scopes: token.scopes.clone(),
        resource: token.resource.clone(),
        // Never expires within a scenario, so purges count only their own records.
        expires_at: at(100_000),
        family: token.family,
    };
    store.put_code(&code).await.unwrap();
    let redeemed = store
        .redeem_code(&code.code_hash, &new_token(token), at(0))
        .await
        .unwrap();
    assert!(matches!(redeemed, Redemption::Redeemed(_)), "{redeemed:?}");
}

/// The token that replaces `token`: same grant, a new hash, a later expiry.
fn next(token: &RefreshToken, token_hash: &str) -> RefreshToken {
    RefreshToken {
        token_hash: token_hash.into(),
        expires_at: token.expires_at + TimeDelta::seconds(60),
        ..token.clone()
    }
}
