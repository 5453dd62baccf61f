//! The server with `identity.provider = "oidc"` against a real OpenID provider (npm
//! `oidc-provider` on loopback): the browser goes from the authorization endpoint to the
//! provider and back through `/oauth/callback`, the person is created from the identity,
//! consents, and the code becomes tokens that work on `/mcp`.

use serde_json::json;
use url::Url;

use super::flow::*;
use crate::e2e::harness::TestServer;
use crate::e2e::http_auth::post;
use crate::oidc::{CLIENT_ID, CLIENT_SECRET, Upstream};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server whose identity provider is a fresh upstream.
async fn server_with_upstream() -> (TestServer, Upstream) {
    // The provider must know our callback before we start, and we must know the provider's
    // issuer: pick our port first.
    let port = free_port();
    let upstream = Upstream::for_redirect(&format!("http://127.0.0.1:{port}/oauth/callback")).await;
    let server = TestServer::sqlite_with(|s| {
        s.server.bind = format!("127.0.0.1:{port}").parse().unwrap();
        s.identity.provider = app::config::IdentityKind::Oidc;
        s.identity.oidc = Some(app::config::OidcSettings {
            issuer: upstream.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: Some(CLIENT_SECRET.to_owned().into()),
        });
    })
    .await;
    (server, upstream)
}

/// Logs in through the upstream provider and consents; returns the exchanged token body.
async fn log_in_upstream(server: &TestServer) -> serde_json::Value {
    let client_id = register(server).await;
    let (verifier, challenge) = pkce();
    let browser = browser();
    let mut next = authorize_url(server, &client_id, &challenge, &[]).to_string();
    let mut back = None;
    for _ in 0..20 {
        let response = browser.get(&next).send().await.unwrap();
        if response.status().is_redirection() {
            let to = response.headers()["location"].to_str().unwrap().to_owned();
            let to = Url::parse(&next).unwrap().join(&to).unwrap().to_string();
            if to.starts_with(REDIRECT) {
                back = Some(Url::parse(&to).unwrap());
                break;
            }
            next = to;
            continue;
        }
        let html = response.text().await.unwrap();
        assert!(
            html.contains("action=\"/oauth/consent\""),
            "expected the consent page at {next}: {html}"
        );
        assert!(
            html.contains("alice@example.test"),
            "the upstream person is named"
        );
        let form = [
            ("request", hidden(&html, "request")),
            ("csrf", hidden(&html, "csrf")),
            ("access", "write".to_owned()),
            ("decision", "allow".to_owned()),
        ];
        let r = browser
            .post(format!("{}/oauth/consent", server.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        back = Some(Url::parse(&to).unwrap());
        break;
    }
    let back = back.expect("the flow ends at the client's redirect URI");
    let (status, body, _) = exchange(
        server,
        &client_id,
        &verifier,
        &param(&back, "code").unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_logs_in_through_the_upstream_provider_and_gets_working_tokens() {
    let (server, upstream) = server_with_upstream().await;
    let body = log_in_upstream(&server).await;
    // The person was created from the upstream identity; give them the flag and call a tool.
    let person = server
        .opened
        .storage
        .directory
        .user_by_email("alice@example.test")
        .await
        .unwrap()
        .unwrap();
    assert!(
        person
            .identity
            .is_some_and(|(issuer, _)| issuer == upstream.issuer)
    );
    server
        .opened
        .storage
        .directory
        .set_flag(person.id, "mcp", true)
        .await
        .unwrap();
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_projects", "arguments": {}}});
    let response = post(&server, body["access_token"].as_str(), &list)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_person_is_linked_by_a_verified_email() {
    let (server, upstream) = server_with_upstream().await;
    let existing = server.person("alice@example.test", true).await;
    log_in_upstream(&server).await;
    let linked = server
        .opened
        .storage
        .directory
        .user_by_identity(&upstream.issuer, "alice-0001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        linked.id, existing,
        "the same person, now linked to the upstream identity"
    );
}
