//! `admin demo`: a demo person (flag `mcp` on), a demo project with a few types and entries,
//! seeded once; every run prints a fresh token and how to connect each client.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Context;
use domain::model::{
    ADMIN_CLIENT, Principal, Project, ProjectId, SCOPE_READ, SCOPE_WRITE, TypeDef, User,
};
use domain::usecases::{CreateRequest, create_data};
use serde_json::{Value, json};

use super::common::{add_user, mint, print};
use crate::auth::middleware::MCP_FLAG;
use crate::config::Settings;
use crate::startup::Opened;

/// The demo person's email.
pub const DEMO_EMAIL: &str = "demo@example.com";

fn types(project: ProjectId) -> anyhow::Result<Vec<(TypeDef, Vec<Value>)>> {
    let tasks = TypeDef::new(
        project,
        "tasks".parse()?,
        Some("Tasks".into()),
        Some("Things to do, with a due date and priority.".into()),
        Some(json!({
            "type": "object",
            "required": ["title"],
            "properties": {
                "title": {"type": "string", "minLength": 1},
                "done": {"type": "boolean"},
                "due": {"type": "string", "format": "date"},
                "priority": {"type": "integer", "minimum": 1, "maximum": 5},
                "tags": {"type": "array", "items": {"type": "string"}}
            }
        })),
        None,
        None,
    )?;
    let contacts = TypeDef::new(
        project,
        "contacts".parse()?,
        Some("Contacts".into()),
        Some("People and companies we work with.".into()),
        None,
        None,
        None,
    )?;
    Ok(vec![
        (
            tasks,
            vec![
                json!({"title": "Send the Q3 report", "done": false, "due": "2026-12-01", "priority": 1, "tags": ["finance"]}),
                json!({"title": "Book the team offsite", "done": false, "due": "2026-12-15", "priority": 3, "tags": ["team"]}),
                json!({"title": "Renew the domain name", "done": true, "due": "2026-11-20", "priority": 2}),
            ],
        ),
        (
            contacts,
            vec![
                json!({"name": "Ada Lovelace", "company": "Analytical Engines Ltd", "email": "ada@example.com", "city": "London"}),
                json!({"name": "Grace Hopper", "company": "COBOL Inc", "email": "grace@example.com", "city": "Arlington"}),
            ],
        ),
    ])
}

async fn seed_world(opened: &Opened) -> anyhow::Result<User> {
    let directory = opened.storage.directory.as_ref();
    let ids = opened.storage.ports.ids.as_ref();
    let user = add_user(directory, ids, DEMO_EMAIL, Some("Demo Person".into())).await?;
    directory.set_flag(user.id, MCP_FLAG, true).await?;
    let project = Project {
        id: ProjectId::from_uuid(ids.new_id()),
        name: "Demo".into(),
        description: "A demo project with tasks and contacts.".into(),
    };
    directory.create_project(&project, user.id).await?;
    // The CLI acts as the demo person to create the entries through the use case, so
    // they get the same access and system fields as entries created over MCP; their
    // history names the admin CLI as the client.
    let scopes: BTreeSet<String> = [SCOPE_READ.to_owned(), SCOPE_WRITE.to_owned()].into();
    let actor = Principal::authenticated(user.id, scopes, ADMIN_CLIENT.into());
    for (type_def, entries) in types(project.id)? {
        directory.create_type(&type_def).await?;
        for data in entries {
            create_data(
                &opened.storage.ports,
                &actor,
                CreateRequest {
                    project: project.id,
                    collection: type_def.collection_name.clone(),
                    data,
                    idempotency_key: None,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("seeding {}: {e}", type_def.collection_name))?;
        }
    }
    Ok(user)
}

/// Seeds once and prints how to connect.
///
/// # Errors
/// Storage failed.
pub async fn seed(settings: &Settings, opened: &Opened) -> anyhow::Result<()> {
    let existing = opened.storage.directory.user_by_email(DEMO_EMAIL).await?;
    let (user, seeded) = match existing {
        Some(user) => (user, false),
        None => (seed_world(opened).await.context("seeding the demo")?, true),
    };
    let ttl = Duration::from_secs(24 * 3600);
    let token = mint(settings, opened, user.id, "data:read data:write", ttl).await?;
    let url = settings.resource();
    print(&json!({
        "seeded": seeded,
        "email": user.email,
        "mcp_url": url,
        "access_token": token,
        "expires_in": ttl.as_secs(),
        "connect": {
            "claude_code": format!("claude mcp add --transport http platform {url} --header \"Authorization: Bearer {token}\""),
            "claude_desktop": {"mcpServers": {"platform": {
                "command": "npx",
                "args": ["-y", "mcp-remote", url, "--header", format!("Authorization: Bearer {token}")]
            }}},
            "python": format!(
                "import anyio, httpx2\n\
                 from mcp import Client\n\
                 from mcp.client.streamable_http import streamable_http_client\n\n\
                 async def main():\n\
                 \x20   http = httpx2.AsyncClient(headers={{\"Authorization\": \"Bearer {token}\"}})\n\
                 \x20   async with http, Client(streamable_http_client(\"{url}\", http_client=http)) as c:\n\
                 \x20       print(await c.call_tool(\"list_projects\", {{}}))\n\n\
                 anyio.run(main)"
            ),
        }
    }))
}
