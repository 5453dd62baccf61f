//! One person's call in one statement, on the data pool (the login role that owns nothing,
//! holding the application role for its session), in the statement's implicit transaction:
//! one round trip, and nothing outlives it. `app_enter` (see
//! `migrations/postgres/0004_one_round_trip.sql`) checks the feature flag, finds the
//! membership and the type and sets the row-level-security context; a read
//! ([`PgStore::read`]) is a prepared statement that calls it first, and every other call
//! ([`PgStore::call`]: types, memberships, writes) goes through `app_call`,
//! which calls it and then runs the call's statement.

use domain::model::{CollectionName, GrantId, MCP_FLAG, Member, ProjectId, Role, TypeDef, UserId};
use domain::ports::{Scoped, StoreError};
use domain::rules::read_predicate;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use tracing::Instrument;

use super::PgStore;
use super::errors::unexpected;
use super::sql::{Arg, Sql};

const CALL: &str = "SELECT flag_on, member_role, type_row::text, grant_live, result::text \
     FROM app_call($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// `app_call`'s outputs: flag_on, member_role, type_row, grant_live, result.
type CallRow = (
    Option<bool>,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<String>,
);

/// What a call needs resolved before its statement.
pub(super) struct Call<'a> {
    pub user: UserId,
    pub project: Option<ProjectId>,
    pub collection: Option<&'a CollectionName>,
    /// Return the type's definition (else only check that it exists).
    pub want_type: bool,
    /// The grant to check first (`None`: the operator's own call).
    pub grant: Option<GrantId>,
}

impl<'a> Call<'a> {
    /// A person's call in their project, about `collection` (or the project as a whole).
    pub(super) fn within(
        caller: domain::ports::Caller,
        collection: Option<&'a CollectionName>,
        want_type: bool,
    ) -> Self {
        Self {
            user: caller.user,
            project: Some(caller.project),
            collection,
            want_type,
            grant: caller.grant,
        }
    }
}

/// The call's statement.
pub(super) enum Statement {
    /// Nothing beyond the context (e.g. the type of a creation).
    None,
    /// A statement returning one JSON value.
    Read(Sql),
    /// A write; `then` (returning one JSON value) runs when it wrote no row.
    Write { sql: Sql, then: Option<Sql> },
}

/// What `app_call` resolved about the caller.
pub(super) enum Resolved {
    Revoked,
    FlagOff,
    NotMember,
    NoType,
    /// A call outside any project (the person's memberships), with its statement's JSON.
    Person(Option<String>),
    /// A member, with the type (when asked for) and the statement's JSON.
    Member(Member, Box<Answer>),
}

/// A member's answer: the type, when asked for, and the statement's JSON (`None` when
/// there was no statement, or a write wrote and had nothing to add).
pub(super) struct Answer {
    pub type_def: Option<TypeDef>,
    pub result: Option<String>,
}

/// A write's outcome as `app_call` reports it.
#[derive(serde::Deserialize)]
pub(super) struct Written {
    pub rows: i64,
    pub then: Option<Value>,
}

/// Parses a statement's JSON.
pub(super) fn decode<T: DeserializeOwned>(doing: &str, json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Unexpected(format!("{doing}: {e}")))
}

/// The subjects of `user` in `project` for every role, as the domain's rules give them: the
/// function picks the list of the role it finds.
fn subjects_by_role(user: UserId, project: ProjectId) -> Value {
    let mut map = Map::new();
    for role in Role::ALL {
        let member = Member {
            user,
            project,
            role,
        };
        let subjects = read_predicate(&member).subjects;
        map.insert(
            role.to_string(),
            subjects.into_iter().map(Value::String).collect(),
        );
    }
    Value::Object(map)
}

impl PgStore {
    /// Runs one call: its context and its statement in one round trip.
    ///
    /// # Errors
    /// The database failed; `write_error` maps a write's errors.
    pub(super) async fn call(
        &self,
        call: Call<'_>,
        statement: Statement,
        on_error: impl Fn(&sqlx::Error) -> StoreError,
    ) -> Result<Resolved, StoreError> {
        let subjects = match call.project {
            Some(project) => subjects_by_role(call.user, project),
            None => Value::Null,
        };
        let (sql, args, dml, then) = match statement {
            Statement::None => (None, Value::Null, false, None),
            Statement::Read(sql) => {
                let (text, args) = sql.into_call();
                (Some(text), args, false, None)
            }
            Statement::Write { sql, then } => {
                let (text, args) = sql.into_call();
                (Some(text), args, true, then.map(|t| t.into_call().0))
            }
        };
        let span = statement_span(if dml { "app_call write" } else { "app_call" });
        let row = async {
            let mut conn = self.data.lease().await?;
            let row: Result<CallRow, _> = sqlx::query_as(CALL)
                .bind(call.user.as_uuid())
                .bind(MCP_FLAG)
                .bind(call.project.map(|p| p.as_uuid()))
                .bind(call.collection.map(CollectionName::as_str))
                .bind(call.want_type)
                .bind(subjects)
                .bind(call.grant.map(|g| g.as_uuid()))
                .bind(sql)
                .bind(args)
                .bind(dml)
                .bind(then)
                .fetch_one(&mut *conn)
                .await;
            self.data.finish(conn, &row);
            Ok::<_, StoreError>(row)
        }
        .instrument(span)
        .await?;
        let (flag_on, role, type_row, grant_live, result) = row.map_err(|e| on_error(&e))?;
        resolve(&call, grant_live, flag_on, role, type_row, result)
    }

    /// Runs one read: the caller's context and `sql` (a `SELECT`) in one prepared
    /// statement, one round trip, the rows as PostgreSQL's own:
    ///
    /// ```sql
    /// WITH ctx AS MATERIALIZED (SELECT * FROM app_enter(…))
    /// SELECT ctx.…, r.* FROM ctx LEFT JOIN LATERAL
    ///     (SELECT * FROM (<sql>) s WHERE app_entered(ctx.…) OFFSET 0) r ON true
    /// ```
    ///
    /// The lateral subquery (kept a subquery by `OFFSET 0`, so a nested loop under `ctx`)
    /// runs only after `app_enter` has set the person's settings; were it ever to run
    /// before, the policies would read empty settings and admit no row. The data pool's
    /// connections hold `platform_mcp_app` for the session, so the plan is made, and cached
    /// by the driver, under row-level security. The first row carries the context; with
    /// no row from `sql`, it is the only one (its other columns NULL).
    ///
    /// # Errors
    /// The database failed.
    pub(super) async fn read<R>(
        &self,
        call: Call<'_>,
        sql: Sql,
        doing: &'static str,
    ) -> Result<(Resolved, Vec<R>), StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let statement = read_statement(&call, sql);
        let rows = async {
            let mut conn = self.data.lease().await?;
            let rows = statement.query().fetch_all(&mut *conn).await;
            self.data.finish(conn, &rows);
            Ok::<_, StoreError>(rows)
        }
        .instrument(statement_span(doing))
        .await?;
        let rows = rows.map_err(|e| unexpected(doing, &e))?;
        let Some(first) = rows.first() else {
            return Err(StoreError::Unexpected(format!(
                "{doing}: no context came back"
            )));
        };
        let column = |name: &str| -> Result<Option<String>, StoreError> {
            sqlx::Row::try_get(first, name).map_err(|e| unexpected(doing, &e))
        };
        let flag = |name: &str| -> Result<Option<bool>, StoreError> {
            sqlx::Row::try_get(first, name).map_err(|e| unexpected(doing, &e))
        };
        let resolved = resolve(
            &call,
            flag("grant_live")?,
            flag("flag_on")?,
            column("member_role")?,
            column("type_row")?,
            None,
        )?;
        let found = match resolved {
            Resolved::Member(..) => rows
                .iter()
                .map(R::from_row)
                .collect::<Result<Vec<R>, _>>()
                .map_err(|e| unexpected(doing, &e))?,
            _ => Vec::new(),
        };
        Ok((resolved, found))
    }
}

/// The span of one statement (OpenTelemetry's database conventions): `what` names it.
fn statement_span(what: &str) -> tracing::Span {
    tracing::info_span!(
        "db",
        otel.name = format!("SELECT {what}"),
        otel.kind = "client",
        db.system.name = "postgresql",
        db.operation.name = "SELECT",
        db.query.summary = what,
    )
}

/// The statement of [`PgStore::read`].
pub(super) fn read_statement(call: &Call<'_>, sql: Sql) -> Sql {
    let subjects = subjects_by_role(call.user, call.project.unwrap_or_else(nil_project));
    let mut statement = Sql::new("WITH ctx AS MATERIALIZED (SELECT * FROM app_enter(");
    let context = [
        Arg::Uuid(call.user.as_uuid()),
        Arg::Text(MCP_FLAG.to_owned()),
        Arg::Uuid(call.project.unwrap_or_else(nil_project).as_uuid()),
        Arg::Text(call.collection.map_or("", |c| c.as_str()).to_owned()),
        Arg::Bool(call.want_type),
        Arg::Json(subjects),
        Arg::MaybeUuid(call.grant.map(|g| g.as_uuid())),
    ];
    let placeholders: Vec<String> = context.into_iter().map(|a| statement.bind(a)).collect();
    statement
        .push(&placeholders.join(", "))
        .push(
            ")) SELECT ctx.flag_on, ctx.member_role, ctx.type_row::text AS type_row, \
                 ctx.grant_live, r.* \
                 FROM ctx LEFT JOIN LATERAL (SELECT * FROM (",
        )
        .append(sql)
        .push(
            ") s WHERE app_entered(ctx.flag_on, ctx.member_role, ctx.type_row, $3, $4) \
                 OFFSET 0) r ON true",
        );
    statement
}

fn nil_project() -> ProjectId {
    ProjectId::from_uuid(uuid::Uuid::nil())
}

/// What the context outputs of `app_enter` say, with the statement's answer.
fn resolve(
    call: &Call<'_>,
    grant_live: Option<bool>,
    flag_on: Option<bool>,
    role: Option<String>,
    type_row: Option<String>,
    result: Option<String>,
) -> Result<Resolved, StoreError> {
    if grant_live != Some(true) {
        return Ok(Resolved::Revoked);
    }
    if flag_on != Some(true) {
        return Ok(Resolved::FlagOff);
    }
    let Some(project) = call.project else {
        return Ok(Resolved::Person(result));
    };
    let Some(role) = role else {
        return Ok(Resolved::NotMember);
    };
    let role: Role = role
        .parse()
        .map_err(|e: domain::model::RoleError| StoreError::Unexpected(e.to_string()))?;
    let member = Member {
        user: call.user,
        project,
        role,
    };
    let type_def = match (call.collection, type_row) {
        (Some(_), None) => return Ok(Resolved::NoType),
        (Some(_), Some(row)) if call.want_type => {
            Some(super::type_row::type_def(decode("reading a type", &row)?)?)
        }
        _ => None,
    };
    Ok(Resolved::Member(
        member,
        Box::new(Answer { type_def, result }),
    ))
}

impl Resolved {
    /// The member's answer decoded by `f`, or the reason there is none.
    pub(super) fn map<T>(
        self,
        f: impl FnOnce(Answer) -> Result<T, StoreError>,
    ) -> Result<Scoped<T>, StoreError> {
        Ok(match self {
            Resolved::Revoked => Scoped::Revoked,
            Resolved::FlagOff => Scoped::FlagOff,
            Resolved::NotMember => Scoped::NotMember,
            Resolved::NoType => Scoped::NoType,
            Resolved::Member(member, answer) => Scoped::Found(member, f(*answer)?),
            Resolved::Person(_) => {
                return Err(StoreError::Unexpected(
                    "a project call was answered without a project".into(),
                ));
            }
        })
    }
}

/// A statement's JSON, which `app_call` returns whenever the statement ran.
pub(super) fn result_of(answer: &Answer, doing: &str) -> Result<String, StoreError> {
    answer
        .result
        .clone()
        .ok_or_else(|| StoreError::Unexpected(format!("{doing}: the statement returned nothing")))
}

/// Any database error of a read.
pub(super) fn read_error(doing: &'static str) -> impl Fn(&sqlx::Error) -> StoreError {
    move |e| unexpected(doing, e)
}
