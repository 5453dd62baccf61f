//! The seam between sqlx's errors and the domain's [`StoreError`]: nothing above this file
//! sees a driver error.

use domain::ports::StoreError;

/// SQLSTATE of a unique violation.
const UNIQUE_VIOLATION: &str = "23505";
/// SQLSTATE of a foreign-key violation.
const FOREIGN_KEY_VIOLATION: &str = "23503";
/// SQLSTATE of a jsonb string or key holding U+0000 (the domain refuses those earlier).
const UNTRANSLATABLE_CHARACTER: &str = "22P05";
/// SQLSTATE of a row-level-security refusal ("new row violates row-level security policy").
const INSUFFICIENT_PRIVILEGE: &str = "42501";
/// SQLSTATE of a statement cancelled by `statement_timeout`.
const QUERY_CANCELED: &str = "57014";
/// SQLSTATE class "program limit exceeded" (a jsonb value or a row too large, …).
const LIMIT_CLASS: &str = "54";

/// SQLSTATE class "connection exception".
const CONNECTION_CLASS: &str = "08";
/// SQLSTATEs of a server going away or not yet there: `admin_shutdown` (a fast or smart
/// stop), `crash_shutdown` (an immediate stop), `cannot_connect_now` (starting up).
const SERVER_GONE: [&str; 3] = ["57P01", "57P02", "57P03"];

/// True when `error` says the connection or the server is gone (refused, reset, closed,
/// shutting down, starting up) or no connection was free in time: the call may succeed
/// later, and the connection it ran on, if any, is of no further use.
pub fn connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with(CONNECTION_CLASS) || SERVER_GONE.contains(&&*c)),
        _ => false,
    }
}

/// Any error as `Unexpected`, saying what was being done, except a statement stopped by
/// `statement_timeout`, which is `Timeout`, and a database out of reach
/// ([`connection_lost`]), which is `Unavailable`.
pub fn unexpected(doing: &str, error: &sqlx::Error) -> StoreError {
    if connection_lost(error) {
        return StoreError::Unavailable(format!("{doing}: {error}"));
    }
    if error
        .as_database_error()
        .is_some_and(|db| db.code().as_deref() == Some(QUERY_CANCELED))
    {
        return StoreError::Timeout(format!(
            "{doing} took longer than the database allows one statement; narrow the filter \
             or ask for fewer entries"
        ));
    }
    StoreError::Unexpected(format!("{doing}: {error}"))
}

/// True when the database's row-level security refused a write.
pub fn refused_by_policy(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|db| db.code().as_deref() == Some(INSUFFICIENT_PRIVILEGE))
}

/// An error of a write: a unique violation becomes `AlreadyExists` and a foreign-key
/// violation `Missing`, each with the message `explain` gives for the violated constraint
/// (`None` keeps the database's own); values too large for PostgreSQL become `TooLarge`;
/// everything else is `Unexpected`.
pub fn write_error(
    doing: &str,
    error: &sqlx::Error,
    explain: impl Fn(&str) -> Option<String>,
) -> StoreError {
    let Some(db) = error.as_database_error() else {
        return too_large_or_unexpected(doing, error);
    };
    let constraint = db.constraint().unwrap_or_default();
    let message = || explain(constraint).unwrap_or_else(|| db.message().to_owned());
    match db.code().as_deref() {
        Some(UNIQUE_VIOLATION) => StoreError::AlreadyExists(message()),
        Some(FOREIGN_KEY_VIOLATION) => StoreError::Missing(message()),
        Some(UNTRANSLATABLE_CHARACTER) => StoreError::Unexpected(format!(
            "{doing}: a string or key holds U+0000, which PostgreSQL cannot store"
        )),
        Some(code) if code.starts_with(LIMIT_CLASS) => {
            StoreError::TooLarge(format!("the value is too large to store: {}", db.message()))
        }
        _ => unexpected(doing, error),
    }
}

fn too_large_or_unexpected(doing: &str, error: &sqlx::Error) -> StoreError {
    // The driver refuses a message over the protocol's size limit before it is sent.
    let text = error.to_string();
    if matches!(error, sqlx::Error::Protocol(_) | sqlx::Error::Encode(_)) && text.contains("large")
    {
        StoreError::TooLarge(format!("the value is too large to store: {text}"))
    } else {
        unexpected(doing, error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_or_a_full_pool_is_unavailable_not_unexpected() {
        let refused = sqlx::Error::Io(std::io::ErrorKind::ConnectionRefused.into());
        assert!(matches!(
            unexpected("connecting", &refused),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            unexpected("acquiring", &sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        let written = write_error("inserting", &refused, |_| None);
        assert!(matches!(written, StoreError::Unavailable(_)), "{written:?}");
    }

    #[test]
    fn a_decoding_error_stays_unexpected() {
        let error = sqlx::Error::ColumnNotFound("x".into());
        assert!(!connection_lost(&error));
        assert!(matches!(
            unexpected("reading", &error),
            StoreError::Unexpected(_)
        ));
    }
}
