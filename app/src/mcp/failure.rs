//! The one mapping from domain failures to MCP: what the model can act on becomes a tool
//! result with `isError: true`, a `structuredContent` of `{"error": {"code", "message", …}}`
//! and the same JSON as text; what it cannot (a server fault) becomes a JSON-RPC error, logged
//! once here with its cause.

use domain::{Resource, UseCaseError};
use rmcp::ErrorData;
use rmcp::handler::server::tool::IntoCallToolResult;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};
use serde_json::{Value, json};

/// A tool call that failed.
#[derive(Debug)]
pub struct ToolFailure(pub UseCaseError);

impl ToolFailure {
    /// An invalid argument.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self(UseCaseError::invalid(field, reason))
    }
}

impl From<UseCaseError> for ToolFailure {
    fn from(e: UseCaseError) -> Self {
        Self(e)
    }
}

impl std::fmt::Display for ToolFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.body() {
            Some(body) => f.write_str(body["error"]["message"].as_str().unwrap_or_default()),
            None => f.write_str("internal error"),
        }
    }
}

fn not_found_message(resource: Resource, id: &str) -> String {
    match resource {
        Resource::Project => format!(
            "Project {id} was not found (or you are not a member of it). Call list_projects to see the projects you can use."
        ),
        Resource::Type => format!(
            "This project has no collection \"{id}\". Call list_types with the projectId to see its collections."
        ),
        Resource::Entry => format!(
            "Entry {id} was not found in this collection: it does not exist, was deleted, or is not visible to you. Use query_data to find entries."
        ),
    }
}

impl ToolFailure {
    /// The `structuredContent` of the error result, or `None` for a server fault.
    fn body(&self) -> Option<Value> {
        let error = match &self.0 {
            UseCaseError::NotFound { resource, id } => json!({
                "code": "NOT_FOUND",
                "message": not_found_message(*resource, id),
            }),
            UseCaseError::PermissionDenied(why) => json!({
                "code": "PERMISSION_DENIED",
                "message": format!("Permission denied: {why}."),
            }),
            UseCaseError::InvalidArgument { field, reason } => json!({
                "code": "INVALID_ARGUMENT",
                "field": field,
                "message": format!("Invalid {field}: {reason}"),
            }),
            UseCaseError::Conflict { current_revision } => json!({
                "code": "CONFLICT",
                "currentRevision": current_revision,
                "message": format!(
                    "The entry changed since you read it: it is now at revision {current_revision}. Read it again with get_data, then retry with expectedRevision {current_revision}."
                ),
            }),
            UseCaseError::Stale { entries } => json!({
                "code": "CONFLICT",
                "changedEntries": entries,
                "message": format!(
                    "Nothing was changed: {} of the previewed entries changed since the preview (changedEntries lists them). Call again without confirm for a new preview, show it to the person and ask again.",
                    entries.len()
                ),
            }),
            UseCaseError::KeyReused(why) => json!({
                "code": "CONFLICT",
                "message": format!("Conflict: {why}."),
            }),
            UseCaseError::Timeout(why) => json!({
                "code": "TIMEOUT",
                "message": format!("The request was stopped: {why}. Nothing was changed."),
            }),
            UseCaseError::RateLimited {
                retry_after_seconds,
            } => json!({
                "code": "RATE_LIMITED",
                "retryAfterSeconds": retry_after_seconds,
                "message": format!(
                    "Too many calls from this connection: nothing was done. Wait {retry_after_seconds} seconds, then retry."
                ),
            }),
            UseCaseError::Unexpected(_)
            | UseCaseError::Unavailable(_)
            | UseCaseError::FeatureDisabled
            | UseCaseError::GrantRevoked => return None,
        };
        Some(json!({ "error": error }))
    }
}

/// The JSON-RPC error code of a call refused because the person's `mcp` flag is off. The
/// bearer middleware turns such an answer into `403` before it leaves the server.
pub const FEATURE_DISABLED_CODE: i32 = -32003;

/// The JSON-RPC error code of a call whose token's grant was revoked (or expired). The
/// bearer middleware turns such an answer into `401 invalid_token` before it leaves the
/// server.
pub const GRANT_REVOKED_CODE: i32 = -32005;

/// The JSON-RPC error code of a call that could not reach the database. The bearer
/// middleware turns such an answer into `503` with `Retry-After`.
pub const UNAVAILABLE_CODE: i32 = -32004;

/// What became of a tool call, as `/metrics` counts it: `ok`, or the error code of a tool
/// error in lower case (`invalid_argument`, `not_found`, `permission_denied`, `conflict`,
/// `timeout`, `rate_limited`), or for a JSON-RPC error `permission_denied` (the flag is
/// off), `unavailable` (the database), `invalid_argument` (malformed parameters, an unknown
/// tool) or `internal`. A fixed set of words: never an id.
#[must_use]
pub fn outcome(result: &Result<CallToolResponse, ErrorData>) -> &'static str {
    match result {
        Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => {
            let code = r
                .structured_content
                .as_ref()
                .and_then(|s| s["error"]["code"].as_str());
            match code {
                Some("NOT_FOUND") => "not_found",
                Some("PERMISSION_DENIED") => "permission_denied",
                Some("INVALID_ARGUMENT") => "invalid_argument",
                Some("CONFLICT") => "conflict",
                Some("TIMEOUT") => "timeout",
                Some("RATE_LIMITED") => "rate_limited",
                _ => "internal",
            }
        }
        Ok(_) => "ok",
        Err(e) => match e.code.0 {
            FEATURE_DISABLED_CODE => "permission_denied",
            GRANT_REVOKED_CODE => "unauthenticated",
            UNAVAILABLE_CODE => "unavailable",
            -32602 => "invalid_argument",
            _ => "internal",
        },
    }
}

/// The error a call refused for the flag answers with.
pub fn feature_disabled() -> ErrorData {
    ErrorData::new(
        rmcp::model::ErrorCode(FEATURE_DISABLED_CODE),
        "MCP Server feature is not enabled",
        None,
    )
}

/// The JSON-RPC error of a failure no result can carry: the flag off, the database
/// unavailable, or a server fault (logged here with its cause, answered without it).
fn protocol_error(e: &UseCaseError, what: &str) -> ErrorData {
    match e {
        UseCaseError::FeatureDisabled => feature_disabled(),
        UseCaseError::GrantRevoked => ErrorData::new(
            rmcp::model::ErrorCode(GRANT_REVOKED_CODE),
            "the access token's grant was revoked; sign in again",
            None,
        ),
        UseCaseError::Unavailable(_) => {
            tracing::warn!(cause = %e, "{what} found the database unavailable");
            ErrorData::new(
                rmcp::model::ErrorCode(UNAVAILABLE_CODE),
                "the database is unavailable; retry in a few seconds (a write may or may not have been applied: read before repeating it)",
                None,
            )
        }
        _ => {
            tracing::error!(cause = %e, "{what} failed");
            ErrorData::internal_error(
                "the server could not complete the request; try again later",
                None,
            )
        }
    }
}

impl IntoCallToolResult for ToolFailure {
    fn into_call_tool_result(self) -> Result<CallToolResponse, ErrorData> {
        match self.body() {
            Some(body) => {
                let mut result = CallToolResult::structured_error(body.clone());
                result.content = vec![ContentBlock::text(body.to_string())];
                Ok(result.into())
            }
            None => Err(protocol_error(&self.0, "tool call")),
        }
    }
}

/// How a resource request (`resources/list`, `resources/read`) answers a failed use case.
/// There is no tool result to carry it, so everything but an absence is a JSON-RPC error.
/// `None` for `NotFound`, which the use cases also answer for a project the caller is not a
/// member of (the caller says "not found", or leaves it out of a listing). What the caller
/// can act on carries the tools' message and their `{"code", …}` as `data`
/// (`PermissionDenied`, e.g. a token without `data:read`, as an invalid request; an invalid
/// argument as invalid params; a timeout, conflict or rate limit as an error of the
/// request); the flag, the database and server faults answer as for a tool.
#[must_use]
pub fn resource_failure(e: UseCaseError) -> Option<ErrorData> {
    if matches!(e, UseCaseError::NotFound { .. }) {
        return None;
    }
    let failure = ToolFailure(e);
    let Some(mut body) = failure.body() else {
        return Some(protocol_error(&failure.0, "resource request"));
    };
    let message = failure.to_string();
    let data = Some(body["error"].take());
    Some(match failure.0 {
        UseCaseError::PermissionDenied(_) => ErrorData::invalid_request(message, data),
        UseCaseError::InvalidArgument { .. } => ErrorData::invalid_params(message, data),
        _ => ErrorData::internal_error(message, data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(e: UseCaseError) -> CallToolResult {
        match ToolFailure(e).into_call_tool_result().unwrap() {
            CallToolResponse::Complete(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_conflict_carries_the_current_revision() {
        let r = result(UseCaseError::Conflict {
            current_revision: 4,
        });
        let s = r.structured_content.unwrap();
        assert_eq!(s["error"]["code"], "CONFLICT");
        assert_eq!(s["error"]["currentRevision"], 4);
    }

    #[test]
    fn a_reused_idempotency_key_is_a_conflict_saying_to_use_a_new_key() {
        let r = result(UseCaseError::KeyReused(
            "the idempotencyKey \"k\" was used with other arguments; send a new key".into(),
        ));
        let s = r.structured_content.unwrap();
        assert_eq!(s["error"]["code"], "CONFLICT");
        assert!(s["error"].get("currentRevision").is_none());
        assert!(s["error"]["message"].as_str().unwrap().contains("new key"));
        assert_eq!(r.is_error, Some(true));
    }

    #[test]
    fn an_invalid_argument_names_its_field_and_the_text_matches_the_structure() {
        let r = result(UseCaseError::invalid("limit", "too big"));
        let s = r.structured_content.clone().unwrap();
        assert_eq!(s["error"]["field"], "limit");
        let text: Value = serde_json::from_str(&r.content[0].as_text().unwrap().text).unwrap();
        assert_eq!(text, s);
    }

    #[test]
    fn a_timeout_is_a_tool_error_the_model_can_act_on() {
        let r = result(UseCaseError::Timeout("narrow the filter".into()));
        let s = r.structured_content.unwrap();
        assert_eq!(s["error"]["code"], "TIMEOUT");
        assert!(
            s["error"]["message"]
                .as_str()
                .unwrap()
                .contains("narrow the filter")
        );
        assert_eq!(r.is_error, Some(true));
    }

    #[test]
    fn not_found_says_what_to_call_next() {
        let r = result(UseCaseError::NotFound {
            resource: Resource::Project,
            id: "x".into(),
        });
        let s = r.structured_content.unwrap();
        assert!(
            s["error"]["message"]
                .as_str()
                .unwrap()
                .contains("list_projects")
        );
    }

    #[test]
    fn an_unavailable_database_is_a_protocol_error_the_transport_can_recognise() {
        let err = ToolFailure(UseCaseError::Unavailable("connection refused".into()))
            .into_call_tool_result()
            .unwrap_err();
        assert_eq!(err.code.0, UNAVAILABLE_CODE);
        assert!(!err.message.contains("refused"));
    }

    #[test]
    fn a_resource_not_found_is_absent_and_a_refusal_says_why() {
        let missing = UseCaseError::NotFound {
            resource: Resource::Project,
            id: "p".into(),
        };
        assert_eq!(resource_failure(missing), None);
        let refused = resource_failure(UseCaseError::PermissionDenied("no data:read".into()));
        let refused = refused.unwrap();
        assert!(refused.message.contains("no data:read"));
        assert_eq!(refused.data.unwrap()["code"], "PERMISSION_DENIED");
    }

    #[test]
    fn a_resource_request_meets_the_flag_and_faults_as_a_tool_does() {
        let fault = resource_failure(UseCaseError::Unexpected("db password wrong".into())).unwrap();
        assert!(!fault.message.contains("password"));
        let off = resource_failure(UseCaseError::FeatureDisabled).unwrap();
        assert_eq!(off.code.0, FEATURE_DISABLED_CODE);
    }

    #[test]
    fn a_server_fault_is_a_protocol_error_without_its_cause() {
        let err = ToolFailure(UseCaseError::Unexpected("db password wrong".into()))
            .into_call_tool_result()
            .unwrap_err();
        assert!(!err.message.contains("password"));
    }
}
