//! Authorization codes: redeemed exactly once, even by concurrent callers; a second
//! redemption names the family to revoke; an expired or unknown code is `Unknown`.

use std::sync::Arc;

use domain::grants::{GrantStore, Redemption};
use domain::ports::StoreError;
use futures::future::join_all;
use uuid::Uuid;

use super::{at, code, person};
use crate::support::Store;

async fn a_code_is_redeemed_once_then_already_used_with_its_family<S: Store + GrantStore>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    let issued = code("code-1", user, at(60));
    store.put_code(&issued).await.unwrap();
    assert_eq!(
        store.redeem_code("code-1", at(1)).await.unwrap(),
        Redemption::Redeemed(issued.clone())
    );
    assert_eq!(
        store.redeem_code("code-1", at(2)).await.unwrap(),
        Redemption::AlreadyUsed {
            family: issued.family
        }
    );
    assert_eq!(
        store.redeem_code("code-2", at(2)).await.unwrap(),
        Redemption::Unknown
    );
}

async fn an_expired_code_is_unknown<S: Store + GrantStore>(store: Arc<S>) {
    let user = person(&*store).await;
    store.put_code(&code("code-1", user, at(60))).await.unwrap();
    assert_eq!(
        store.redeem_code("code-1", at(60)).await.unwrap(),
        Redemption::Unknown
    );
    assert_eq!(
        store.redeem_code("code-1", at(61)).await.unwrap(),
        Redemption::Unknown
    );
}

async fn twenty_concurrent_redemptions_of_one_code_redeem_it_exactly_once<S: Store + GrantStore>(
    store: Arc<S>,
) {
    let user = person(&*store).await;
    let issued = code("code-1", user, at(60));
    store.put_code(&issued).await.unwrap();
    let tasks = (0..20).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.redeem_code("code-1", at(1)).await })
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

async fn a_code_for_an_unknown_user_is_refused_as_missing<S: Store + GrantStore>(store: Arc<S>) {
    let stranger = domain::model::UserId::from_uuid(Uuid::now_v7());
    let err = store.put_code(&code("code-1", stranger, at(60))).await;
    assert!(matches!(err, Err(StoreError::Missing(_))), "{err:?}");
}

async fn a_second_code_with_the_same_hash_already_exists<S: Store + GrantStore>(store: Arc<S>) {
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
);
