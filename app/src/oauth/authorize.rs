//! `GET /oauth/authorize`: checks the request, keeps it in storage as pending, and sends the
//! browser to the login or the consent page (or straight back with a code when the person
//! already approved this client for these scopes).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{TimeDelta, Utc};
use domain::grants::{AuthorizationCode, Pending};
use domain::model::{SCOPE_READ, SCOPE_WRITE, UserId};
use serde::{Deserialize, Serialize};
use url::Url;

use super::errors::OAuthError;
use super::{OAuthState, clients, crypto, session};

/// How long a person has to log in and decide.
const PENDING_MINUTES: i64 = 10;
/// How long an authorization code lives.
const CODE_SECONDS: i64 = 60;
/// The longest `state` kept with a pending request, in bytes (clients send ~43).
pub const MAX_STATE_BYTES: usize = 1024;
/// The longest `scope`, `resource` or `code_challenge_method` accepted, in bytes.
const MAX_PARAMETER_BYTES: usize = 1024;

#[derive(Debug, Deserialize)]
pub struct Query {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    resource: Option<String>,
}

/// A checked authorization request, waiting for the person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthRequest {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: String,
    /// The scopes asked for (known ones), for the token.
    pub scopes: Vec<String>,
    /// Whether the client asked to write (or asked no data scope, which means read-write).
    pub write_requested: bool,
    pub resource: String,
    /// The CSRF token the login and consent forms must return.
    pub csrf: String,
    /// The hash of the binding cookie of the browser that started the request: no other
    /// browser can log in or consent on it.
    #[serde(default)]
    pub browser: String,
}

impl AuthRequest {
    /// The data scopes granted for a choice of read-only or read-write, never more than asked.
    #[must_use]
    pub fn data_scopes(&self, write: bool) -> Vec<String> {
        let mut scopes = vec![SCOPE_READ.to_owned()];
        if write && self.write_requested {
            scopes.push(SCOPE_WRITE.to_owned());
        }
        scopes
    }

    /// The token's scopes: the OpenID ones asked for plus the granted data scopes.
    #[must_use]
    pub fn token_scopes(&self, write: bool) -> Vec<String> {
        let mut scopes: Vec<String> = self
            .scopes
            .iter()
            .filter(|s| !s.starts_with("data:"))
            .cloned()
            .collect();
        scopes.extend(self.data_scopes(write));
        scopes
    }
}

/// `GET /oauth/authorize` (and `/authorize`).
pub async fn authorize(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    query: web::Query<Query>,
) -> HttpResponse {
    let query = query.into_inner();
    // Errors are shown to the person, never redirected: anyone can register a client with
    // any redirect URI, so a redirect before the person acted would make this server an
    // open redirector (RFC 9700 §4.11.2). Only the person's own decision (deny) and a
    // failure after it go back to the client.
    if let Err(e) = within_limits(&query) {
        return e.page();
    }
    let Some(client_id) = query.client_id.as_deref().filter(|c| !c.is_empty()) else {
        return OAuthError::invalid_request("client_id is missing").page();
    };
    let client = match clients::resolve(&state, client_id).await {
        Ok(client) => client,
        Err(e) => return e.page(),
    };
    let redirect_uri = match (&query.redirect_uri, client.redirect_uris.as_slice()) {
        (Some(uri), _) if clients::redirect_uri_matches(&client, uri) => uri.clone(),
        (Some(_), _) => {
            return OAuthError::invalid_request("redirect_uri is not one this client registered")
                .page();
        }
        (None, [only]) => only.clone(),
        (None, _) => return OAuthError::invalid_request("redirect_uri is missing").page(),
    };
    let request = match check(
        &state,
        &query,
        &client.client_id,
        &client.client_name,
        &redirect_uri,
    ) {
        Ok(request) => request,
        Err(e) => return e.page(),
    };
    match proceed(&req, &state, request).await {
        Ok(response) => response,
        Err(e) => e.page(),
    }
}

/// Refuses parameters longer than anything a client needs (each would be stored with the
/// pending request).
fn within_limits(q: &Query) -> Result<(), OAuthError> {
    let uris = [
        ("client_id", &q.client_id),
        ("redirect_uri", &q.redirect_uri),
    ];
    for (name, value) in uris {
        if value
            .as_ref()
            .is_some_and(|v| v.len() > super::register::MAX_URI_BYTES)
        {
            return Err(OAuthError::invalid_request(format!(
                "{name} is longer than {} bytes",
                super::register::MAX_URI_BYTES
            )));
        }
    }
    if q.state.as_ref().is_some_and(|v| v.len() > MAX_STATE_BYTES) {
        return Err(OAuthError::invalid_request(format!(
            "state is longer than {MAX_STATE_BYTES} bytes"
        )));
    }
    let others = [
        ("scope", &q.scope),
        ("resource", &q.resource),
        ("response_type", &q.response_type),
        ("code_challenge", &q.code_challenge),
        ("code_challenge_method", &q.code_challenge_method),
    ];
    for (name, value) in others {
        if value
            .as_ref()
            .is_some_and(|v| v.len() > MAX_PARAMETER_BYTES)
        {
            return Err(OAuthError::invalid_request(format!(
                "{name} is longer than {MAX_PARAMETER_BYTES} bytes"
            )));
        }
    }
    Ok(())
}

fn check(
    state: &OAuthState,
    q: &Query,
    client_id: &str,
    client_name: &str,
    redirect_uri: &str,
) -> Result<AuthRequest, OAuthError> {
    if q.response_type.as_deref() != Some("code") {
        return Err(OAuthError::unsupported_response_type(
            "response_type must be code",
        ));
    }
    let challenge = q
        .code_challenge
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            OAuthError::invalid_request(
                "PKCE is required: send code_challenge with code_challenge_method=S256",
            )
        })?;
    if q.code_challenge_method.as_deref() != Some("S256") {
        return Err(OAuthError::invalid_request(
            "code_challenge_method must be S256 (plain is not accepted)",
        ));
    }
    if challenge.len() != 43 {
        return Err(OAuthError::invalid_request(
            "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
        ));
    }
    let resource = match q.resource.as_deref() {
        None => state.resource.clone(),
        Some(r) if r.trim_end_matches('/') == state.resource => state.resource.clone(),
        Some(r) => {
            return Err(OAuthError::invalid_target(format!(
                "this server issues tokens for {} only, not {r}",
                state.resource
            )));
        }
    };
    let supported = super::metadata::scopes_supported();
    let requested: Vec<String> = q
        .scope
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if let Some(unknown) = requested.iter().find(|s| !supported.contains(&s.as_str())) {
        return Err(OAuthError::invalid_scope(format!(
            "unknown scope \"{unknown}\"; supported: {}",
            supported.join(" ")
        )));
    }
    let write_requested =
        requested.iter().any(|s| s == SCOPE_WRITE) || !requested.iter().any(|s| s == SCOPE_READ);
    Ok(AuthRequest {
        client_id: client_id.to_owned(),
        client_name: client_name.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state: q.state.clone(),
        code_challenge: challenge.to_owned(),
        scopes: requested,
        write_requested,
        resource,
        csrf: crypto::random_token()?,
        browser: String::new(),
    })
}

async fn proceed(
    req: &HttpRequest,
    state: &OAuthState,
    mut request: AuthRequest,
) -> Result<HttpResponse, OAuthError> {
    if let Some(user) = session::current_user(state, req).await?
        && let Some(consent) = state.grants.consent(user, &request.client_id).await?
    {
        let needed = request.data_scopes(true);
        if needed.iter().all(|s| consent.scopes.contains(s)) {
            return issue_code(state, &request, user, true).await;
        }
    }
    let id = crypto::random_token()?;
    let binding = session::browser_binding(req)?;
    request.browser = crypto::hash(&binding);
    let payload = serde_json::to_value(&request).map_err(anyhow::Error::from)?;
    state
        .grants
        .put_pending(&Pending {
            id: id.clone(),
            payload,
            expires_at: Utc::now() + TimeDelta::minutes(PENDING_MINUTES),
        })
        .await?;
    let mut response = see_other(&format!("/oauth/consent?request={id}"));
    let cookie = session::cookie(
        state,
        session::BROWSER_COOKIE,
        binding,
        PENDING_MINUTES * 60,
    );
    response
        .add_cookie(&cookie)
        .map_err(|e| OAuthError::server_error(e.to_string()))?;
    Ok(response)
}

/// A `303 See Other` to a path of this server.
#[must_use]
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Issues a code for `user` and sends the browser back to the client with `code`, `state`
/// and `iss` (RFC 9207).
///
/// # Errors
/// Storage failed.
pub async fn issue_code(
    state: &OAuthState,
    request: &AuthRequest,
    user: UserId,
    write: bool,
) -> Result<HttpResponse, OAuthError> {
    let code = crypto::random_token()?;
    state
        .grants
        .put_code(&AuthorizationCode {
            code_hash: crypto::hash(&code),
            client_id: request.client_id.clone(),
            user,
            redirect_uri: request.redirect_uri.clone(),
            code_challenge: request.code_challenge.clone(),
            scopes: request.token_scopes(write),
            resource: request.resource.clone(),
            expires_at: Utc::now() + TimeDelta::seconds(CODE_SECONDS),
            family: uuid::Uuid::now_v7(),
        })
        .await?;
    let mut url =
        Url::parse(&request.redirect_uri).map_err(|e| OAuthError::server_error(e.to_string()))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(s) = &request.state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", &state.issuer);
    }
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, url.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
