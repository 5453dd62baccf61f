//! [`ProjectStore`] and [`TypeStore`] on SQLite: memberships, roles and the types of a
//! project, read on the reader connections.

use async_trait::async_trait;
use domain::model::{CollectionName, GrantId, Membership, Project, ProjectId, TypeDef, UserId};
use domain::ports::{Caller, Gated, ProjectStore, Scoped, StoreError, TypeStore};

use super::SqliteStore;
use super::context;
use super::deadline;
use super::errors::unexpected;
use super::rows::{self, TYPE_COLUMNS};

#[async_trait]
impl ProjectStore for SqliteStore {
    async fn memberships(
        &self,
        user: UserId,
        grant: Option<GrantId>,
    ) -> Result<Gated<Vec<Membership>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let Some(reach) = context::reach(&mut conn, user, grant).await? else {
            return Ok(Gated::Revoked);
        };
        if !context::flag_on(&mut conn, user).await? {
            return Ok(Gated::FlagOff);
        }
        memberships_on(&mut conn, user)
            .await
            .map(|all| {
                all.into_iter()
                    .filter(|m| reach.reaches(m.project.id))
                    .collect()
            })
            .map(Gated::Open)
    }
}

/// Every membership of `user` on `conn`, ordered by project name (no flag, no grant).
pub(super) async fn memberships_on(
    conn: &mut sqlx::SqliteConnection,
    user: UserId,
) -> Result<Vec<Membership>, StoreError> {
    {
        let found = sqlx::query(
            "SELECT p.id, p.name, p.description, m.role FROM members m \
             JOIN projects p ON p.id = m.tenant_id \
             WHERE m.user_id = ?1 ORDER BY p.name, p.id",
        )
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(unexpected)?;
        found
            .iter()
            .map(|row| {
                Ok(Membership {
                    project: Project {
                        id: ProjectId::from_uuid(rows::uuid(row, "id")?),
                        name: rows::text(row, "name")?,
                        description: rows::text(row, "description")?,
                    },
                    role: rows::role(&rows::text(row, "role")?)?,
                })
            })
            .collect::<Result<_, _>>()
    }
}

#[async_trait]
impl TypeStore for SqliteStore {
    async fn list_types(&self, caller: Caller) -> Result<Scoped<Vec<TypeDef>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        let (member, _) = match context::resolve(&mut conn, caller, None).await?.member() {
            Ok(found) => found,
            Err(stop) => return Ok(stop),
        };
        let sql =
            format!("SELECT {TYPE_COLUMNS} FROM types WHERE tenant_id = ?1 ORDER BY collection");
        let found = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(member.project.to_string())
            .fetch_all(&mut *conn)
            .await
            .map_err(unexpected)?;
        let types = found.iter().map(rows::type_def).collect::<Result<_, _>>()?;
        Ok(Scoped::Found(member, types))
    }

    async fn find_type(
        &self,
        caller: Caller,
        collection: &CollectionName,
    ) -> Result<Scoped<TypeDef>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        let _bounded = deadline::arm(&mut conn, self.statement_timeout).await?;
        Ok(
            match context::resolve(&mut conn, caller, Some(collection))
                .await?
                .member()
            {
                Ok((member, Some(type_def))) => Scoped::Found(member, type_def),
                Ok((_, None)) => Scoped::NoType,
                Err(stop) => stop,
            },
        )
    }
}
