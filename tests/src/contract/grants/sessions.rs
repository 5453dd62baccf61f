//! Browser sessions and pending requests (absent once expired; a pending request is taken
//! exactly once), and `purge_expired`, which deletes only what expired.

use std::sync::Arc;

use domain::grants::{BrowserSession, Pending, Redemption, Rotation};
use futures::future::join_all;
use serde_json::json;

use super::{Grants, at, client, code, issue, new_token, next, person, refresh};
use crate::support::Store;

fn pending(id: &str, expires_s: i64) -> Pending {
    Pending {
        id: id.into(),
        payload: json!({
            "client_id": "client-1",
            "state": "xyz\u{0}",
            "scopes": ["openid", "data:read"],
            "n": 1.5,
        }),
        expires_at: at(expires_s),
    }
}

async fn a_session_is_found_until_it_expires_or_is_deleted<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    let session = BrowserSession {
        id_hash: "s1".into(),
        user,
        expires_at: at(600),
    };
    store.put_session(&session).await.unwrap();
    assert_eq!(store.session("s1", at(599)).await.unwrap(), Some(session));
    assert_eq!(store.session("s1", at(600)).await.unwrap(), None);
    store.delete_session("s1").await.unwrap();
    assert_eq!(store.session("s1", at(1)).await.unwrap(), None);
}

async fn a_pending_request_is_read_until_taken_once<S: Store + Grants>(store: Arc<S>) {
    let p = pending("p1", 600);
    store.put_pending(&p).await.unwrap();
    assert_eq!(store.pending("p1", at(1)).await.unwrap(), Some(p.clone()));
    assert_eq!(store.pending("p1", at(2)).await.unwrap(), Some(p.clone()));
    assert_eq!(store.pending("p1", at(600)).await.unwrap(), None);
    assert_eq!(store.take_pending("p1", at(3)).await.unwrap(), Some(p));
    assert_eq!(store.take_pending("p1", at(4)).await.unwrap(), None);
    assert_eq!(store.pending("p1", at(4)).await.unwrap(), None);
}

async fn an_expired_pending_request_cannot_be_taken<S: Store + Grants>(store: Arc<S>) {
    store.put_pending(&pending("p1", 600)).await.unwrap();
    assert_eq!(store.take_pending("p1", at(600)).await.unwrap(), None);
}

async fn of_twenty_concurrent_takes_of_a_pending_request_one_gets_it<S: Store + Grants>(
    store: Arc<S>,
) {
    store.put_pending(&pending("p1", 600)).await.unwrap();
    let tasks = (0..20).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.take_pending("p1", at(1)).await })
    });
    let taken = join_all(tasks)
        .await
        .into_iter()
        .filter(|r| r.as_ref().unwrap().as_ref().unwrap().is_some())
        .count();
    assert_eq!(taken, 1);
}

async fn purge_expired_removes_only_expired_records<S: Store + Grants>(store: Arc<S>) {
    let user = person(&*store).await;
    store
        .put_client(&client("old", Some(at(100))))
        .await
        .unwrap();
    store
        .put_client(&client("live", Some(at(900))))
        .await
        .unwrap();
    store.put_client(&client("kept", None)).await.unwrap();
    store.put_code(&code("old", user, at(100))).await.unwrap();
    let live_code = code("live", user, at(900));
    store.put_code(&live_code).await.unwrap();
    let mut old_token = refresh("old", user, "client-1");
    old_token.expires_at = at(100);
    let live_token = refresh("live", user, "client-1");
    issue(&*store, &old_token).await;
    issue(&*store, &live_token).await;
    for (id_hash, expires_s) in [("old", 100), ("live", 900)] {
        let session = BrowserSession {
            id_hash: id_hash.into(),
            user,
            expires_at: at(expires_s),
        };
        store.put_session(&session).await.unwrap();
    }
    store.put_pending(&pending("old", 100)).await.unwrap();
    store.put_pending(&pending("live", 900)).await.unwrap();

    assert_eq!(store.purge_expired(at(100)).await.unwrap(), 5);
    assert_eq!(store.purge_expired(at(100)).await.unwrap(), 0);

    assert_eq!(
        store.family_of("old").await.unwrap().map(|f| f.family),
        None
    );
    for id in ["live", "kept"] {
        assert!(store.client(id, at(101)).await.unwrap().is_some(), "{id}");
    }
    assert_eq!(
        store
            .redeem_code("live", &super::first("live-first"), at(101))
            .await
            .unwrap(),
        Redemption::Redeemed(live_code)
    );
    assert_eq!(
        store
            .rotate_refresh("live", &new_token(&next(&live_token, "live-2")), at(101))
            .await
            .unwrap(),
        Rotation::Rotated(live_token)
    );
    assert!(store.session("live", at(101)).await.unwrap().is_some());
    assert!(store.pending("live", at(101)).await.unwrap().is_some());
}

contract!(
    a_session_is_found_until_it_expires_or_is_deleted,
    a_pending_request_is_read_until_taken_once,
    an_expired_pending_request_cannot_be_taken,
    of_twenty_concurrent_takes_of_a_pending_request_one_gets_it,
    purge_expired_removes_only_expired_records,
);
