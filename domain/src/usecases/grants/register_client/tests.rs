use chrono::TimeDelta;

use super::*;
use crate::usecases::grants::fixtures::{Mocks, h, id_at, now, secret};

fn registration() -> Registration {
    Registration {
        redirect_uris: Some(vec!["https://claude.ai/api/mcp/auth_callback".into()]),
        client_name: Some("Claude".into()),
        token_endpoint_auth_method: Some("none".into()),
        ..Registration::default()
    }
}

fn stores(mocks: &mut Mocks) {
    mocks
        .clients
        .expect_put_client()
        .times(1)
        .returning(|_| Ok(()));
}

#[test]
fn client_ids_are_pmcp_and_the_ids_32_hex_digits() {
    let id = uuid::Uuid::from_u128(0xabc);
    assert_eq!(client_id_for(id), "pmcp-00000000000000000000000000000abc");
}

#[tokio::test]
async fn a_registration_gets_a_pmcp_id_and_expires_unless_used() {
    let mut mocks = Mocks::default();
    stores(&mut mocks);
    let registered = register_client(&mocks.ports(), registration())
        .await
        .unwrap();
    assert_eq!(registered.client.client_id, client_id_for(id_at(now())));
    assert_eq!(
        registered.client.expires_at,
        Some(now() + TimeDelta::days(7))
    );
    assert_eq!(registered.secret, None);
}

#[tokio::test]
async fn unknown_scopes_are_dropped_not_refused() {
    let mut mocks = Mocks::default();
    stores(&mut mocks);
    let mut asked = registration();
    asked.scope = Some("openid mcp:everything data:read".into());
    let registered = register_client(&mocks.ports(), asked).await.unwrap();
    assert_eq!(
        registered.scopes,
        vec!["openid".to_owned(), "data:read".to_owned()]
    );
}

#[tokio::test]
async fn a_confidential_client_is_stored_with_only_the_hash_of_its_secret() {
    let mut mocks = Mocks::default();
    mocks
        .clients
        .expect_put_client()
        .withf(|c| c.secret_hash == Some(h(&secret(1))))
        .times(1)
        .returning(|_| Ok(()));
    let mut asked = registration();
    asked.token_endpoint_auth_method = None;
    let registered = register_client(&mocks.ports(), asked).await.unwrap();
    assert_eq!(registered.secret, Some(secret(1)));
    assert_eq!(
        registered.client.token_endpoint_auth_method,
        "client_secret_basic"
    );
}

#[tokio::test]
async fn a_registration_with_an_unsafe_redirect_uri_is_refused() {
    let mut asked = registration();
    asked.redirect_uris = Some(vec!["http://example.com/cb".into()]);
    assert!(matches!(
        register_client(&Mocks::default().ports(), asked).await,
        Err(GrantError::InvalidRedirectUri(_))
    ));
}

#[tokio::test]
async fn a_registration_asking_for_another_grant_type_is_refused() {
    let mut asked = registration();
    asked.grant_types = Some(vec!["client_credentials".into()]);
    assert!(matches!(
        register_client(&Mocks::default().ports(), asked).await,
        Err(GrantError::InvalidClientMetadata(_))
    ));
}

#[tokio::test]
async fn an_operator_client_needs_a_redirect_uri_and_never_expires() {
    let ports = Mocks::default().ports();
    let none = add_operator_client(
        &*ports.clients,
        &*ports.clock,
        &*ports.ids,
        &*ports.secrets,
        "Ops",
        vec![],
        false,
    )
    .await;
    assert_eq!(
        none,
        Err(GrantError::InvalidRedirectUri(
            "give at least one --redirect-uri".into()
        ))
    );
    let mut mocks = Mocks::default();
    mocks
        .clients
        .expect_put_client()
        .withf(|c| c.expires_at.is_none() && c.source == ClientSource::Operator)
        .times(1)
        .returning(|_| Ok(()));
    let ports = mocks.ports();
    let added = add_operator_client(
        &*ports.clients,
        &*ports.clock,
        &*ports.ids,
        &*ports.secrets,
        "Ops",
        vec!["https://ops.example/cb".into()],
        true,
    )
    .await
    .unwrap();
    assert!(added.client.client_id.starts_with("pmcp-"));
    assert_eq!(added.secret, Some(secret(1)));
}
