//! `Directory` and `FeatureFlags`: the operator's writes and the per-person flags.
//!
//! These run on the pool's connections as they are, i.e. as the connecting role (the
//! tables' owner), never as [`APP_ROLE`](super::APP_ROLE): they are not a person's call, and
//! the policies `*_directory` of the migration state the owner's access to the tables under
//! forced row-level security. No context is set, so no transaction is needed except for
//! `create_project`, which writes two rows atomically.

use async_trait::async_trait;
use domain::model::{GrantId, Membership, Project, ProjectId, Role, TypeDef, User, UserId};
use domain::ports::{Directory, FeatureFlags, Standing, StoreError};
use uuid::Uuid;

use super::PgStore;
use super::errors::{unexpected, write_error};

const BY_EMAIL: &str = "SELECT id, email, display_name, issuer, subject FROM users \
     WHERE lower(email) = lower($1)";

const BY_ID: &str = "SELECT id, email, display_name, issuer, subject FROM users WHERE id = $1";

const BY_IDENTITY: &str = "SELECT id, email, display_name, issuer, subject FROM users \
     WHERE issuer = $1 AND subject = $2";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    issuer: Option<String>,
    subject: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: UserId::from_uuid(row.id),
            email: row.email,
            display_name: row.display_name,
            identity: row.issuer.zip(row.subject),
        }
    }
}

/// The message of a violated constraint of the people, projects and members tables.
fn explain(constraint: &str) -> Option<String> {
    Some(
        match constraint {
            "users_pkey" => "a user with this id already exists",
            "users_email_lower_key" => "a user with this email already exists",
            "users_identity_key" => "this upstream identity is already linked to a user",
            "projects_pkey" => "a project with this id already exists",
            "members_tenant_id_fkey" | "types_tenant_id_fkey" => "the project does not exist",
            "members_user_id_fkey" | "feature_flags_user_id_fkey" => "the user does not exist",
            _ => return None,
        }
        .to_owned(),
    )
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Unexpected(format!("encoding JSON: {e}")))
}

async fn one_user(
    store: &PgStore,
    query: sqlx::query::QueryAs<'static, sqlx::Postgres, UserRow, sqlx::postgres::PgArguments>,
) -> Result<Option<User>, StoreError> {
    query
        .fetch_optional(store.pool())
        .await
        .map(|row| row.map(User::from))
        .map_err(|e| unexpected("reading a user", &e))
}

#[async_trait]
impl Directory for PgStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let (issuer, subject) = user.identity.clone().unzip();
        sqlx::query(
            "INSERT INTO users (id, email, display_name, issuer, subject) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user.id.as_uuid())
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(issuer)
        .bind(subject)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| write_error("storing a user", &e, explain))
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let query = sqlx::query_as(BY_ID).bind(id.as_uuid());
        one_user(self, query).await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let query = sqlx::query_as(BY_EMAIL).bind(email.to_owned());
        one_user(self, query).await
    }

    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<User>, StoreError> {
        let query = sqlx::query_as(BY_IDENTITY)
            .bind(issuer.to_owned())
            .bind(subject.to_owned());
        one_user(self, query).await
    }

    async fn link_identity(
        &self,
        user: UserId,
        issuer: &str,
        subject: &str,
    ) -> Result<(), StoreError> {
        let changed = sqlx::query("UPDATE users SET issuer = $2, subject = $3 WHERE id = $1")
            .bind(user.as_uuid())
            .bind(issuer)
            .bind(subject)
            .execute(self.pool())
            .await
            .map_err(|e| write_error("linking an identity", &e, explain))?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::Missing(format!("no user with id {user}")));
        }
        Ok(())
    }

    async fn create_project(&self, project: &Project, owner: UserId) -> Result<(), StoreError> {
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(|e| unexpected("starting a transaction", &e))?;
        sqlx::query("INSERT INTO projects (id, name, description) VALUES ($1, $2, $3)")
            .bind(project.id.as_uuid())
            .bind(&project.name)
            .bind(&project.description)
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error("storing a project", &e, explain))?;
        sqlx::query("INSERT INTO members (tenant_id, user_id, role) VALUES ($1, $2, 'owner')")
            .bind(project.id.as_uuid())
            .bind(owner.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error("storing the project's owner", &e, explain))?;
        tx.commit()
            .await
            .map_err(|e| unexpected("committing a project", &e))
    }

    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        super::projects::memberships_of(self, user).await
    }

    async fn set_member(
        &self,
        project: ProjectId,
        user: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO members (tenant_id, user_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role",
        )
        .bind(project.as_uuid())
        .bind(user.as_uuid())
        .bind(role.as_str())
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| write_error("storing a member", &e, explain))
    }

    async fn create_type(&self, type_def: &TypeDef) -> Result<(), StoreError> {
        let default_access = to_json(&type_def.default_access)?;
        let creation_access = to_json(&type_def.creation_access)?;
        sqlx::query(
            "INSERT INTO types (tenant_id, collection, title, description, schema, \
             default_access, creation_access) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(type_def.project_id.as_uuid())
        .bind(type_def.collection_name.as_str())
        .bind(&type_def.title)
        .bind(&type_def.description)
        .bind(type_def.schema.clone())
        .bind(default_access)
        .bind(creation_access)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| {
            write_error("storing a type", &e, |constraint| match constraint {
                "types_pkey" => Some(format!(
                    "the project already has a type named \"{}\"",
                    type_def.collection_name
                )),
                other => explain(other),
            })
        })
    }

    async fn set_flag(&self, user: UserId, flag: &str, enabled: bool) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO feature_flags (user_id, flag, enabled) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, flag) DO UPDATE SET enabled = EXCLUDED.enabled",
        )
        .bind(user.as_uuid())
        .bind(flag)
        .bind(enabled)
        .execute(self.pool())
        .await
        .map(|_| ())
        .map_err(|e| write_error("storing a feature flag", &e, explain))
    }
}

/// Whether a grant stands and the flag is on, in one statement (see `app_enter`).
const STANDING: &str = "SELECT CASE \
     WHEN $3::uuid IS NOT NULL AND NOT EXISTS (\
         SELECT 1 FROM oauth_consents WHERE grant_id = $3 AND user_id = $1 \
         UNION ALL SELECT 1 FROM personal_tokens \
             WHERE id = $3 AND user_id = $1 AND expires_at > now()) THEN 'revoked' \
     WHEN COALESCE((SELECT bool_or(enabled) FROM feature_flags \
         WHERE user_id = $1 AND flag = $2), false) THEN 'open' \
     ELSE 'flag_off' END";

#[async_trait]
impl FeatureFlags for PgStore {
    async fn standing(
        &self,
        user: UserId,
        flag: &str,
        grant: Option<GrantId>,
    ) -> Result<Standing, StoreError> {
        let found: String = sqlx::query_scalar(STANDING)
            .bind(user.as_uuid())
            .bind(flag)
            .bind(grant.map(|g| g.as_uuid()))
            .fetch_one(self.pool())
            .await
            .map_err(|e| unexpected("reading a grant and a feature flag", &e))?;
        Ok(match found.as_str() {
            "revoked" => Standing::Revoked,
            "open" => Standing::Open,
            _ => Standing::FlagOff,
        })
    }

    async fn is_enabled(&self, user: UserId, flag: &str) -> Result<bool, StoreError> {
        sqlx::query_scalar::<_, bool>(
            "SELECT enabled FROM feature_flags WHERE user_id = $1 AND flag = $2",
        )
        .bind(user.as_uuid())
        .bind(flag)
        .fetch_optional(self.pool())
        .await
        .map(|found| found.unwrap_or(false))
        .map_err(|e| unexpected("reading a feature flag", &e))
    }
}
