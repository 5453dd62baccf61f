//! Revocation bites on the next call, on every instance: two instances (each its own
//! connection pool, keys loaded from the database) over one PostgreSQL database; a token
//! obtained through the OAuth flow on A works on B until the grant is revoked on A, by each
//! of the four ways (`/oauth/revoke` with the refresh token, with the access token, the
//! connections page, `admin consent revoke`), and then B's very next call, a tool call or
//! `tools/list`, is `401 invalid_token`. Another application of the same person keeps
//! working. A re-approval through `prompt=consent` is a new grant: the old token is over,
//! the new one works. PostgreSQL only: a SQLite database belongs to one process.

use adapters::postgres::PgStore;
use app::storage::Storage;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::flow::*;
use super::scoped_world::*;
use crate::e2e::harness::TestServer;

/// Instance A over `pool`, and instance B over a pool of its own on the same database, with
/// A's public URL (identical instances behind a load balancer).
async fn two_instances(pool: PgPool) -> (TestServer, TestServer, String) {
    let options = (*pool.connect_options()).clone();
    let database = options.get_database().unwrap().to_owned();
    let a = TestServer::postgres(pool).await;
    let own = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .unwrap();
    let public = a.base.parse().unwrap();
    let b = TestServer::with_storage_and(Storage::from_postgres(PgStore::from_pool(own)), |s| {
        s.server.public_url = Some(public);
    })
    .await;
    assert_ne!(a.base, b.base);
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
    url.set_path(&database);
    (a, b, url.to_string())
}

/// An application connected on A through the OAuth flow (one project, read-write).
struct Live {
    client_id: String,
    browser: reqwest::Client,
    access: String,
    refresh: String,
}

async fn connect(a: &TestServer, w: &TwoProjects) -> Live {
    let client_id = register(a).await;
    let browser = browser();
    let (verifier, challenge) = pkce();
    let url = authorize_url(a, &client_id, &challenge, &[]);
    let html = consent_page(a, &browser, &url, &w.email).await;
    let tokens = allow_and_exchange(
        a,
        &browser,
        &html,
        &only(w.chosen, "write"),
        &client_id,
        &verifier,
    )
    .await;
    Live {
        client_id,
        browser,
        access: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh: tokens["refresh_token"].as_str().unwrap().to_owned(),
    }
}

fn tools_list() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
}

/// `token` works on `base`: a tool call and `tools/list`.
async fn works(base: &str, token: &str, w: &TwoProjects) {
    assert_eq!(listed(base, token).await, vec![w.chosen.to_string()]);
    let (status, _, body) = rpc(base, token, &tools_list()).await;
    assert_eq!(status, 200, "{body}");
}

/// `token` is refused on `base` on its very next call and the one after: a tool call (its
/// grant checked in the tool's own round trip) and `tools/list` (checked before it runs),
/// in the order `how` names first.
async fn ended(base: &str, token: &str, how: &str) {
    let answers = if how.starts_with("tools/list") {
        let list = rpc(base, token, &tools_list()).await;
        [list, tool(base, token, "list_projects", json!({})).await]
    } else {
        let call = tool(base, token, "list_projects", json!({})).await;
        [call, rpc(base, token, &tools_list()).await]
    };
    for (status, headers, body) in answers {
        assert_eq!(status, 401, "{how}: {body}");
        assert!(
            www_authenticate(&headers).contains("error=\"invalid_token\""),
            "{how}: {headers:?}"
        );
    }
}

/// Connects two applications for one person on A, checks both on B, lets `revoke` end the
/// first on A, and checks that B refuses it at once while the second still works.
async fn revoked_on_a_ends_on_b<F, Fut>(pool: PgPool, how: &str, revoke: F)
where
    F: FnOnce(TestServer, String, String, Live) -> Fut,
    Fut: std::future::Future<Output = (TestServer, Live)>,
{
    let (a, b, database_url) = two_instances(pool).await;
    let w = two_projects(&a).await;
    let live = connect(&a, &w).await;
    let bystander = connect(&a, &w).await;
    works(&b.base, &live.access, &w).await;
    works(&b.base, &bystander.access, &w).await;
    let access = live.access.clone();
    let (a, live) = revoke(a, database_url, w.email.clone(), live).await;
    ended(&b.base, &access, how).await;
    works(&b.base, &bystander.access, &w).await;
    let (status, body, _) = token(
        &a,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &live.refresh),
            ("client_id", &live.client_id),
        ],
    )
    .await;
    assert_eq!(status, 400, "{how}: the refresh token is over too: {body}");
}

/// `POST /oauth/revoke` on A with `token` (RFC 7009): 200.
async fn revoke_endpoint(a: &TestServer, client_id: &str, token: &str) {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/revoke", a.base))
        .form(&[("token", token), ("client_id", client_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn revoking_with_the_refresh_token_ends_the_access_token_on_another_instance(pool: PgPool) {
    revoked_on_a_ends_on_b(pool, "/oauth/revoke refresh", |a, _, _, live| async move {
        revoke_endpoint(&a, &live.client_id, &live.refresh).await;
        (a, live)
    })
    .await;
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn revoking_with_the_access_token_ends_it_on_another_instance(pool: PgPool) {
    revoked_on_a_ends_on_b(
        pool,
        "tools/list first, /oauth/revoke access",
        |a, _, _, live| async move {
            revoke_endpoint(&a, &live.client_id, &live.access).await;
            (a, live)
        },
    )
    .await;
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn revoking_on_the_connections_page_ends_the_token_on_another_instance(pool: PgPool) {
    revoked_on_a_ends_on_b(pool, "connections page", |a, _, _, live| async move {
        let page = live
            .browser
            .get(format!("{}/oauth/connections", a.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        let form = [
            ("csrf", hidden(&html, "csrf")),
            ("client_id", live.client_id.clone()),
        ];
        let revoked = live
            .browser
            .post(format!("{}/oauth/connections/revoke", a.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), 303);
        (a, live)
    })
    .await;
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn admin_consent_revoke_ends_the_token_on_another_instance(pool: PgPool) {
    revoked_on_a_ends_on_b(
        pool,
        "admin consent revoke",
        |a, url, email, live| async move {
            // The binary's own entry point, with its own connection from a config file.
            let dir = tempfile::tempdir().unwrap();
            let config = dir.path().join("platform-mcp.toml");
            std::fs::write(&config, format!("[database]\nurl = \"{url}\"\n")).unwrap();
            let argv = [
                "platform-mcp",
                "--config",
                config.to_str().unwrap(),
                "admin",
                "consent",
                "revoke",
                "--email",
                &email,
                "--client",
                &live.client_id,
            ];
            let cli = <app::cli::Cli as clap::Parser>::try_parse_from(argv).unwrap();
            app::cli::run(cli).await.unwrap();
            (a, live)
        },
    )
    .await;
}

#[sqlx::test(migrations = "../migrations/postgres")]
async fn a_new_approval_ends_the_old_grant_on_another_instance(pool: PgPool) {
    let (a, b, _) = two_instances(pool).await;
    let w = two_projects(&a).await;
    let live = connect(&a, &w).await;
    works(&b.base, &live.access, &w).await;
    let (verifier, challenge) = pkce();
    let url = authorize_url(&a, &live.client_id, &challenge, &[("prompt", "consent")]);
    let html = consent_page(&a, &live.browser, &url, &w.email).await;
    let tokens = allow_and_exchange(
        &a,
        &live.browser,
        &html,
        &only(w.chosen, "write"),
        &live.client_id,
        &verifier,
    )
    .await;
    let new = tokens["access_token"].as_str().unwrap();
    ended(&b.base, &live.access, "a new approval").await;
    works(&b.base, new, &w).await;
}
