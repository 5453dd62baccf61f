//! The bearer check's own answers: the flag off (`403`), over the rate limit (`429`), the
//! database unavailable (`503`), each with the headers a client needs to act on it.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde_json::json;

/// `403`: the person's `mcp` flag is off.
pub(super) fn flag_off() -> HttpResponse {
    HttpResponse::Forbidden().json(json!({
        "error": "forbidden",
        "message": "MCP Server feature is not enabled",
    }))
}

/// `429` with `Retry-After`: over the rate limit (the body says so in words and seconds).
#[must_use]
pub fn rate_limited(retry_after_seconds: u64) -> HttpResponse {
    HttpResponse::TooManyRequests()
        .insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "error": "rate_limited",
            "retryAfterSeconds": retry_after_seconds,
            "message": format!("too many requests; retry after {retry_after_seconds} seconds"),
        }))
}

/// How long a client should wait before retrying a request that found the database
/// unavailable, in seconds.
pub const RETRY_AFTER_SECONDS: u32 = 2;

/// `503` with `Retry-After`: the database cannot be reached right now.
pub fn unavailable() -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "error": "unavailable",
            "message": "the database is unavailable; try again in a few seconds",
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::StatusCode;

    #[test]
    fn unavailable_says_when_to_retry() {
        let response = unavailable();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER).unwrap(),
            &RETRY_AFTER_SECONDS.to_string()
        );
    }
}
