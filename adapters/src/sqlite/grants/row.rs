//! Rows of the grant tables into domain values: UUIDs and timestamps are stored as text,
//! lists of strings as JSON text.

use chrono::{DateTime, Utc};
use domain::grants::{
    AuthorizationCode, BrowserSession, ClientSource, Consent, OAuthClient, Pending, RefreshToken,
};
use domain::model::{GrantId, GrantProjects, ProjectId, UserId};
use domain::ports::StoreError;
use sqlx::types::Json;
use uuid::Uuid;

use super::super::errors::corrupt;

pub(super) fn parse_uuid(column: &str, raw: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(raw).map_err(|e| corrupt(column, e))
}

pub(super) fn parse_time(column: &str, raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(column, e))
}

pub(super) fn parse_user(column: &str, raw: &str) -> Result<UserId, StoreError> {
    parse_uuid(column, raw).map(UserId::from_uuid)
}

#[derive(sqlx::FromRow)]
pub(super) struct ClientRow {
    client_id: String,
    client_name: String,
    redirect_uris: Json<Vec<String>>,
    token_endpoint_auth_method: String,
    secret_hash: Option<String>,
    source: String,
    created_at: String,
    expires_at: Option<String>,
}

impl TryFrom<ClientRow> for OAuthClient {
    type Error = StoreError;

    fn try_from(row: ClientRow) -> Result<Self, StoreError> {
        Ok(OAuthClient {
            source: ClientSource::parse(&row.source)
                .ok_or_else(|| corrupt("oauth_clients.source", &row.source))?,
            created_at: parse_time("oauth_clients.created_at", &row.created_at)?,
            expires_at: row
                .expires_at
                .map(|t| parse_time("oauth_clients.expires_at", &t))
                .transpose()?,
            client_id: row.client_id,
            client_name: row.client_name,
            redirect_uris: row.redirect_uris.0,
            token_endpoint_auth_method: row.token_endpoint_auth_method,
            secret_hash: row.secret_hash,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CodeRow {
    code_hash: String,
    client_id: String,
    user_id: String,
    redirect_uri: String,
    code_challenge: String,
    scopes: Json<Vec<String>>,
    resource: String,
    expires_at: String,
    family: String,
}

impl TryFrom<CodeRow> for AuthorizationCode {
    type Error = StoreError;

    fn try_from(row: CodeRow) -> Result<Self, StoreError> {
        Ok(AuthorizationCode {
            user: parse_user("oauth_codes.user_id", &row.user_id)?,
            expires_at: parse_time("oauth_codes.expires_at", &row.expires_at)?,
            family: parse_uuid("oauth_codes.family", &row.family)?,
            code_hash: row.code_hash,
            client_id: row.client_id,
            redirect_uri: row.redirect_uri,
            code_challenge: row.code_challenge,
            scopes: row.scopes.0,
            resource: row.resource,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RefreshRow {
    token_hash: String,
    family: String,
    client_id: String,
    user_id: String,
    scopes: Json<Vec<String>>,
    resource: String,
    expires_at: String,
}

impl TryFrom<RefreshRow> for RefreshToken {
    type Error = StoreError;

    fn try_from(row: RefreshRow) -> Result<Self, StoreError> {
        Ok(RefreshToken {
            family: parse_uuid("oauth_refresh_tokens.family", &row.family)?,
            user: parse_user("oauth_refresh_tokens.user_id", &row.user_id)?,
            expires_at: parse_time("oauth_refresh_tokens.expires_at", &row.expires_at)?,
            token_hash: row.token_hash,
            client_id: row.client_id,
            scopes: row.scopes.0,
            resource: row.resource,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ConsentRow {
    user_id: String,
    client_id: String,
    grant_id: Option<String>,
    projects: Option<String>,
    scopes: Json<Vec<String>>,
    granted_at: String,
    last_used_at: Option<String>,
}

impl TryFrom<ConsentRow> for Consent {
    type Error = StoreError;

    fn try_from(row: ConsentRow) -> Result<Self, StoreError> {
        Ok(Consent {
            user: parse_user("oauth_consents.user_id", &row.user_id)?,
            granted_at: parse_time("oauth_consents.granted_at", &row.granted_at)?,
            last_used_at: row
                .last_used_at
                .as_deref()
                .map(|t| parse_time("oauth_consents.last_used_at", t))
                .transpose()?,
            grant: GrantId::from_uuid(parse_uuid(
                "oauth_consents.grant_id",
                row.grant_id.as_deref().unwrap_or_default(),
            )?),
            projects: projects_from("oauth_consents.projects", row.projects.as_deref())?,
            client_id: row.client_id,
            scopes: row.scopes.0,
        })
    }
}

/// A grant's projects as stored: NULL for all, else a JSON array of ids.
pub(super) fn chosen_text(projects: &GrantProjects) -> Result<Option<String>, StoreError> {
    projects
        .chosen()
        .map(super::super::rows::json_text)
        .transpose()
}

/// A grant's projects from their stored form.
pub(in crate::sqlite) fn projects_from(
    column: &str,
    stored: Option<&str>,
) -> Result<GrantProjects, StoreError> {
    stored
        .map(|raw| {
            serde_json::from_str::<std::collections::BTreeSet<ProjectId>>(raw)
                .map_err(|e| corrupt(column, e))
        })
        .transpose()
        .map(GrantProjects::from_chosen)
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    id_hash: String,
    user_id: String,
    expires_at: String,
}

impl TryFrom<SessionRow> for BrowserSession {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        Ok(BrowserSession {
            user: parse_user("oauth_sessions.user_id", &row.user_id)?,
            expires_at: parse_time("oauth_sessions.expires_at", &row.expires_at)?,
            id_hash: row.id_hash,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct PendingRow {
    id: String,
    payload: String,
    expires_at: String,
}

impl TryFrom<PendingRow> for Pending {
    type Error = StoreError;

    fn try_from(row: PendingRow) -> Result<Self, StoreError> {
        Ok(Pending {
            payload: serde_json::from_str(&row.payload)
                .map_err(|e| corrupt("oauth_pending.payload", e))?,
            expires_at: parse_time("oauth_pending.expires_at", &row.expires_at)?,
            id: row.id,
        })
    }
}
