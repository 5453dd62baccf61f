//! Refresh-token families: a rotation returns the presented token and stores the next one;
//! presenting a rotated (or revoked) token revokes the whole family, newest token included;
//! of concurrent rotations of one token exactly one succeeds; expired tokens are unknown.

use std::sync::Arc;

use domain::grants::{RefreshToken, Rotation};
use futures::future::join_all;
use uuid::Uuid;

use super::{Grants, at, issue, new_token, next, person, refresh};
use crate::support::Store;

/// True when `token` can no longer be rotated.
async fn is_dead<S: Grants>(store: &S, token: &RefreshToken, now_s: i64) -> bool {
    let probe = next(token, &format!("probe-{}", Uuid::now_v7()));
    let outcome = store
        .rotate_refresh(&token.token_hash, &new_token(&probe), at(now_s))
        .await
        .unwrap();
    matches!(outcome, Rotation::Reused | Rotation::Unknown)
}

async fn a_rotation_returns_the_presented_token_and_the_next_one_works<S: Store + Grants>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    let first = refresh("r1", user, "client-1");
    issue(&*store, &first).await;
    let second = next(&first, "r2");
    assert_eq!(
        store
            .rotate_refresh("r1", &new_token(&second), at(10))
            .await
            .unwrap(),
        Rotation::Rotated(first)
    );
    let third = next(&second, "r3");
    assert_eq!(
        store
            .rotate_refresh("r2", &new_token(&third), at(20))
            .await
            .unwrap(),
        Rotation::Rotated(second)
    );
}

async fn the_next_token_keeps_the_grant_of_the_presented_one<S: Store + Grants>(store: Arc<S>) {
    // A caller cannot know the grant before the rotation returns it: the store takes only
    // the hash and the expiry from `next`.
    let (user, other) = (person(&*store).await, person(&*store).await);
    let first = refresh("r1", user, "client-1");
    issue(&*store, &first).await;
    let mut second = refresh("r2", other, "client-2");
    second.scopes = vec!["profile".into()];
    second.resource = "https://elsewhere.example/mcp".into();
    second.expires_at = at(7200);
    store
        .rotate_refresh("r1", &new_token(&second), at(10))
        .await
        .unwrap();
    let stored = RefreshToken {
        token_hash: "r2".into(),
        expires_at: at(7200),
        ..first.clone()
    };
    assert_eq!(
        store
            .rotate_refresh("r2", &new_token(&next(&first, "r3")), at(20))
            .await
            .unwrap(),
        Rotation::Rotated(stored)
    );
    assert_eq!(
        store.family_of("r3").await.unwrap().map(|f| f.family),
        Some(first.family)
    );
}

async fn presenting_a_rotated_token_revokes_the_whole_family<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let first = refresh("r1", user, "client-1");
    issue(&*store, &first).await;
    let second = next(&first, "r2");
    store
        .rotate_refresh("r1", &new_token(&second), at(10))
        .await
        .unwrap();
    let third = next(&second, "r3");
    store
        .rotate_refresh("r2", &new_token(&third), at(20))
        .await
        .unwrap();
    let replay = next(&first, "r-replay");
    assert_eq!(
        store
            .rotate_refresh("r1", &new_token(&replay), at(30))
            .await
            .unwrap(),
        Rotation::Reused
    );
    assert_eq!(
        store.family_of("r-replay").await.unwrap().map(|f| f.family),
        None
    );
    assert!(
        is_dead(&*store, &third, 40).await,
        "the newest token still rotates"
    );
    assert!(is_dead(&*store, &second, 40).await);
}

async fn twenty_concurrent_rotations_of_one_token_rotate_it_exactly_once<S: Store + Grants>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    let first = refresh("r1", user, "client-1");
    issue(&*store, &first).await;
    let tasks = (0..20).map(|i| {
        let (store, next) = (Arc::clone(&store), next(&first, &format!("next-{i}")));
        tokio::spawn(async move { store.rotate_refresh("r1", &new_token(&next), at(10)).await })
    });
    let outcomes: Vec<Rotation> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    let rotated = outcomes
        .iter()
        .filter(|o| matches!(o, Rotation::Rotated(_)))
        .count();
    assert_eq!(rotated, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Rotation::Rotated(_) | Rotation::Reused)),
        "{outcomes:?}"
    );
    let mut stored = 0;
    for i in 0..20 {
        if store
            .family_of(&format!("next-{i}"))
            .await
            .unwrap()
            .map(|f| f.family)
            .is_some()
        {
            stored += 1;
        }
    }
    assert_eq!(stored, 1, "exactly the winner's next token is stored");
}

async fn a_replay_racing_a_rotation_still_revokes_the_newest_token<S: Store + Grants>(
    store: Arc<S>,
) {
    // Twenty families, each with a rotated token replayed while its current token rotates:
    // whichever comes first, no token of the family may rotate afterwards.
    let user = person(&*store).await;
    let mut families = Vec::new();
    for f in 0..20 {
        let first = refresh(&format!("f{f}-1"), user, "client-1");
        issue(&*store, &first).await;
        let second = next(&first, &format!("f{f}-2"));
        store
            .rotate_refresh(&first.token_hash, &new_token(&second), at(10))
            .await
            .unwrap();
        families.push((first, second));
    }
    let tasks = families.iter().flat_map(|(first, second)| {
        let replay = (
            first.token_hash.clone(),
            next(first, &format!("{}-r", first.token_hash)),
        );
        let rotate = (
            second.token_hash.clone(),
            next(second, &format!("{}-3", first.token_hash)),
        );
        [replay, rotate].map(|(presented, successor)| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .rotate_refresh(&presented, &new_token(&successor), at(20))
                    .await
                    .map(|_| ())
            })
        })
    });
    for r in join_all(tasks).await {
        r.unwrap().unwrap();
    }
    for (first, second) in &families {
        let third = next(second, &format!("{}-3", first.token_hash));
        assert!(
            is_dead(&*store, &third, 30).await,
            "{} lives",
            third.token_hash
        );
        assert!(is_dead(&*store, second, 30).await);
    }
}

async fn an_expired_refresh_token_is_unknown<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let first = refresh("r1", user, "client-1");
    issue(&*store, &first).await;
    let second = next(&first, "r2");
    assert_eq!(
        store
            .rotate_refresh("r1", &new_token(&second), at(3600))
            .await
            .unwrap(),
        Rotation::Unknown
    );
    assert_eq!(store.family_of("r2").await.unwrap().map(|f| f.family), None);
}

async fn revoke_family_revokes_every_token_of_that_family_only<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let (first, other) = (
        refresh("r1", user, "client-1"),
        refresh("o1", user, "client-1"),
    );
    issue(&*store, &first).await;
    issue(&*store, &other).await;
    let second = next(&first, "r2");
    store
        .rotate_refresh("r1", &new_token(&second), at(10))
        .await
        .unwrap();
    store.revoke_family(first.family).await.unwrap();
    assert_eq!(
        store
            .rotate_refresh("r2", &new_token(&next(&second, "r3")), at(20))
            .await
            .unwrap(),
        Rotation::Reused
    );
    assert_eq!(
        store
            .rotate_refresh("o1", &new_token(&next(&other, "o2")), at(20))
            .await
            .unwrap(),
        Rotation::Rotated(other)
    );
}

async fn family_of_finds_current_and_rotated_tokens<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let first = refresh("r1", user, "client-1");
    issue(&*store, &first).await;
    store
        .rotate_refresh("r1", &new_token(&next(&first, "r2")), at(10))
        .await
        .unwrap();
    assert_eq!(
        store.family_of("r1").await.unwrap().map(|f| f.family),
        Some(first.family)
    );
    assert_eq!(
        store.family_of("r2").await.unwrap().map(|f| f.family),
        Some(first.family)
    );
    assert_eq!(
        store.family_of("nope").await.unwrap().map(|f| f.family),
        None
    );
}

contract!(
    a_rotation_returns_the_presented_token_and_the_next_one_works,
    the_next_token_keeps_the_grant_of_the_presented_one,
    presenting_a_rotated_token_revokes_the_whole_family,
    twenty_concurrent_rotations_of_one_token_rotate_it_exactly_once,
    a_replay_racing_a_rotation_still_revokes_the_newest_token,
    an_expired_refresh_token_is_unknown,
    revoke_family_revokes_every_token_of_that_family_only,
    family_of_finds_current_and_rotated_tokens,
);
