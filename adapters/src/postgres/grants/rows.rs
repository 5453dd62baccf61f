//! Rows of the grant tables into domain values.

use chrono::{DateTime, Utc};
use domain::grants::{AuthorizationCode, ClientSource, Consent, OAuthClient, Pending};
use domain::model::{GrantId, GrantProjects, ProjectId, UserId};
use domain::ports::StoreError;
use sqlx::types::Json;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(super) struct ClientRow {
    client_id: String,
    client_name: String,
    redirect_uris: Json<Vec<String>>,
    token_endpoint_auth_method: String,
    secret_hash: Option<String>,
    source: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
}

impl TryFrom<ClientRow> for OAuthClient {
    type Error = StoreError;

    fn try_from(row: ClientRow) -> Result<Self, StoreError> {
        let source = ClientSource::parse(&row.source).ok_or_else(|| {
            StoreError::Unexpected(format!("stored client source {:?} is unknown", row.source))
        })?;
        Ok(OAuthClient {
            client_id: row.client_id,
            client_name: row.client_name,
            redirect_uris: row.redirect_uris.0,
            token_endpoint_auth_method: row.token_endpoint_auth_method,
            secret_hash: row.secret_hash,
            source,
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CodeRow {
    code_hash: String,
    client_id: String,
    user_id: Uuid,
    redirect_uri: String,
    code_challenge: String,
    scopes: Json<Vec<String>>,
    resource: String,
    expires_at: DateTime<Utc>,
    family: Uuid,
}

impl From<CodeRow> for AuthorizationCode {
    fn from(row: CodeRow) -> Self {
        AuthorizationCode {
            code_hash: row.code_hash,
            client_id: row.client_id,
            user: UserId::from_uuid(row.user_id),
            redirect_uri: row.redirect_uri,
            code_challenge: row.code_challenge,
            scopes: row.scopes.0,
            resource: row.resource,
            expires_at: row.expires_at,
            family: row.family,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ConsentRow {
    user_id: Uuid,
    client_id: String,
    grant_id: Uuid,
    projects: Option<Vec<Uuid>>,
    scopes: Json<Vec<String>>,
    granted_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<ConsentRow> for Consent {
    fn from(row: ConsentRow) -> Self {
        Consent {
            user: UserId::from_uuid(row.user_id),
            client_id: row.client_id,
            grant: GrantId::from_uuid(row.grant_id),
            projects: projects_from(row.projects),
            scopes: row.scopes.0,
            granted_at: row.granted_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// A grant's projects as stored: `None` for all, else the chosen ids.
pub(super) fn chosen_ids(projects: &GrantProjects) -> Option<Vec<Uuid>> {
    projects
        .chosen()
        .map(|set| set.iter().map(ProjectId::as_uuid).collect())
}

/// A grant's projects from their stored form.
pub(super) fn projects_from(stored: Option<Vec<Uuid>>) -> GrantProjects {
    GrantProjects::from_chosen(
        stored.map(|ids| ids.into_iter().map(ProjectId::from_uuid).collect()),
    )
}

/// A pending request from its stored columns.
pub(super) fn pending_from(
    id: String,
    payload: &str,
    expires_at: DateTime<Utc>,
) -> Result<Pending, StoreError> {
    let payload = serde_json::from_str(payload).map_err(|e| {
        StoreError::Unexpected(format!("stored pending payload does not decode: {e}"))
    })?;
    Ok(Pending {
        id,
        payload,
        expires_at,
    })
}
