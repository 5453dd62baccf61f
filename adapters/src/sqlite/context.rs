//! The caller's context on SQLite, in one statement: the `mcp` flag, the membership's role
//! and (optionally) the collection's type. The call's own statement follows on the same
//! connection, so the two see the same database; SQLite is in the process, so the second
//! statement is no network round trip.

use domain::model::{CollectionName, GrantId, GrantProjects, MCP_FLAG, Member, TypeDef};
use domain::ports::{Caller, Scoped, StoreError};
use sqlx::SqliteConnection;

use super::errors::unexpected;
use super::rows::{self, TYPE_COLUMNS};

/// Whether the person `?1` has the flag `?2` on (unknown flags are off).
const FLAG_ON: &str =
    "SELECT COALESCE(MAX(enabled), 0) FROM feature_flags WHERE user_id = ?1 AND flag = ?2";

/// The projects grant `?2` of person `?1` reaches: no row when it was revoked or expired
/// by `?3`, NULL `projects` for every project.
const GRANT: &str = "SELECT projects FROM oauth_consents WHERE grant_id = ?2 AND user_id = ?1 \
     UNION ALL SELECT projects FROM personal_tokens \
     WHERE id = ?2 AND user_id = ?1 AND expires_at > ?3";

/// What the context statement found.
pub(super) enum Context {
    Revoked,
    FlagOff,
    NotMember,
    NoType,
    Member(Member, Option<Box<TypeDef>>),
}

impl Context {
    /// The member (and type), or the answer that stops the call.
    pub(super) fn member<T>(self) -> Result<(Member, Option<TypeDef>), Scoped<T>> {
        match self {
            Context::Revoked => Err(Scoped::Revoked),
            Context::FlagOff => Err(Scoped::FlagOff),
            Context::NotMember => Err(Scoped::NotMember),
            Context::NoType => Err(Scoped::NoType),
            Context::Member(member, type_def) => Ok((member, type_def.map(|t| *t))),
        }
    }
}

/// Resolves the caller (and the collection, an `Option<&CollectionName>`) on `conn` with
/// [`resolve`]: the member and the type, or returns `Ok` with the answer that stops the
/// call (flag off, not a member, no such type) from the enclosing function.
macro_rules! enter {
    ($conn:expr, $caller:expr, $collection:expr) => {
        match $crate::sqlite::context::resolve(&mut *$conn, $caller, $collection)
            .await?
            .member()
        {
            Ok(found) => found,
            Err(stop) => return Ok(stop),
        }
    };
}
pub(super) use enter;

/// Resolves `caller` (and `collection`, when given) on `conn`.
///
/// # Errors
/// The database failed.
pub(super) async fn resolve(
    conn: &mut SqliteConnection,
    caller: Caller,
    collection: Option<&CollectionName>,
) -> Result<Context, StoreError> {
    match reach(&mut *conn, caller.user, caller.grant).await? {
        None => return Ok(Context::Revoked),
        Some(projects) if !projects.reaches(caller.project) => {
            // Out of the grant's reach: as if not a member, unless the flag says more.
            return Ok(if flag_on(&mut *conn, caller.user).await? {
                Context::NotMember
            } else {
                Context::FlagOff
            });
        }
        Some(_) => {}
    }
    let type_columns: String = TYPE_COLUMNS
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT \
         ({FLAG_ON}) AS flag_on, \
         (SELECT role FROM members WHERE tenant_id = ?3 AND user_id = ?1) AS member_role, \
         t.collection IS NOT NULL AS has_type, {type_columns} \
         FROM (SELECT 1) LEFT JOIN types t ON t.tenant_id = ?3 AND t.collection = ?4"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(caller.user.to_string())
        .bind(MCP_FLAG)
        .bind(caller.project.to_string())
        .bind(collection.map(|c| c.as_str().to_owned()))
        .fetch_one(&mut *conn)
        .await
        .map_err(unexpected)?;
    let flag_on: bool = sqlx::Row::try_get(&row, "flag_on").map_err(unexpected)?;
    if !flag_on {
        return Ok(Context::FlagOff);
    }
    let role: Option<String> = sqlx::Row::try_get(&row, "member_role").map_err(unexpected)?;
    let Some(role) = role else {
        return Ok(Context::NotMember);
    };
    let member = Member {
        user: caller.user,
        project: caller.project,
        role: rows::role(&role)?,
    };
    if collection.is_none() {
        return Ok(Context::Member(member, None));
    }
    let has_type: bool = sqlx::Row::try_get(&row, "has_type").map_err(unexpected)?;
    if !has_type {
        return Ok(Context::NoType);
    }
    Ok(Context::Member(
        member,
        Some(Box::new(rows::type_def(&row)?)),
    ))
}

/// Whether `user`'s `mcp` flag is on, on `conn` (for calls outside a project).
///
/// # Errors
/// The database failed.
pub(super) async fn flag_on(
    conn: &mut SqliteConnection,
    user: domain::model::UserId,
) -> Result<bool, StoreError> {
    let on: bool = sqlx::query_scalar(FLAG_ON)
        .bind(user.to_string())
        .bind(MCP_FLAG)
        .fetch_one(&mut *conn)
        .await
        .map_err(unexpected)?;
    Ok(on)
}

/// The projects `grant` reaches for `user` (every project without a grant: the operator's
/// own call); `None` when it was revoked or expired.
///
/// # Errors
/// The database failed.
pub(super) async fn reach(
    conn: &mut SqliteConnection,
    user: domain::model::UserId,
    grant: Option<GrantId>,
) -> Result<Option<GrantProjects>, StoreError> {
    let Some(grant) = grant else {
        return Ok(Some(GrantProjects::All));
    };
    let found: Option<Option<String>> = sqlx::query_scalar(GRANT)
        .bind(user.to_string())
        .bind(grant.to_string())
        .bind(rows::now_text())
        .fetch_optional(&mut *conn)
        .await
        .map_err(unexpected)?;
    found
        .map(|stored| super::grants::projects_from("grant projects", stored.as_deref()))
        .transpose()
}
