//! [`Directory`] and [`FeatureFlags`] on SQLite: the operator's writes (people, projects,
//! members, types, flags), which bypass the access rules, and the flag lookup.

use async_trait::async_trait;
use domain::model::{GrantId, Membership, Project, ProjectId, Role, TypeDef, User, UserId};
use domain::ports::{Directory, FeatureFlags, Standing, StoreError};
use sqlx::sqlite::SqliteRow;

use super::SqliteStore;
use super::errors::{Violation, on_write, unexpected, violation};
use super::rows::{self, json_text, now_text};

const USER_COLUMNS: &str = "SELECT id, email, display_name, issuer, subject FROM users ";

fn user(row: &SqliteRow) -> Result<User, StoreError> {
    let issuer: Option<String> = sqlx::Row::try_get(row, "issuer").map_err(unexpected)?;
    let subject: Option<String> = sqlx::Row::try_get(row, "subject").map_err(unexpected)?;
    Ok(User {
        id: UserId::from_uuid(rows::uuid(row, "id")?),
        email: rows::text(row, "email")?,
        display_name: rows::text(row, "display_name")?,
        identity: issuer.zip(subject),
    })
}

/// The message for a unique violation on `users`: which of its keys collided.
fn user_conflict(message: &str, user: UserId, email: &str) -> StoreError {
    StoreError::AlreadyExists(if message.contains("email_lower") {
        format!("a user with email {email} already exists")
    } else if message.contains("issuer") {
        "this upstream identity is already linked to another user".to_owned()
    } else {
        format!("user {user} already exists")
    })
}

impl SqliteStore {
    async fn exists(&self, sql: &'static str, id: String) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(unexpected)?;
        Ok(found.is_some())
    }

    /// Names what is missing after a foreign-key violation on `members` (SQLite does not).
    async fn missing_member_part(&self, project: ProjectId, user: UserId) -> StoreError {
        let project_exists = self
            .exists("SELECT 1 FROM projects WHERE id = ?1", project.to_string())
            .await;
        match project_exists {
            Ok(false) => StoreError::Missing(format!("project {project} does not exist")),
            Ok(true) => StoreError::Missing(format!("user {user} does not exist")),
            Err(e) => e,
        }
    }
}

#[async_trait]
impl Directory for SqliteStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let (issuer, subject) = user.identity.clone().unzip();
        sqlx::query(
            "INSERT INTO users (id, email, email_lower, display_name, issuer, subject, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(user.id.to_string())
        .bind(user.email.clone())
        .bind(user.email.to_lowercase())
        .bind(user.display_name.clone())
        .bind(issuer)
        .bind(subject)
        .bind(now_text())
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(|e| match violation(&e) {
            Some(Violation::Unique(message)) => user_conflict(&message, user.id, &user.email),
            _ => unexpected(e),
        })
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("{USER_COLUMNS}WHERE id = ?1");
        let found = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await
            .map_err(unexpected)?;
        found.as_ref().map(user).transpose()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("{USER_COLUMNS}WHERE email_lower = ?1");
        let found = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email.to_lowercase())
            .fetch_optional(&self.reader)
            .await
            .map_err(unexpected)?;
        found.as_ref().map(user).transpose()
    }

    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<User>, StoreError> {
        let sql = format!("{USER_COLUMNS}WHERE issuer = ?1 AND subject = ?2");
        let found = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(issuer.to_owned())
            .bind(subject.to_owned())
            .fetch_optional(&self.reader)
            .await
            .map_err(unexpected)?;
        found.as_ref().map(user).transpose()
    }

    async fn link_identity(
        &self,
        user: UserId,
        issuer: &str,
        subject: &str,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE users SET issuer = ?1, subject = ?2 WHERE id = ?3")
            .bind(issuer.to_owned())
            .bind(subject.to_owned())
            .bind(user.to_string())
            .execute(&self.writer)
            .await
            .map_err(|e| {
                on_write(
                    e,
                    "this upstream identity is already linked to another user",
                    &format!("user {user} does not exist"),
                )
            })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Missing(format!("user {user} does not exist")));
        }
        Ok(())
    }

    async fn create_project(&self, project: &Project, owner: UserId) -> Result<(), StoreError> {
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unexpected)?;
        sqlx::query(
            "INSERT INTO projects (id, name, description, created_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(project.id.to_string())
        .bind(project.name.clone())
        .bind(project.description.clone())
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            let exists = format!("project {} already exists", project.id);
            on_write(e, &exists, &format!("user {owner} does not exist"))
        })?;
        sqlx::query("INSERT INTO members (tenant_id, user_id, role) VALUES (?1, ?2, 'owner')")
            .bind(project.id.to_string())
            .bind(owner.to_string())
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                let exists = format!("user {owner} is already a member of project {}", project.id);
                on_write(e, &exists, &format!("user {owner} does not exist"))
            })?;
        tx.commit().await.map_err(unexpected)
    }

    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        super::projects::memberships_on(&mut conn, user).await
    }

    async fn set_member(
        &self,
        project: ProjectId,
        user: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO members (tenant_id, user_id, role) VALUES (?1, ?2, ?3) \
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(project.to_string())
        .bind(user.to_string())
        .bind(role.as_str())
        .execute(&self.writer)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if violation(&e) == Some(Violation::ForeignKey) => {
                Err(self.missing_member_part(project, user).await)
            }
            Err(e) => Err(unexpected(e)),
        }
    }

    async fn create_type(&self, type_def: &TypeDef) -> Result<(), StoreError> {
        let schema = type_def.schema.as_ref().map(json_text).transpose()?;
        sqlx::query(
            "INSERT INTO types (tenant_id, collection, title, description, schema, \
             default_access, creation_access, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(type_def.project_id.to_string())
        .bind(type_def.collection_name.as_str().to_owned())
        .bind(type_def.title.clone())
        .bind(type_def.description.clone())
        .bind(schema)
        .bind(json_text(&type_def.default_access)?)
        .bind(json_text(&type_def.creation_access)?)
        .bind(now_text())
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(|e| {
            on_write(
                e,
                &format!(
                    "project {} already has a type named {}",
                    type_def.project_id, type_def.collection_name
                ),
                &format!("project {} does not exist", type_def.project_id),
            )
        })
    }

    async fn set_flag(&self, user: UserId, flag: &str, enabled: bool) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO feature_flags (user_id, flag, enabled) VALUES (?1, ?2, ?3) \
             ON CONFLICT (user_id, flag) DO UPDATE SET enabled = excluded.enabled",
        )
        .bind(user.to_string())
        .bind(flag.to_owned())
        .bind(enabled)
        .execute(&self.writer)
        .await
        .map(|_| ())
        .map_err(|e| {
            let exists = format!("flag {flag} of user {user} already exists");
            on_write(e, &exists, &format!("user {user} does not exist"))
        })
    }
}

#[async_trait]
impl FeatureFlags for SqliteStore {
    async fn is_enabled(&self, user: UserId, flag: &str) -> Result<bool, StoreError> {
        let enabled: Option<bool> = sqlx::query_scalar(
            "SELECT enabled FROM feature_flags WHERE user_id = ?1 AND flag = ?2",
        )
        .bind(user.to_string())
        .bind(flag.to_owned())
        .fetch_optional(&self.reader)
        .await
        .map_err(unexpected)?;
        Ok(enabled.unwrap_or(false))
    }

    async fn standing(
        &self,
        user: UserId,
        flag: &str,
        grant: Option<GrantId>,
    ) -> Result<Standing, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(unexpected)?;
        if super::context::reach(&mut conn, user, grant)
            .await?
            .is_none()
        {
            return Ok(Standing::Revoked);
        }
        let enabled: Option<bool> = sqlx::query_scalar(
            "SELECT enabled FROM feature_flags WHERE user_id = ?1 AND flag = ?2",
        )
        .bind(user.to_string())
        .bind(flag.to_owned())
        .fetch_optional(&mut *conn)
        .await
        .map_err(unexpected)?;
        Ok(if enabled.unwrap_or(false) {
            Standing::Open
        } else {
            Standing::FlagOff
        })
    }
}
