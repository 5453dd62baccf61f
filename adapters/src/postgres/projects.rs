//! `ProjectStore` and `TypeStore`: a person's memberships and a project's types, read as
//! [`APP_ROLE`](super::APP_ROLE) under the policies `members_read`, `projects_read` and
//! `types_read`, each in one `app_call`.

use async_trait::async_trait;
use domain::model::{CollectionName, GrantId, Membership, Project, ProjectId, TypeDef, UserId};
use domain::ports::{Caller, Gated, ProjectStore, Scoped, StoreError, TypeStore};
use uuid::Uuid;

use super::PgStore;
use super::call::{Call, Resolved, Statement, decode, read_error, result_of};
use super::sql::{Arg, Sql};
use super::type_row::{TypeRow, type_def};

// Names are ordered by their bytes, as in the SQLite adapter, whatever the collation. Only
// the projects the call's grant reaches (app_enter leaves them in app.grant_projects).
const MEMBERSHIPS: &str = "SELECT COALESCE(json_agg(t), '[]'::json) FROM (\
     SELECT p.id, p.name, p.description, m.role \
     FROM members m JOIN projects p ON p.id = m.tenant_id \
     WHERE app_grant_reaches(p.id) AND m.user_id = ";
const MEMBERSHIPS_END: &str = " ORDER BY p.name COLLATE \"C\", p.id) t";

// `collection` is COLLATE "C": ordered by its bytes.
const LIST_TYPES: &str = "SELECT COALESCE(json_agg(t), '[]'::json) FROM (\
     SELECT tenant_id, collection, title, description, schema, default_access, \
     creation_access FROM types WHERE tenant_id = ";
const LIST_TYPES_END: &str = " ORDER BY collection) t";

#[derive(serde::Deserialize)]
struct MembershipRow {
    id: Uuid,
    name: String,
    description: String,
    role: String,
}

impl TryFrom<MembershipRow> for Membership {
    type Error = StoreError;

    fn try_from(row: MembershipRow) -> Result<Self, StoreError> {
        Ok(Membership {
            role: row
                .role
                .parse()
                .map_err(|e: domain::model::RoleError| StoreError::Unexpected(e.to_string()))?,
            project: Project {
                id: ProjectId::from_uuid(row.id),
                name: row.name,
                description: row.description,
            },
        })
    }
}

/// Every membership of `user`, as the operator reads them (no flag, no grant), ordered as
/// [`ProjectStore::memberships`] orders them.
pub(super) async fn memberships_of(
    store: &PgStore,
    user: UserId,
) -> Result<Vec<Membership>, StoreError> {
    let rows: Vec<(Uuid, String, String, String)> = sqlx::query_as(
        "SELECT p.id, p.name, p.description, m.role \
         FROM members m JOIN projects p ON p.id = m.tenant_id \
         WHERE m.user_id = $1 ORDER BY p.name COLLATE \"C\", p.id",
    )
    .bind(user.as_uuid())
    .fetch_all(store.pool())
    .await
    .map_err(|e| super::errors::unexpected("listing memberships", &e))?;
    rows.into_iter()
        .map(|(id, name, description, role)| {
            Membership::try_from(MembershipRow {
                id,
                name,
                description,
                role,
            })
        })
        .collect()
}

#[async_trait]
impl ProjectStore for PgStore {
    async fn memberships(
        &self,
        user: UserId,
        grant: Option<GrantId>,
    ) -> Result<Gated<Vec<Membership>>, StoreError> {
        let mut sql = Sql::new(MEMBERSHIPS);
        sql.push_bind(Arg::Uuid(user.as_uuid()))
            .push(MEMBERSHIPS_END);
        let call = Call {
            user,
            project: None,
            collection: None,
            want_type: false,
            grant,
        };
        let json = match self
            .call(
                call,
                Statement::Read(sql),
                read_error("listing memberships"),
            )
            .await?
        {
            Resolved::Revoked => return Ok(Gated::Revoked),
            Resolved::FlagOff => return Ok(Gated::FlagOff),
            Resolved::Person(Some(json)) => json,
            _ => {
                return Err(StoreError::Unexpected(
                    "listing memberships: no rows came back".into(),
                ));
            }
        };
        decode::<Vec<MembershipRow>>("listing memberships", &json)?
            .into_iter()
            .map(Membership::try_from)
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Gated::Open)
    }
}

#[async_trait]
impl TypeStore for PgStore {
    async fn list_types(&self, caller: Caller) -> Result<Scoped<Vec<TypeDef>>, StoreError> {
        let mut sql = Sql::new(LIST_TYPES);
        sql.push_bind(Arg::Uuid(caller.project.as_uuid()))
            .push(LIST_TYPES_END);
        let call = Call::within(caller, None, false);
        self.call(call, Statement::Read(sql), read_error("listing types"))
            .await?
            .map(|answer| {
                decode::<Vec<TypeRow>>("listing types", &result_of(&answer, "listing types")?)?
                    .into_iter()
                    .map(type_def)
                    .collect()
            })
    }

    async fn find_type(
        &self,
        caller: Caller,
        collection: &CollectionName,
    ) -> Result<Scoped<TypeDef>, StoreError> {
        let call = Call::within(caller, Some(collection), true);
        self.call(call, Statement::None, read_error("reading a type"))
            .await?
            .map(|answer| {
                answer
                    .type_def
                    .ok_or_else(|| StoreError::Unexpected("reading a type: none came back".into()))
            })
    }
}
