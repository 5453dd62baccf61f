//! The bearer check in front of `/mcp` and `/mcp/readonly`, one instance per endpoint: a
//! valid access token for that endpoint (its `aud` the endpoint's URL), or a personal access
//! token (`pmcp_pat_…`, see `personal`; accepted on either endpoint), becomes a `Principal`
//! in the request; no token or a bad one (another endpoint's included) is `401` with
//! `WWW-Authenticate` pointing at the endpoint's protected-resource metadata; a person
//! without the `mcp` feature flag is `403`. The tools the request may use ([`OfferedTools`]:
//! the endpoint's, narrowed by `X-MCP-Tools`) go into the request too; a malformed
//! `X-MCP-Tools` is `400` before anything else.
//!
//! The flag of a `tools/call` is checked by storage in the same round trip as the tool's
//! own statement (see `domain::ports::Caller`): the middleware hands the request a
//! [`FlagGate`], the tool layer reports what storage found, and a call that found the flag
//! off is answered `403` here, as if refused up front (nothing was read or written). A tool
//! call that failed before reaching storage has its flag checked afterwards, so every
//! answer to a person without the flag is still `403`. Every other request (initialize,
//! lists, resources, batches) has its flag checked before it runs.
//!
//! The grant the token names (a person's approval of the client, or a personal access
//! token) is checked the same way, first: a tool call learns in its own round trip that it
//! was revoked, every other request before it runs; either is answered `401` with
//! `error="invalid_token"`, so a revocation ends every token of the grant on its next call,
//! on every instance.
//!
//! A request that cannot reach the database (its tool call found it unavailable, or the
//! flag could not be read) is answered `503` with `Retry-After`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use domain::grants::PERSONAL_TOKEN_PREFIX;
use domain::ports::{FeatureFlags, Standing};
use domain::usecases::UseCase;
use serde_json::json;

use super::answers::flag_off;
pub use super::answers::{RETRY_AFTER_SECONDS, rate_limited, unavailable};
use super::endpoint::{Endpoint, OfferedTools};
use super::tokens::TokenService;
use crate::limits::{RateLimiter, Verdict};

pub use domain::model::MCP_FLAG;

/// What a tool call learned about the caller's `mcp` flag, shared between this middleware
/// and the tool layer (`mcp::server`), which sets it.
#[derive(Debug, Default)]
pub struct FlagGate(AtomicU8);

// 0 (the default): nothing known yet.
const GATE_ON: u8 = 1;
const GATE_OFF: u8 = 2;
const GATE_UNAVAILABLE: u8 = 3;
const GATE_REVOKED: u8 = 4;

impl FlagGate {
    /// Storage found the flag on (the call ran).
    pub fn on(&self) {
        self.0.store(GATE_ON, Ordering::Release);
    }

    /// Storage found the flag off (nothing ran).
    pub fn off(&self) {
        self.0.store(GATE_OFF, Ordering::Release);
    }

    /// Storage found the token's grant revoked (nothing ran).
    pub fn revoked(&self) {
        self.0.store(GATE_REVOKED, Ordering::Release);
    }

    /// Storage could not be reached (nothing is known about the flag).
    pub fn unavailable(&self) {
        self.0.store(GATE_UNAVAILABLE, Ordering::Release);
    }

    fn state(&self) -> u8 {
        self.0.load(Ordering::Acquire)
    }
}

/// A tool call over the caller's rate limit: the tool layer answers it with a
/// `RATE_LIMITED` tool error (retry after this many seconds) without running it.
#[derive(Debug, Clone, Copy)]
pub struct RateLimited(pub u64);

/// What the bearer check of one endpoint needs.
pub struct BearerAuth {
    /// The endpoint it guards.
    pub endpoint: Endpoint,
    /// The endpoint's URL: the only audience it accepts.
    pub resource: String,
    pub tokens: TokenService,
    pub flags: Arc<dyn FeatureFlags>,
    pub limiter: Arc<RateLimiter>,
    /// Requests per minute for one person through one client (0: no limit).
    pub per_minute: u32,
    /// `<public_url>/.well-known/oauth-protected-resource<endpoint path>`.
    pub resource_metadata: String,
    /// Stamps when each application was last used (the connections page).
    pub last_use: Arc<super::last_use::LastUse>,
    /// Looks personal access tokens up.
    pub personal: Arc<super::personal::PersonalTokenAuth>,
}

impl BearerAuth {
    /// `403` for a write with a read-only token (RFC 6750 §3.1), naming the scope needed.
    fn insufficient_scope(&self) -> HttpResponse {
        let value = format!(
            "Bearer error=\"insufficient_scope\", scope=\"data:read data:write\", resource_metadata=\"{}\"",
            self.resource_metadata
        );
        HttpResponse::Forbidden()
            .insert_header((header::WWW_AUTHENTICATE, value))
            .json(json!({
                "error": "insufficient_scope",
                "message": "this connection is read-only; reconnect and approve read-write access (data:write) to change data",
            }))
    }

    /// `401 invalid_token`: the token's grant was revoked (or expired).
    fn revoked(&self) -> HttpResponse {
        self.challenge(Some((
            "invalid_token",
            "the access was revoked; sign in and approve again",
        )))
    }

    fn challenge(&self, error: Option<(&str, &str)>) -> HttpResponse {
        let mut value = String::from("Bearer");
        if let Some((code, description)) = error {
            value.push_str(&format!(
                " error=\"{code}\", error_description=\"{description}\","
            ));
        }
        value.push_str(&format!(
            " resource_metadata=\"{}\"",
            self.resource_metadata
        ));
        let message = error.map_or("authentication required: send an OAuth access token as 'Authorization: Bearer <token>'", |(_, d)| d);
        HttpResponse::build(StatusCode::UNAUTHORIZED)
            .insert_header((header::WWW_AUTHENTICATE, value))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({"error": "unauthorized", "message": message}))
    }
}

fn bearer(req: &ServiceRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The middleware function (`actix_web::middleware::from_fn`).
///
/// # Errors
/// Only the inner service's errors; refusals are responses.
pub async fn require_bearer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // CORS preflights carry no credentials and must be answered without them.
    if req.method() == Method::OPTIONS {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(auth) = req.app_data::<web::Data<BearerAuth>>().cloned() else {
        tracing::error!("bearer middleware mounted without its state");
        let response = HttpResponse::InternalServerError().finish();
        return Ok(req.into_response(response));
    };
    let offered = match OfferedTools::of(auth.endpoint, req.headers()) {
        Ok(offered) => offered,
        Err(message) => {
            let response = HttpResponse::BadRequest()
                .json(json!({"error": "invalid_request", "message": message}));
            return Ok(req.into_response(response));
        }
    };
    let Some(token) = bearer(&req) else {
        let response = auth.challenge(None);
        return Ok(req.into_response(response));
    };
    let personal = token.starts_with(PERSONAL_TOKEN_PREFIX);
    let verified = if personal {
        auth.personal.verify(token).await
    } else {
        let verified = auth.tokens.verify_for(token, &auth.resource);
        Ok(verified
            .map_err(|e| tracing::info!(reason = %e, "refused a token"))
            .ok())
    };
    let principal = match verified {
        Ok(Some(p)) => p,
        Ok(None) => {
            let response = auth.challenge(Some((
                "invalid_token",
                "the access token is invalid or expired; obtain a new one",
            )));
            return Ok(req.into_response(response));
        }
        Err(e) => {
            tracing::error!(cause = %e, "looking a personal access token up failed");
            return Ok(req.into_response(unavailable()));
        }
    };
    tracing::Span::current().record("user", tracing::field::display(principal.user()));
    match principal.grant() {
        Some(grant) if personal => auth.last_use.note_token(grant),
        _ => auth.last_use.note(principal.user(), principal.client_id()),
    };
    let mut req = req;
    let body = if req.method() == Method::POST {
        match req.extract::<web::Bytes>().await {
            Ok(body) => Some(body),
            Err(e) => return Ok(req.error_response(e).map_into_boxed_body()),
        }
    } else {
        None
    };
    let tool_call = body.as_deref().is_some_and(is_one_tool_call);
    if let Some(body) = body {
        let writes = !principal.may_write() && calls_write_tool(&body, &offered);
        req.set_payload(bytes_payload(body));
        if writes {
            let response = auth.insufficient_scope();
            return Ok(req.into_response(response));
        }
    }
    let user = principal.user();
    let key = format!("mcp:{user}:{}", principal.client_id());
    if let Verdict::Limited {
        retry_after_seconds,
    } = auth.limiter.check_now(&key, auth.per_minute)
    {
        if !tool_call {
            return Ok(req.into_response(rate_limited(retry_after_seconds)));
        }
        // A tool call is answered with a tool error the model can read and act on.
        req.extensions_mut().insert(principal);
        req.extensions_mut().insert(offered);
        req.extensions_mut()
            .insert(RateLimited(retry_after_seconds));
        let mut response = next.call(req).await?.map_into_boxed_body();
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(retry_after_seconds),
        );
        return Ok(response);
    }
    let grant = principal.grant();
    if !tool_call && let Some(refusal) = standing_refusal(&auth, user, grant).await {
        return Ok(req.into_response(refusal));
    }
    let gate = Arc::new(FlagGate::default());
    req.extensions_mut().insert(principal);
    req.extensions_mut().insert(offered);
    req.extensions_mut().insert(Arc::clone(&gate));
    let response = next.call(req).await?.map_into_boxed_body();
    if !tool_call || gate.state() == GATE_ON {
        return Ok(response);
    }
    // The call found the flag off, or failed before storage could tell: refuse it now
    // unless the flag is on (checked only on this path).
    let refusal = match gate.state() {
        GATE_OFF => Some(flag_off()),
        GATE_REVOKED => Some(auth.revoked()),
        GATE_UNAVAILABLE => Some(unavailable()),
        _ => standing_refusal(&auth, user, grant).await,
    };
    Ok(match refusal {
        Some(refusal) => {
            let (request, _) = response.into_parts();
            ServiceResponse::new(request, refusal)
        }
        None => response,
    })
}

/// The answer refusing `user` when their `grant` no longer stands or their flag is off (or
/// neither can be read), else `None`. One round trip.
async fn standing_refusal(
    auth: &BearerAuth,
    user: domain::model::UserId,
    grant: Option<domain::model::GrantId>,
) -> Option<HttpResponse> {
    match auth.flags.standing(user, MCP_FLAG, grant).await {
        Ok(Standing::Open) => None,
        Ok(Standing::FlagOff) => Some(flag_off()),
        Ok(Standing::Revoked) => Some(auth.revoked()),
        Err(e) => {
            tracing::error!(cause = %e, "reading the grant and the feature flag failed");
            Some(unavailable())
        }
    }
}

/// True when a JSON-RPC body is one `tools/call` message (not a batch).
fn is_one_tool_call(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Message<'a> {
        #[serde(borrow)]
        method: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_slice::<Message<'_>>(body)
        .is_ok_and(|m| m.method.as_deref() == Some("tools/call"))
}

/// True when a JSON-RPC body (a message or a batch) calls a tool of this request
/// (`offered`) whose use case writes ([`UseCase::writes`], the one list): a token without
/// `data:write` may not call it. A tool the request does not offer is refused by the tool
/// layer as unknown instead.
fn calls_write_tool(body: &[u8], offered: &OfferedTools) -> bool {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        // Not JSON: the transport answers with a parse error; nothing runs.
        return false;
    };
    let is_write = |m: &serde_json::Value| {
        m["method"] == "tools/call"
            && m["params"]["name"].as_str().is_some_and(|name| {
                offered.allows(name) && UseCase::named(name).is_some_and(UseCase::writes)
            })
    };
    match &value {
        serde_json::Value::Array(batch) => batch.iter().any(is_write),
        message => is_write(message),
    }
}

/// The body, read to inspect it, handed back to the inner service.
fn bytes_payload(body: web::Bytes) -> actix_web::dev::Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    actix_web::dev::Payload::from(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_single_tools_call_defers_the_flag_check_to_the_call() {
        assert!(is_one_tool_call(
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}"#
        ));
        assert!(!is_one_tool_call(
            br#"[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}]"#
        ));
        assert!(!is_one_tool_call(
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#
        ));
        assert!(!is_one_tool_call(b"{not json"));
    }

    #[test]
    fn write_tool_calls_are_recognised_alone_and_in_batches() {
        let call = |name: &str| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"{name}"}}}}"#
            )
        };
        let every = OfferedTools::all_of(Endpoint::Full);
        assert!(calls_write_tool(call("create_data").as_bytes(), &every));
        assert!(calls_write_tool(
            format!("[{}]", call("delete_data")).as_bytes(),
            &every
        ));
        assert!(!calls_write_tool(call("query_data").as_bytes(), &every));
        assert!(!calls_write_tool(
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            &every
        ));
        assert!(!calls_write_tool(b"{not json", &every));
    }

    #[test]
    fn a_write_tool_the_request_does_not_offer_is_not_a_scope_question() {
        let call =
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_data"}}"#;
        let read_only = OfferedTools::all_of(Endpoint::ReadOnly);
        assert!(!calls_write_tool(call, &read_only));
        let mut headers = actix_web::http::header::HeaderMap::new();
        headers.insert(
            header::HeaderName::from_static(super::super::endpoint::TOOLS_HEADER),
            header::HeaderValue::from_static("query_data"),
        );
        let narrowed = OfferedTools::of(Endpoint::Full, &headers).unwrap();
        assert!(!calls_write_tool(call, &narrowed));
    }
}
