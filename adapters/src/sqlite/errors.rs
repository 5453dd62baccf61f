//! `sqlx::Error` into the domain's `StoreError`, at the seam: unique violations become
//! `AlreadyExists`, foreign-key violations `Missing`, an oversized value `TooLarge`, and
//! everything else `Unexpected`.

use domain::ports::StoreError;
use sqlx::error::ErrorKind;

/// SQLite's primary result code for a string or blob over the size limit.
const SQLITE_TOOBIG: &str = "18";
/// SQLite's result code for a statement stopped by the progress handler (the deadline).
const SQLITE_INTERRUPT: &str = "9";

/// What a failed write broke, when it broke a rule the caller can be told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Violation {
    /// A unique or primary key; the message names the columns (`users.email_lower`).
    Unique(String),
    /// A foreign key (SQLite does not say which).
    ForeignKey,
}

/// The rule `error` broke, if it is a constraint violation.
pub(super) fn violation(error: &sqlx::Error) -> Option<Violation> {
    let db = error.as_database_error()?;
    match db.kind() {
        ErrorKind::UniqueViolation => Some(Violation::Unique(db.message().to_owned())),
        ErrorKind::ForeignKeyViolation => Some(Violation::ForeignKey),
        _ => None,
    }
}

/// Any other failure: `TooLarge` for SQLite's size limit, `Timeout` for a statement stopped
/// at its deadline, else `Unexpected` with the cause.
pub(super) fn unexpected(error: sqlx::Error) -> StoreError {
    let code = error
        .as_database_error()
        .and_then(|db| db.code())
        .map(|c| c.into_owned());
    if code.as_deref() == Some(SQLITE_INTERRUPT) {
        return StoreError::Timeout(
            "the query ran longer than the server allows (database.statement_timeout); narrow the filter or ask for a smaller page".into(),
        );
    }
    let too_big = code.as_deref() == Some(SQLITE_TOOBIG);
    if too_big {
        StoreError::TooLarge(
            "the value is larger than the database accepts; store less in one entry".into(),
        )
    } else {
        StoreError::Unexpected(format!("sqlite: {error}"))
    }
}

/// A write's failure, with the messages to give for a unique and a foreign-key violation.
pub(super) fn on_write(error: sqlx::Error, exists: &str, missing: &str) -> StoreError {
    match violation(&error) {
        Some(Violation::Unique(_)) => StoreError::AlreadyExists(exists.to_owned()),
        Some(Violation::ForeignKey) => StoreError::Missing(missing.to_owned()),
        None => unexpected(error),
    }
}

/// A stored value that does not decode: the database holds something this adapter never
/// writes.
pub(super) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Unexpected(format!("sqlite: stored {what} does not decode: {detail}"))
}
