//! `POST /oauth/token`: the authorization-code grant (single-use, bound codes; PKCE S256)
//! and the refresh-token grant (rotated on every use; a rotated token presented again
//! revokes its family). Answers 200 with `Cache-Control: no-store`, never 201.

use std::collections::BTreeSet;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{TimeDelta, Utc};
use domain::grants::{ClientSource, OAuthClient, Redemption, RefreshToken, Rotation};
use domain::model::UserId;
use serde::Deserialize;
use serde_json::json;

use super::errors::OAuthError;
use super::{OAuthState, clients, crypto};

#[derive(Debug, Deserialize)]
pub struct Form {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    resource: Option<String>,
    scope: Option<String>,
}

/// `POST /oauth/token` (and `/token`).
pub async fn token(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    form: web::Form<Form>,
) -> HttpResponse {
    match exchange(&req, &state, form.into_inner()).await {
        Ok(response) => response,
        Err(e) => e.json(),
    }
}

async fn exchange(
    req: &HttpRequest,
    state: &OAuthState,
    form: Form,
) -> Result<HttpResponse, OAuthError> {
    let presented = clients::presented(
        req,
        form.client_id.as_deref(),
        form.client_secret.as_deref(),
    );
    if let (Some(form_id), Some(basic_id)) = (&form.client_id, &presented.client_id)
        && presented.basic
        && form_id != basic_id
    {
        return Err(OAuthError::invalid_request(
            "client_id in the body differs from the authenticated client",
        ));
    }
    let client = clients::authenticate(state, &presented).await?;
    if let Some(resource) = &form.resource
        && resource.trim_end_matches('/') != state.resource
    {
        return Err(OAuthError::invalid_target(format!(
            "this server issues tokens for {} only",
            state.resource
        )));
    }
    match form.grant_type.as_deref() {
        Some("authorization_code") => authorization_code(state, &client, &form).await,
        Some("refresh_token") => refresh(state, &client, &form).await,
        Some(other) => Err(OAuthError::unsupported_grant_type(format!(
            "grant_type {other} is not supported; use authorization_code or refresh_token"
        ))),
        None => Err(OAuthError::invalid_request("grant_type is missing")),
    }
}

async fn authorization_code(
    state: &OAuthState,
    client: &OAuthClient,
    form: &Form,
) -> Result<HttpResponse, OAuthError> {
    let code = form
        .code
        .as_deref()
        .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
    let verifier = form.code_verifier.as_deref().ok_or_else(|| {
        OAuthError::invalid_request("code_verifier is missing (PKCE is required)")
    })?;
    // The first refresh token is stored in the same step as the redemption, so a replayed
    // code racing this exchange always finds (and revokes) it.
    let (raw, first) = new_refresh(state, client)?;
    let code = match state
        .grants
        .redeem_code(&crypto::hash(code), &first, Utc::now())
        .await?
    {
        Redemption::Redeemed(code) => code,
        Redemption::AlreadyUsed { family } => {
            // A replayed code: whatever it issued may be in the wrong hands.
            state.grants.revoke_family(family).await?;
            tracing::warn!(client = %client.client_id, "a used authorization code was presented again; its tokens are revoked");
            return Err(OAuthError::invalid_grant(
                "the code was already presented (codes are single-use, even when the exchange failed); any tokens it issued are revoked",
            ));
        }
        Redemption::Unknown => {
            return Err(OAuthError::invalid_grant("the code is unknown or expired"));
        }
    };
    let refused = if code.client_id != client.client_id {
        Some("the code was issued to another client")
    } else if form.redirect_uri.as_deref() != Some(code.redirect_uri.as_str()) {
        Some("redirect_uri does not match the authorization request")
    } else if !crypto::pkce_matches(verifier, &code.code_challenge) {
        Some("code_verifier does not match the code_challenge")
    } else {
        None
    };
    if let Some(reason) = refused {
        // The token stored with the redemption must not outlive a refused exchange.
        state.grants.revoke_family(code.family).await?;
        return Err(OAuthError::invalid_grant(reason));
    }
    if client.source == ClientSource::Registered {
        // A registration that gets used is kept.
        state.grants.extend_client(&client.client_id, None).await?;
    }
    respond(state, code.user, &code.scopes, &client.client_id, &raw)
}

async fn refresh(
    state: &OAuthState,
    client: &OAuthClient,
    form: &Form,
) -> Result<HttpResponse, OAuthError> {
    let presented = form
        .refresh_token
        .as_deref()
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
    let presented_hash = crypto::hash(presented);
    let family = state.grants.family_of(&presented_hash).await?;
    let Some(family) = family.map(|f| f.family) else {
        return Err(OAuthError::invalid_grant(
            "the refresh token is unknown, expired or revoked",
        ));
    };
    // A grant does not live forever through rotations: its family started at the consent
    // (the family id is a UUIDv7 made then), and no token of it outlives the maximum age.
    let now = Utc::now();
    let end = family_end(state, family)
        .filter(|end| *end > now)
        .ok_or_else(|| {
            OAuthError::invalid_grant(
                "this grant reached its maximum age; the person must sign in and approve again",
            )
        })?;
    // The next token is prepared before the atomic rotation, which stores it (continuing
    // the presented token's grant) only if the presented one was the family's current token.
    let (raw, mut next) = new_refresh(state, client)?;
    next.expires_at = next.expires_at.min(end);
    let old = match state
        .grants
        .rotate_refresh(&presented_hash, &next, now)
        .await?
    {
        Rotation::Rotated(old) => old,
        Rotation::Reused => {
            // A replay of a rotated token or a token of a revoked family: the family is
            // (now) revoked either way.
            tracing::info!(client = %client.client_id, "a used or revoked refresh token was presented; its family is revoked");
            return Err(OAuthError::invalid_grant(
                "the refresh token was already used or has been revoked; sign in again",
            ));
        }
        Rotation::Unknown => {
            return Err(OAuthError::invalid_grant(
                "the refresh token is unknown, expired or revoked",
            ));
        }
    };
    if old.client_id != client.client_id {
        state.grants.revoke_family(family).await?;
        return Err(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    // A narrower scope may be asked for; never a wider one (RFC 6749 §6).
    let scopes: Vec<String> = match &form.scope {
        Some(asked) => {
            let asked: BTreeSet<&str> = asked.split_whitespace().collect();
            if let Some(extra) = asked.iter().find(|s| !old.scopes.iter().any(|o| o == *s)) {
                return Err(OAuthError::invalid_scope(format!(
                    "scope {extra} was not granted"
                )));
            }
            asked.into_iter().map(str::to_owned).collect()
        }
        None => old.scopes.clone(),
    };
    respond(state, old.user, &scopes, &client.client_id, &raw)
}

/// When the grant of `family` ends: its start (the UUIDv7's time) plus the maximum age;
/// `None` for an id that carries no time.
fn family_end(state: &OAuthState, family: uuid::Uuid) -> Option<chrono::DateTime<Utc>> {
    let (seconds, nanos) = family.get_timestamp()?.to_unix();
    let started = chrono::DateTime::from_timestamp(i64::try_from(seconds).ok()?, nanos)?;
    started.checked_add_signed(TimeDelta::from_std(state.refresh_family_max_age).ok()?)
}

/// A new refresh token and its stored form. The stores take only its hash and expiry from
/// it: the grant (family, user, scopes, resource) continues the code's or the presented
/// token's, which the caller learns only from the atomic store call.
fn new_refresh(
    state: &OAuthState,
    client: &OAuthClient,
) -> Result<(String, RefreshToken), OAuthError> {
    let raw = crypto::random_token()?;
    let ttl = TimeDelta::from_std(state.refresh_token_ttl).unwrap_or(TimeDelta::days(30));
    let token = RefreshToken {
        token_hash: crypto::hash(&raw),
        family: uuid::Uuid::nil(),
        client_id: client.client_id.clone(),
        user: UserId::from_uuid(uuid::Uuid::nil()),
        scopes: vec![],
        resource: state.resource.clone(),
        expires_at: Utc::now() + ttl,
    };
    Ok((raw, token))
}

fn respond(
    state: &OAuthState,
    user: UserId,
    scopes: &[String],
    client_id: &str,
    refresh: &str,
) -> Result<HttpResponse, OAuthError> {
    let set: BTreeSet<String> = scopes.iter().cloned().collect();
    let access = state
        .tokens
        .mint(user, &set, client_id, state.access_token_ttl)
        .map_err(|e| OAuthError::server_error(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": state.access_token_ttl.as_secs(),
            "refresh_token": refresh,
            "scope": scopes.join(" "),
        })))
}
