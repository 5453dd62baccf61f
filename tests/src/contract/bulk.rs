//! Bulk changes (`update_many`, `delete_many`) through the use cases: a call without
//! `confirm` changes nothing and previews exactly what the confirmation will change; the
//! confirmation changes exactly the previewed entries, each by one revision, or nothing; each
//! refusal of a confirm token (used, another person's, another client's, other arguments,
//! expired, entries changed since) writes nothing.

pub(crate) mod support;

use std::sync::Arc;

use chrono::TimeDelta;
use domain::UseCaseError;
use domain::model::{Entry, Principal};
use domain::ports::{Applied, Planned, Scoped};
use domain::usecases::BulkChange;
use serde_json::json;

use self::support::{
    Later, all, applied, preview, refusal, request, run, seeded, set_done, token, with_confirm,
};
use crate::support::{NOTES, Store, TASKS, Who, World, coll};

async fn a_preview_changes_nothing_and_its_confirmation_changes_exactly_the_previewed<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let (carol, bob) = seeded(&w).await;
    let before = all(&w, Who::Alice, TASKS).await;
    // Carol (editor) may change her own tasks, not bob's.
    let req = request(w.a, TASKS, json!({"n": {"$gte": 0}}), set_done());
    let p = preview(
        run(&w.ports, &w.principal(Who::Carol), req.clone())
            .await
            .unwrap(),
    );
    assert_eq!((p.matched, p.skipped), (3, 1));
    assert_eq!(p.samples.len(), 3);
    assert_eq!(
        all(&w, Who::Alice, TASKS).await,
        before,
        "a preview writes nothing"
    );
    let t = token(&p);
    let changed = applied(
        run(&w.ports, &w.principal(Who::Carol), with_confirm(req, &t))
            .await
            .unwrap(),
    );
    assert_eq!(changed.len(), 3);
    for e in &carol {
        let now = w.get(Who::Dave, w.a, TASKS, e.id).await.unwrap();
        assert_eq!(now.revision, e.revision + 1);
        assert_eq!(now.fields["done"], json!(true));
        assert_eq!(now.fields["n"], json!(e.fields["n"].as_i64().unwrap() + 10));
        assert!(now.updated_at > e.updated_at);
        assert!(changed.contains(&now), "the answer is what was stored");
    }
    assert_eq!(w.get(Who::Dave, w.a, TASKS, bob.id).await.unwrap(), bob);
}

async fn entries_the_caller_cannot_read_are_neither_matched_nor_skipped<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    seeded(&w).await;
    let req = request(w.a, NOTES, json!({}), BulkChange::Delete);
    let p = preview(run(&w.ports, &w.principal(Who::Carol), req).await.unwrap());
    assert_eq!((p.matched, p.skipped, p.confirm), (0, 0, None));
}

async fn a_confirmed_delete_hides_exactly_the_previewed_entries<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let (carol, bob) = seeded(&w).await;
    let req = request(w.a, TASKS, json!({"n": {"$lte": 1}}), BulkChange::Delete);
    let p = preview(
        run(&w.ports, &w.principal(Who::Carol), req.clone())
            .await
            .unwrap(),
    );
    assert_eq!((p.matched, p.skipped), (2, 0));
    let deleted = applied(
        run(
            &w.ports,
            &w.principal(Who::Carol),
            with_confirm(req, &token(&p)),
        )
        .await
        .unwrap(),
    );
    assert!(
        deleted
            .iter()
            .all(|e| e.deleted_at.is_some() && e.revision == 2)
    );
    let left: Vec<_> = all(&w, Who::Alice, TASKS)
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut expected = vec![carol[2].id, bob.id];
    expected.sort();
    assert_eq!(left, expected);
}

async fn a_token_works_once<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    seeded(&w).await;
    let req = request(w.a, TASKS, json!({"n": 0}), set_done());
    let carol = w.principal(Who::Carol);
    let t = token(&preview(run(&w.ports, &carol, req.clone()).await.unwrap()));
    run(&w.ports, &carol, with_confirm(req.clone(), &t))
        .await
        .unwrap();
    let after = all(&w, Who::Alice, TASKS).await;
    assert!(refusal(run(&w.ports, &carol, with_confirm(req, &t)).await).contains("already used"));
    assert_eq!(all(&w, Who::Alice, TASKS).await, after);
}

async fn another_persons_token_is_refused_and_stays_theirs<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    seeded(&w).await;
    let req = request(w.a, TASKS, json!({}), BulkChange::Delete);
    let t = token(&preview(
        run(&w.ports, &w.principal(Who::Alice), req.clone())
            .await
            .unwrap(),
    ));
    let before = all(&w, Who::Alice, TASKS).await;
    refusal(
        run(
            &w.ports,
            &w.principal(Who::Bob),
            with_confirm(req.clone(), &t),
        )
        .await,
    );
    assert_eq!(all(&w, Who::Alice, TASKS).await, before);
    let deleted = applied(
        run(&w.ports, &w.principal(Who::Alice), with_confirm(req, &t))
            .await
            .unwrap(),
    );
    assert_eq!(deleted.len(), 4);
}

async fn another_clients_token_is_refused<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    seeded(&w).await;
    let req = request(w.a, TASKS, json!({}), set_done());
    let t = token(&preview(
        run(&w.ports, &w.principal(Who::Alice), req.clone())
            .await
            .unwrap(),
    ));
    let p = w.principal(Who::Alice);
    let other = Principal::authenticated(p.user(), p.scopes().clone(), "another-client".into());
    let before = all(&w, Who::Alice, TASKS).await;
    assert!(
        refusal(run(&w.ports, &other, with_confirm(req, &t)).await).contains("another application")
    );
    assert_eq!(all(&w, Who::Alice, TASKS).await, before);
}

async fn a_token_for_other_arguments_is_refused<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    seeded(&w).await;
    let alice = w.principal(Who::Alice);
    let req = request(w.a, TASKS, json!({"n": 0}), set_done());
    let t = token(&preview(run(&w.ports, &alice, req.clone()).await.unwrap()));
    let before = all(&w, Who::Alice, TASKS).await;
    let wider = request(w.a, TASKS, json!({}), set_done());
    assert!(
        refusal(run(&w.ports, &alice, with_confirm(wider, &t)).await).contains("other arguments")
    );
    let other_change = request(w.a, TASKS, json!({"n": 0}), BulkChange::Delete);
    assert!(
        refusal(run(&w.ports, &alice, with_confirm(other_change, &t)).await)
            .contains("other arguments")
    );
    assert_eq!(all(&w, Who::Alice, TASKS).await, before);
    applied(run(&w.ports, &alice, with_confirm(req, &t)).await.unwrap());
}

async fn an_expired_token_is_refused<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    seeded(&w).await;
    let alice = w.principal(Who::Alice);
    let req = request(w.a, TASKS, json!({}), set_done());
    let t = token(&preview(run(&w.ports, &alice, req.clone()).await.unwrap()));
    let mut later = w.ports.clone();
    later.clock = Arc::new(Later(TimeDelta::minutes(5) + TimeDelta::seconds(1)));
    let before = all(&w, Who::Alice, TASKS).await;
    assert!(refusal(run(&later, &alice, with_confirm(req, &t)).await).contains("expired"));
    assert_eq!(all(&w, Who::Alice, TASKS).await, before);
}

async fn entries_changed_since_the_preview_are_a_conflict_and_nothing_is_written<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let (carol, _) = seeded(&w).await;
    let req = request(w.a, TASKS, json!({}), set_done());
    let alice = w.principal(Who::Alice);
    let t = token(&preview(run(&w.ports, &alice, req.clone()).await.unwrap()));
    let moved = w
        .update(
            Who::Carol,
            w.a,
            TASKS,
            carol[1].id,
            json!({"$set": {"x": 1}}),
            None,
        )
        .await
        .unwrap();
    let before = all(&w, Who::Alice, TASKS).await;
    let err = run(&w.ports, &alice, with_confirm(req.clone(), &t))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        UseCaseError::Stale {
            entries: vec![moved.id.to_string()]
        }
    );
    assert_eq!(all(&w, Who::Alice, TASKS).await, before, "nothing written");
    // A new preview sees the change and can be confirmed.
    let t = token(&preview(run(&w.ports, &alice, req.clone()).await.unwrap()));
    assert_eq!(
        applied(run(&w.ports, &alice, with_confirm(req, &t)).await.unwrap()).len(),
        4
    );
}

async fn storage_writes_all_planned_entries_or_none<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let (carol, _) = seeded(&w).await;
    let alice = w.principal(Who::Alice);
    let req = request(w.a, TASKS, json!({"n": {"$lte": 1}}), set_done());
    let p = preview(run(&w.ports, &alice, req).await.unwrap());
    let hash = app::oauth::crypto::hash(&token(&p));
    let alice_in_a = w.caller(Who::Alice, w.a);
    let plan = |e: &Entry, expected: i64| {
        let entry = Entry {
            revision: e.revision + 1,
            fields: json!({"n": 99}).as_object().unwrap().clone(),
            ..e.clone()
        };
        Planned {
            history: crate::support::record(alice_in_a, &entry, domain::model::Action::Update),
            entry,
            expected_revision: expected,
        }
    };
    let before = all(&w, Who::Alice, TASKS).await;
    // The second entry is planned from a revision it is not at: nothing is written.
    let stale = [plan(&carol[0], 1), plan(&carol[1], 7)];
    let caller = w.caller(Who::Alice, w.a);
    let answer = w
        .store
        .apply(caller, &coll(TASKS), &stale, &hash)
        .await
        .unwrap();
    assert!(
        matches!(answer, Scoped::Found(_, Applied::Stale)),
        "{answer:?}"
    );
    assert_eq!(all(&w, Who::Alice, TASKS).await, before);
    // The preview was kept: the right plan goes through, once.
    let right = [plan(&carol[0], 1), plan(&carol[1], 1)];
    let answer = w
        .store
        .apply(caller, &coll(TASKS), &right, &hash)
        .await
        .unwrap();
    assert!(
        matches!(answer, Scoped::Found(_, Applied::Done)),
        "{answer:?}"
    );
    let again = w
        .store
        .apply(caller, &coll(TASKS), &right, &hash)
        .await
        .unwrap();
    assert!(
        matches!(again, Scoped::Found(_, Applied::Used)),
        "{again:?}"
    );
    assert_eq!(
        w.get(Who::Dave, w.a, TASKS, carol[1].id)
            .await
            .unwrap()
            .fields["n"],
        json!(99)
    );
}

async fn two_confirmations_racing_with_one_token_change_the_entries_once<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    seeded(&w).await;
    let alice = w.principal(Who::Alice);
    let req = request(w.a, TASKS, json!({}), set_done());
    let t = token(&preview(run(&w.ports, &alice, req.clone()).await.unwrap()));
    let confirmed = with_confirm(req, &t);
    let (a, b) = tokio::join!(
        run(&w.ports, &alice, confirmed.clone()),
        run(&w.ports, &alice, confirmed.clone())
    );
    assert_eq!(
        [&a, &b].iter().filter(|r| r.is_ok()).count(),
        1,
        "{a:?} {b:?}"
    );
    assert!(
        all(&w, Who::Alice, TASKS)
            .await
            .iter()
            .all(|e| e.revision == 2)
    );
}

contract!(
    a_preview_changes_nothing_and_its_confirmation_changes_exactly_the_previewed,
    entries_the_caller_cannot_read_are_neither_matched_nor_skipped,
    a_confirmed_delete_hides_exactly_the_previewed_entries,
    a_token_works_once,
    another_persons_token_is_refused_and_stays_theirs,
    another_clients_token_is_refused,
    a_token_for_other_arguments_is_refused,
    an_expired_token_is_refused,
    entries_changed_since_the_preview_are_a_conflict_and_nothing_is_written,
    storage_writes_all_planned_entries_or_none,
    two_confirmations_racing_with_one_token_change_the_entries_once,
);
