use chrono::TimeDelta;

use super::*;
use crate::usecases::grants::fixtures::{Mocks, client, now};

fn with_uris(uris: &[&str]) -> OAuthClient {
    OAuthClient {
        redirect_uris: uris.iter().map(|s| (*s).to_owned()).collect(),
        ..client()
    }
}

#[test]
fn redirect_uris_match_exactly() {
    let c = with_uris(&["https://claude.ai/api/mcp/auth_callback"]);
    assert!(redirect_uri_matches(
        &c,
        "https://claude.ai/api/mcp/auth_callback"
    ));
    assert!(!redirect_uri_matches(
        &c,
        "https://claude.ai/api/mcp/auth_callback/"
    ));
    assert!(!redirect_uri_matches(
        &c,
        "https://evil.example/api/mcp/auth_callback"
    ));
}

#[test]
fn a_loopback_redirect_uri_matches_on_any_port() {
    let c = with_uris(&["http://localhost/callback"]);
    assert!(redirect_uri_matches(&c, "http://localhost:49152/callback"));
    assert!(!redirect_uri_matches(&c, "http://localhost:49152/other"));
    assert!(
        !redirect_uri_matches(&c, "http://127.0.0.1:49152/callback"),
        "the host must match"
    );
    let https = with_uris(&["https://app.example/cb"]);
    assert!(
        !redirect_uri_matches(&https, "https://app.example:8443/cb"),
        "only loopback http varies"
    );
}

#[test]
fn redirect_uris_seen_in_the_wild_are_accepted() {
    for uri in [
        "https://claude.ai/api/mcp/auth_callback",
        "https://chatgpt.com/connector_platform_oauth_redirect",
        "http://localhost:6274/oauth/callback",
        "http://127.0.0.1:33418/callback",
        "com.example.app:/oauth2redirect",
    ] {
        assert!(check_redirect_uri(uri).is_ok(), "{uri}");
    }
}

#[test]
fn unsafe_redirect_uris_are_refused() {
    for uri in [
        "http://example.com/cb",
        "https://a.example/cb#frag",
        "javascript:alert(1)",
        "relative/cb",
        "myapp:/cb",
    ] {
        assert!(check_redirect_uri(uri).is_err(), "{uri}");
    }
}

const DOC_URL: &str = "https://app.example/client.json";

fn document() -> ClientDocument {
    ClientDocument {
        client_id: DOC_URL.into(),
        client_name: None,
        redirect_uris: vec!["https://app.example/cb".into()],
        token_endpoint_auth_method: None,
        host: "app.example".into(),
        max_age: TimeDelta::hours(1),
    }
}

fn fetching(doc: ClientDocument) -> Mocks {
    let mut mocks = Mocks::default();
    mocks.clients.expect_client().returning(|_, _| Ok(None));
    mocks
        .documents
        .expect_fetch()
        .returning(move |_| Ok(doc.clone()));
    mocks
}

#[tokio::test]
async fn a_metadata_document_client_is_fetched_and_cached_for_its_max_age() {
    let mut mocks = fetching(document());
    mocks
        .clients
        .expect_put_client()
        .withf(|c| {
            c.client_name == "app.example"
                && c.source == ClientSource::MetadataDocument
                && c.expires_at == Some(now() + TimeDelta::hours(1))
        })
        .times(1)
        .returning(|_| Ok(()));
    assert!(resolve_client(&mocks.ports(), DOC_URL).await.is_ok());
}

#[tokio::test]
async fn a_metadata_document_naming_another_client_id_is_refused() {
    let mut doc = document();
    doc.client_id = "https://other.example/client.json".into();
    let refused = resolve_client(&fetching(doc).ports(), DOC_URL).await;
    assert!(matches!(&refused, Err(GrantError::InvalidClient(m)) if m.contains("not its own URL")));
}

#[tokio::test]
async fn a_metadata_document_asking_for_a_secret_is_refused() {
    let mut doc = document();
    doc.token_endpoint_auth_method = Some("client_secret_basic".into());
    assert!(matches!(
        resolve_client(&fetching(doc).ports(), DOC_URL).await,
        Err(GrantError::InvalidClient(_))
    ));
}

#[tokio::test]
async fn an_unknown_client_id_that_is_no_url_is_refused_without_a_fetch() {
    let mut mocks = Mocks::default();
    mocks.clients.expect_client().returning(|_, _| Ok(None));
    assert!(matches!(
        resolve_client(&mocks.ports(), "pmcp-gone").await,
        Err(GrantError::InvalidClient(m)) if m.contains("register the client again")
    ));
}
