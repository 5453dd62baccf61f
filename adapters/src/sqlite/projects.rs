//! [`ProjectStore`] and [`TypeStore`] on SQLite: memberships, roles and the types of a
//! project, read on the reader connections.

use async_trait::async_trait;
use domain::model::{
    CollectionName, Member, Membership, Project, ProjectId, Role, TypeDef, UserId,
};
use domain::ports::{ProjectStore, StoreError, TypeStore};

use super::SqliteStore;
use super::errors::unexpected;
use super::rows::{self, TYPE_COLUMNS};

#[async_trait]
impl ProjectStore for SqliteStore {
    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        let found = sqlx::query(
            "SELECT p.id, p.name, p.description, m.role FROM members m \
             JOIN projects p ON p.id = m.tenant_id \
             WHERE m.user_id = ?1 ORDER BY p.name, p.id",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
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
            .collect()
    }

    async fn role_in(&self, user: UserId, project: ProjectId) -> Result<Option<Role>, StoreError> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM members WHERE tenant_id = ?1 AND user_id = ?2")
                .bind(project.to_string())
                .bind(user.to_string())
                .fetch_optional(&self.reader)
                .await
                .map_err(unexpected)?;
        role.as_deref().map(rows::role).transpose()
    }
}

#[async_trait]
impl TypeStore for SqliteStore {
    async fn list_types(&self, member: Member) -> Result<Vec<TypeDef>, StoreError> {
        let sql =
            format!("SELECT {TYPE_COLUMNS} FROM types WHERE tenant_id = ?1 ORDER BY collection");
        let found = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(member.project.to_string())
            .fetch_all(&self.reader)
            .await
            .map_err(unexpected)?;
        found.iter().map(rows::type_def).collect()
    }

    async fn find_type(
        &self,
        member: Member,
        collection: &CollectionName,
    ) -> Result<Option<TypeDef>, StoreError> {
        let sql =
            format!("SELECT {TYPE_COLUMNS} FROM types WHERE tenant_id = ?1 AND collection = ?2");
        let found = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(member.project.to_string())
            .bind(collection.as_str().to_owned())
            .fetch_optional(&self.reader)
            .await
            .map_err(unexpected)?;
        found.as_ref().map(rows::type_def).transpose()
    }
}
