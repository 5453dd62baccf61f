//! `ProjectStore` and `TypeStore`: a person's memberships and a project's types, read as
//! [`APP_ROLE`](super::APP_ROLE) under the policies `members_read`, `projects_read` and
//! `types_read`.

use async_trait::async_trait;
use domain::model::{
    CollectionName, Member, Membership, Project, ProjectId, Role, TypeDef, UserId,
};
use domain::ports::{ProjectStore, StoreError, TypeStore};
use serde_json::Value;
use uuid::Uuid;

use super::errors::unexpected;
use super::{PgStore, finish_read};

// Names are ordered by their bytes, as in the SQLite adapter, whatever the collation.
const MEMBERSHIPS: &str = "SELECT p.id, p.name, p.description, m.role \
     FROM members m JOIN projects p ON p.id = m.tenant_id \
     WHERE m.user_id = $1 ORDER BY p.name COLLATE \"C\", p.id";

const ROLE_IN: &str = "SELECT role FROM members WHERE tenant_id = $1 AND user_id = $2";

// `collection` is COLLATE "C": ordered by its bytes.
const LIST_TYPES: &str = "SELECT tenant_id, collection, title, description, schema, \
     default_access, creation_access FROM types WHERE tenant_id = $1 ORDER BY collection";

const FIND_TYPE: &str = "SELECT tenant_id, collection, title, description, schema, \
     default_access, creation_access FROM types WHERE tenant_id = $1 AND collection = $2";

#[derive(sqlx::FromRow)]
struct MembershipRow {
    id: Uuid,
    name: String,
    description: String,
    role: String,
}

#[derive(sqlx::FromRow)]
struct TypeRow {
    tenant_id: Uuid,
    collection: String,
    title: String,
    description: String,
    schema: Option<Value>,
    default_access: Value,
    creation_access: Value,
}

fn role(text: &str) -> Result<Role, StoreError> {
    text.parse()
        .map_err(|e: domain::model::RoleError| StoreError::Unexpected(e.to_string()))
}

impl TryFrom<TypeRow> for TypeDef {
    type Error = StoreError;

    fn try_from(row: TypeRow) -> Result<Self, StoreError> {
        let corrupt = |what: String| {
            StoreError::Unexpected(format!(
                "type {} of {}: {what}",
                row.collection, row.tenant_id
            ))
        };
        Ok(TypeDef {
            project_id: ProjectId::from_uuid(row.tenant_id),
            collection_name: row
                .collection
                .parse()
                .map_err(|e: domain::model::IdError| corrupt(e.to_string()))?,
            title: row.title,
            description: row.description,
            schema: row.schema,
            default_access: serde_json::from_value(row.default_access)
                .map_err(|e| corrupt(e.to_string()))?,
            creation_access: serde_json::from_value(row.creation_access)
                .map_err(|e| corrupt(e.to_string()))?,
        })
    }
}

#[async_trait]
impl ProjectStore for PgStore {
    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        let mut tx = self.begin_as_user(user).await?;
        let rows = sqlx::query_as::<_, MembershipRow>(MEMBERSHIPS)
            .bind(user.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| unexpected("listing memberships", &e))?;
        finish_read(tx);
        rows.into_iter()
            .map(|row| {
                Ok(Membership {
                    role: role(&row.role)?,
                    project: Project {
                        id: ProjectId::from_uuid(row.id),
                        name: row.name,
                        description: row.description,
                    },
                })
            })
            .collect()
    }

    async fn role_in(&self, user: UserId, project: ProjectId) -> Result<Option<Role>, StoreError> {
        let mut tx = self.begin_as_user(user).await?;
        let found = sqlx::query_scalar::<_, String>(ROLE_IN)
            .bind(project.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| unexpected("reading a membership", &e))?;
        finish_read(tx);
        found.as_deref().map(role).transpose()
    }
}

#[async_trait]
impl TypeStore for PgStore {
    async fn list_types(&self, member: Member) -> Result<Vec<TypeDef>, StoreError> {
        let mut tx = self.begin_as(member).await?;
        let rows = sqlx::query_as::<_, TypeRow>(LIST_TYPES)
            .bind(member.project.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| unexpected("listing types", &e))?;
        finish_read(tx);
        rows.into_iter().map(TypeDef::try_from).collect()
    }

    async fn find_type(
        &self,
        member: Member,
        collection: &CollectionName,
    ) -> Result<Option<TypeDef>, StoreError> {
        let mut tx = self.begin_as(member).await?;
        let row = sqlx::query_as::<_, TypeRow>(FIND_TYPE)
            .bind(member.project.as_uuid())
            .bind(collection.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| unexpected("reading a type", &e))?;
        finish_read(tx);
        row.map(TypeDef::try_from).transpose()
    }
}
