//! Authorization codes: redeemed exactly once, even by concurrent callers; a second
//! redemption names the family to revoke; an expired or unknown code is `Unknown`.

use std::sync::Arc;

use domain::grants::{Redemption, Rotation};
use domain::ports::StoreError;
use futures::future::join_all;
use uuid::Uuid;

use super::{Grants, at, code, first, person, successor};
use crate::support::Store;

async fn a_code_is_redeemed_once_then_already_used_with_its_family<S: Store + Grants>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    let issued = code("code-1", user, at(60));
    store.put_code(&issued).await.unwrap();
    assert_eq!(
        store
            .redeem_code("code-1", &first("first-1"), at(1))
            .await
            .unwrap(),
        Redemption::Redeemed(issued.clone())
    );
    assert_eq!(
        store
            .redeem_code("code-1", &first("first-2"), at(2))
            .await
            .unwrap(),
        Redemption::AlreadyUsed {
            family: issued.family
        }
    );
    assert_eq!(
        store
            .redeem_code("code-2", &first("first-3"), at(2))
            .await
            .unwrap(),
        Redemption::Unknown
    );
}

async fn an_expired_code_is_unknown<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    store.put_code(&code("code-1", user, at(60))).await.unwrap();
    assert_eq!(
        store
            .redeem_code("code-1", &first("first-4"), at(60))
            .await
            .unwrap(),
        Redemption::Unknown
    );
    assert_eq!(
        store
            .redeem_code("code-1", &first("first-5"), at(61))
            .await
            .unwrap(),
        Redemption::Unknown
    );
}

async fn twenty_concurrent_redemptions_of_one_code_redeem_it_exactly_once<S: Store + Grants>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    let issued = code("code-1", user, at(60));
    store.put_code(&issued).await.unwrap();
    let tasks = (0..20).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.redeem_code("code-1", &first("first-6"), at(1)).await })
    });
    let outcomes: Vec<Redemption> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    let redeemed = outcomes
        .iter()
        .filter(|o| matches!(o, Redemption::Redeemed(_)))
        .count();
    assert_eq!(redeemed, 1, "{outcomes:?}");
    let family = issued.family;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Redemption::Redeemed(_))
                || *o == Redemption::AlreadyUsed { family }),
        "{outcomes:?}"
    );
}

async fn a_code_for_an_unknown_user_is_refused_as_missing<S: Store + Grants>(store: Arc<S>) {
    let stranger = domain::model::UserId::from_uuid(Uuid::now_v7());
    let err = store.put_code(&code("code-1", stranger, at(60))).await;
    assert!(matches!(err, Err(StoreError::Missing(_))), "{err:?}");
}

async fn a_second_code_with_the_same_hash_already_exists<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    store.put_code(&code("code-1", user, at(60))).await.unwrap();
    let err = store.put_code(&code("code-1", user, at(60))).await;
    assert!(matches!(err, Err(StoreError::AlreadyExists(_))), "{err:?}");
}

contract!(
    a_code_is_redeemed_once_then_already_used_with_its_family,
    an_expired_code_is_unknown,
    twenty_concurrent_redemptions_of_one_code_redeem_it_exactly_once,
    a_code_for_an_unknown_user_is_refused_as_missing,
    a_second_code_with_the_same_hash_already_exists,
    a_redemption_stores_the_first_token_with_the_codes_grant,
    an_unknown_or_used_code_stores_no_token,
    a_replay_racing_the_exchange_always_revokes_the_first_token,
);

async fn a_redemption_stores_the_first_token_with_the_codes_grant<S: Store + Grants>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    let issued = code("code-1", user, at(60));
    store.put_code(&issued).await.unwrap();
    store
        .redeem_code("code-1", &first("first"), at(1))
        .await
        .unwrap();
    assert_eq!(
        store.family_of("first").await.unwrap().map(|f| f.family),
        Some(issued.family)
    );
    let rotated = store
        .rotate_refresh("first", &successor(&first("first"), "second"), at(2))
        .await
        .unwrap();
    let Rotation::Rotated(presented) = rotated else {
        panic!("{rotated:?}")
    };
    assert_eq!(
        (
            presented.user,
            presented.client_id.as_str(),
            presented.scopes.clone(),
            presented.resource.as_str()
        ),
        (
            user,
            issued.client_id.as_str(),
            issued.scopes.clone(),
            issued.resource.as_str()
        )
    );
}

async fn an_unknown_or_used_code_stores_no_token<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    store.put_code(&code("code-1", user, at(60))).await.unwrap();
    store
        .redeem_code("code-1", &first("first"), at(1))
        .await
        .unwrap();
    store
        .redeem_code("code-1", &first("again"), at(2))
        .await
        .unwrap();
    store
        .redeem_code("nope", &first("nope"), at(2))
        .await
        .unwrap();
    assert_eq!(
        store.family_of("again").await.unwrap().map(|f| f.family),
        None
    );
    assert_eq!(
        store.family_of("nope").await.unwrap().map(|f| f.family),
        None
    );
}

/// A replay racing the legitimate exchange: whichever order they land in, the replay's
/// revocation ends the token the first redemption stored.
async fn a_replay_racing_the_exchange_always_revokes_the_first_token<S: Store + Grants>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    for round in 0..10 {
        let hash = format!("code-{round}");
        let issued = code(&hash, user, at(60));
        store.put_code(&issued).await.unwrap();
        let tasks = (0..2).map(|i| {
            let store = Arc::clone(&store);
            let hash = hash.clone();
            tokio::spawn(async move {
                let token = format!("{hash}-first-{i}");
                match store
                    .redeem_code(&hash, &first(&token), at(1))
                    .await
                    .unwrap()
                {
                    Redemption::AlreadyUsed { family } => {
                        store.revoke_family(family).await.unwrap();
                        None
                    }
                    Redemption::Redeemed(_) => Some(token),
                    Redemption::Unknown => panic!("the code exists"),
                }
            })
        });
        let winners: Vec<String> = join_all(tasks)
            .await
            .into_iter()
            .filter_map(|r| r.unwrap())
            .collect();
        assert_eq!(winners.len(), 1);
        let outcome = store
            .rotate_refresh(
                &winners[0],
                &successor(&first(&winners[0]), &format!("{hash}-next")),
                at(2),
            )
            .await
            .unwrap();
        assert!(
            !matches!(outcome, Rotation::Rotated(_)),
            "round {round}: the first token survived the replay"
        );
    }
}
