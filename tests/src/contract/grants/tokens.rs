//! Personal access tokens: found by hash until they expire, listed newest first, revoked
//! only by their owner, their last use only ever moved later, and refused when their id or
//! hash is taken or their person unknown; `purge_expired` deletes the expired ones.

use std::sync::Arc;

use domain::grants::PersonalToken;
use domain::model::{GrantId, GrantProjects, ProjectId, UserId};
use domain::ports::StoreError;
use uuid::Uuid;

use super::{Grants, at, person};
use crate::support::Store;

fn token(hash: &str, user: UserId, created_s: i64, expires_s: i64) -> PersonalToken {
    PersonalToken {
        id: GrantId::from_uuid(Uuid::now_v7()),
        user,
        name: format!("token {hash}"),
        token_hash: hash.into(),
        projects: GrantProjects::All,
        read_only: false,
        created_at: at(created_s),
        expires_at: at(expires_s),
        last_used_at: None,
    }
}

async fn a_token_is_found_by_its_hash_and_listed_until_it_expires<S: Store + Grants>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    let other = person(&*store).await;
    let older = token("h1", user, 0, 600);
    let mut newer = token("h2", user, 10, 300);
    newer.read_only = true;
    newer.projects = GrantProjects::Only(
        [1, 2]
            .map(|n| ProjectId::from_uuid(Uuid::from_u128(n)))
            .into(),
    );
    store.put_token(&older).await.unwrap();
    store.put_token(&newer).await.unwrap();
    store.put_token(&token("h3", other, 0, 600)).await.unwrap();

    assert_eq!(
        store.token_by_hash("h2", at(299)).await.unwrap(),
        Some(newer.clone())
    );
    assert_eq!(store.token_by_hash("h2", at(300)).await.unwrap(), None);
    assert_eq!(store.token_by_hash("nope", at(1)).await.unwrap(), None);
    assert_eq!(
        store.tokens_of(user, at(20)).await.unwrap(),
        vec![newer, older.clone()],
        "newest first, the other person's not"
    );
    assert_eq!(
        store.tokens_of(user, at(300)).await.unwrap(),
        vec![older],
        "the expired one is gone"
    );
}

async fn a_tokens_last_use_only_moves_later<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let t = token("h1", user, 0, 600);
    store.put_token(&t).await.unwrap();
    store.touch_token(t.id, at(50)).await.unwrap();
    store.touch_token(t.id, at(40)).await.unwrap();
    let found = store.token_by_hash("h1", at(60)).await.unwrap().unwrap();
    assert_eq!(found.last_used_at, Some(at(50)));
    store
        .touch_token(GrantId::from_uuid(Uuid::now_v7()), at(70))
        .await
        .unwrap();
}

async fn only_its_owner_revokes_a_token<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let other = person(&*store).await;
    let t = token("h1", user, 0, 600);
    store.put_token(&t).await.unwrap();
    assert!(!store.revoke_token(other, t.id).await.unwrap());
    assert!(store.token_by_hash("h1", at(1)).await.unwrap().is_some());
    assert!(store.revoke_token(user, t.id).await.unwrap());
    assert_eq!(store.token_by_hash("h1", at(1)).await.unwrap(), None);
    assert!(store.tokens_of(user, at(1)).await.unwrap().is_empty());
    assert!(!store.revoke_token(user, t.id).await.unwrap());
}

async fn a_taken_id_or_hash_or_an_unknown_person_is_refused<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let t = token("h1", user, 0, 600);
    store.put_token(&t).await.unwrap();
    let same_hash = token("h1", user, 0, 600);
    assert!(matches!(
        store.put_token(&same_hash).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let mut same_id = token("h2", user, 0, 600);
    same_id.id = t.id;
    assert!(matches!(
        store.put_token(&same_id).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let stranger = token("h3", UserId::from_uuid(Uuid::now_v7()), 0, 600);
    assert!(matches!(
        store.put_token(&stranger).await,
        Err(StoreError::Missing(_))
    ));
    assert_eq!(store.tokens_of(user, at(1)).await.unwrap(), vec![t]);
}

async fn purge_expired_deletes_expired_tokens_only<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let old = token("old", user, 0, 100);
    let live = token("live", user, 0, 900);
    store.put_token(&old).await.unwrap();
    store.put_token(&live).await.unwrap();
    assert_eq!(store.purge_expired(at(100)).await.unwrap(), 1);
    // Read as of before the expiry: only a deleted row is absent then.
    assert_eq!(store.tokens_of(user, at(0)).await.unwrap(), vec![live]);
}

contract!(
    a_token_is_found_by_its_hash_and_listed_until_it_expires,
    a_tokens_last_use_only_moves_later,
    only_its_owner_revokes_a_token,
    a_taken_id_or_hash_or_an_unknown_person_is_refused,
    purge_expired_deletes_expired_tokens_only,
);
