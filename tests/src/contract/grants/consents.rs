//! Consents: remembered per person and client, replaced whole, listed newest first; revoking
//! one revokes that person's refresh families with that client and nothing else.

use std::sync::Arc;

use domain::grants::{Consent, Rotation};
use domain::model::{GrantId, GrantProjects, UserId};

use super::{Grants, at, issue, new_token, next, person, refresh};
use crate::support::Store;

/// The grant id of `user`'s consent for `client_id` in these scenarios: one per pair.
pub(super) fn grant_of(user: UserId, client_id: &str) -> GrantId {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(client_id, &mut hasher);
    let client = u128::from(std::hash::Hasher::finish(&hasher));
    GrantId::from_uuid(uuid::Uuid::from_u128(user.as_uuid().as_u128() ^ client))
}

fn consent(user: UserId, client_id: &str, granted_s: i64) -> Consent {
    Consent {
        last_used_at: None,
        user,
        client_id: client_id.into(),
        grant: grant_of(user, client_id),
        projects: GrantProjects::All,
        scopes: vec!["openid".into(), "data:read".into()],
        granted_at: at(granted_s),
    }
}

async fn consents_are_stored_replaced_and_listed_newest_first<S: Store + Grants>(store: Arc<S>) {
    let (user, other) = (person(&*store).await, person(&*store).await);
    for c in [
        consent(user, "b", 0),
        consent(user, "c", 1),
        consent(user, "a", 1),
        consent(other, "z", 5),
    ] {
        store.put_consent(&c).await.unwrap();
    }
    assert_eq!(
        store.consent(user, "b").await.unwrap(),
        Some(consent(user, "b", 0))
    );
    assert_eq!(store.consent(user, "z").await.unwrap(), None);
    let order = |list: Vec<Consent>| list.into_iter().map(|c| c.client_id).collect::<Vec<_>>();
    // Ties in time are in client id order.
    assert_eq!(
        order(store.consents_of(user).await.unwrap()),
        ["a", "c", "b"]
    );
    let replaced = Consent {
        last_used_at: None,
        scopes: vec!["data:write".into()],
        ..consent(user, "b", 2)
    };
    store.put_consent(&replaced).await.unwrap();
    assert_eq!(store.consent(user, "b").await.unwrap(), Some(replaced));
    assert_eq!(
        order(store.consents_of(user).await.unwrap()),
        ["b", "a", "c"]
    );
}

async fn revoke_consent_revokes_the_families_of_that_user_and_client_only<S: Store + Grants>(
    store: Arc<S>,
) {
    let (user, other) = (person(&*store).await, person(&*store).await);
    store
        .put_consent(&consent(user, "client-1", 0))
        .await
        .unwrap();
    store
        .put_consent(&consent(user, "client-2", 0))
        .await
        .unwrap();
    let revoked = [
        refresh("u1-a", user, "client-1"),
        refresh("u1-b", user, "client-1"),
    ];
    let kept = [
        refresh("u2", user, "client-2"),
        refresh("o1", other, "client-1"),
    ];
    for token in revoked.iter().chain(&kept) {
        issue(&*store, token).await;
    }
    // A rotated family: its newest token must go too.
    let newest = next(&revoked[0], "u1-a2");
    store
        .rotate_refresh("u1-a", &new_token(&newest), at(5))
        .await
        .unwrap();

    assert!(store.revoke_consent(user, "client-1").await.unwrap());
    assert_eq!(store.consent(user, "client-1").await.unwrap(), None);
    assert!(store.consent(user, "client-2").await.unwrap().is_some());
    for token in [&newest, &revoked[1]] {
        let outcome = store
            .rotate_refresh(&token.token_hash, &new_token(&next(token, "x")), at(10))
            .await
            .unwrap();
        assert_eq!(outcome, Rotation::Reused, "{}", token.token_hash);
    }
    for token in &kept {
        let successor = next(token, &format!("{}-next", token.token_hash));
        let outcome = store
            .rotate_refresh(&token.token_hash, &new_token(&successor), at(10))
            .await
            .unwrap();
        assert_eq!(outcome, Rotation::Rotated(token.clone()));
    }
    assert!(!store.revoke_consent(user, "client-1").await.unwrap());
}

async fn a_consents_last_use_only_moves_forward_and_survives_a_re_consent<S: Store + Grants>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    store.put_consent(&consent(user, "a", 0)).await.unwrap();
    store.touch_consent(user, "a", at(10)).await.unwrap();
    store.touch_consent(user, "a", at(5)).await.unwrap();
    let used = |c: Option<Consent>| c.and_then(|c| c.last_used_at);
    assert_eq!(used(store.consent(user, "a").await.unwrap()), Some(at(10)));
    // No consent, nothing recorded (and no error).
    store.touch_consent(user, "nobody", at(10)).await.unwrap();
    assert_eq!(store.consent(user, "nobody").await.unwrap(), None);
    // Approving again keeps when it was last used.
    store.put_consent(&consent(user, "a", 20)).await.unwrap();
    let again = store.consent(user, "a").await.unwrap();
    assert_eq!(again.as_ref().map(|c| c.granted_at), Some(at(20)));
    assert_eq!(used(again), Some(at(10)));
    let listed = store.consents_of(user).await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(at(10)));
}

contract!(
    a_consents_last_use_only_moves_forward_and_survives_a_re_consent,
    consents_are_stored_replaced_and_listed_newest_first,
    revoke_consent_revokes_the_families_of_that_user_and_client_only,
);
