//! Clients: stored and replaced whole, absent once expired, their expiry moved.

use std::sync::Arc;

use domain::grants::{ClientSource, OAuthClient};

use super::{Grants, at, client};
use crate::support::Store;

async fn a_client_round_trips_and_a_second_put_replaces_it<S: Store + Grants>(store: Arc<S>) {
    let first = client("client-1", Some(at(600)));
    store.put_client(&first).await.unwrap();
    assert_eq!(store.client("client-1", at(1)).await.unwrap(), Some(first));
    let replaced = OAuthClient {
        client_id: "client-1".into(),
        client_name: "ChatGPT".into(),
        redirect_uris: vec!["https://chatgpt.com/connector_platform_oauth_redirect".into()],
        token_endpoint_auth_method: "client_secret_post".into(),
        secret_hash: Some(
            "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8".into(),
        ),
        source: ClientSource::Operator,
        created_at: at(5),
        expires_at: None,
    };
    store.put_client(&replaced).await.unwrap();
    assert_eq!(
        store.client("client-1", at(10_000)).await.unwrap(),
        Some(replaced)
    );
    assert_eq!(store.client("client-2", at(1)).await.unwrap(), None);
}

async fn an_expired_client_is_absent<S: Store + Grants>(store: Arc<S>) {
    store
        .put_client(&client("client-1", Some(at(600))))
        .await
        .unwrap();
    assert!(store.client("client-1", at(599)).await.unwrap().is_some());
    assert_eq!(store.client("client-1", at(600)).await.unwrap(), None);
    assert_eq!(store.client("client-1", at(601)).await.unwrap(), None);
}

async fn extend_client_moves_the_expiry<S: Store + Grants>(store: Arc<S>) {
    store
        .put_client(&client("client-1", Some(at(600))))
        .await
        .unwrap();
    store
        .extend_client("client-1", Some(at(7200)))
        .await
        .unwrap();
    let extended = store.client("client-1", at(3600)).await.unwrap().unwrap();
    assert_eq!(extended.expires_at, Some(at(7200)));
    store.extend_client("client-1", None).await.unwrap();
    let kept = store
        .client("client-1", at(1_000_000))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept, client("client-1", None));
}

contract!(
    a_client_round_trips_and_a_second_put_replaces_it,
    an_expired_client_is_absent,
    extend_client_moves_the_expiry,
);
