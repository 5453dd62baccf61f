//! `EntryStore::swap`, the compare-and-swap every write goes through: `Done` stores the new
//! state exactly, `Moved` when another write came first, `Gone` when the row is not visible to the member (another project included); only `Done` changes anything.

use std::sync::Arc;

use chrono::TimeDelta;
use domain::model::{Action, Entry};
use domain::ports::Swap;
use serde_json::json;

use crate::support::{Found, NOTES, Store, TASKS, Who, World, coll, record};

/// `e` as the next revision: new fields, `updatedAt` one second later.
fn next(e: &Entry) -> Entry {
    let mut n = e.clone();
    n.fields.insert("swapped".into(), json!(true));
    n.updated_at = e.updated_at + TimeDelta::seconds(1);
    n.revision = e.revision + 1;
    n
}

async fn read<S: Store>(w: &World<S>, who: Who, e: &Entry) -> Option<Entry> {
    let member = w.caller(who, e.tenant_id);
    w.store
        .get(member, &e.collection, e.id)
        .await
        .unwrap()
        .found()
}

async fn a_swap_at_the_expected_revision_stores_the_new_state_exactly<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let mut n = next(&e);
    n.fields.remove("n");
    n.revision = 40;
    let member = w.caller(Who::Carol, w.a);
    assert_eq!(
        w.store
            .swap(member, &n, 1, &record(member, &n, Action::Update))
            .await
            .unwrap()
            .found(),
        Swap::Done
    );
    assert_eq!(read(&w, Who::Alice, &e).await, Some(n));
}

async fn a_swap_at_a_stale_revision_is_moved_and_changes_nothing<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let member = w.caller(Who::Carol, w.a);
    let first = next(&e);
    assert_eq!(
        w.store
            .swap(member, &first, 1, &record(member, &first, Action::Update))
            .await
            .unwrap()
            .found(),
        Swap::Done
    );
    let mut late = next(&e);
    late.fields.insert("late".into(), json!(true));
    assert_eq!(
        w.store
            .swap(member, &late, 1, &record(member, &late, Action::Update))
            .await
            .unwrap()
            .found(),
        Swap::Moved
    );
    assert_eq!(read(&w, Who::Alice, &e).await, Some(first));
}

async fn a_deleted_entry_is_swapped_at_its_revision_only<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    let d = w.delete(Who::Carol, w.a, TASKS, e.id, None).await.unwrap();
    let member = w.caller(Who::Alice, w.a);
    let mut revive = next(&d);
    revive.deleted_at = None;
    // A swap from the revision before the delete does not see the deleted state.
    assert_eq!(
        w.store
            .swap(
                member,
                &revive,
                e.revision,
                &record(member, &revive, Action::Restore)
            )
            .await
            .unwrap()
            .found(),
        Swap::Moved
    );
    assert_eq!(read(&w, Who::Alice, &e).await, None);
    // At the deleted revision it lands: an undelete.
    assert_eq!(
        w.store
            .swap(
                member,
                &revive,
                d.revision,
                &record(member, &revive, Action::Restore)
            )
            .await
            .unwrap()
            .found(),
        Swap::Done
    );
    assert_eq!(read(&w, Who::Alice, &e).await, Some(revive));
}

async fn a_swap_by_a_member_who_cannot_read_the_entry_is_gone_and_changes_nothing<S: Store>(
    store: Arc<S>,
) {
    let w = World::new(store).await;
    let e = w
        .create(Who::Carol, w.a, NOTES, json!({"secret": 1}))
        .await
        .unwrap();
    let dave = w.caller(Who::Dave, w.a);
    assert_eq!(
        w.store
            .swap(dave, &next(&e), 1, &record(dave, &next(&e), Action::Update))
            .await
            .unwrap()
            .found(),
        Swap::Gone
    );
    let stale = w
        .store
        .swap(dave, &next(&e), 7, &record(dave, &next(&e), Action::Update))
        .await
        .unwrap()
        .found();
    assert_eq!(
        stale,
        Swap::Gone,
        "a stale swap must not reveal that the row exists"
    );
    assert_eq!(read(&w, Who::Carol, &e).await, Some(e.clone()));
    let hidden = w.store.get(dave, &coll(NOTES), e.id).await.unwrap().found();
    assert_eq!(hidden, None);
}

async fn a_swap_through_another_project_is_gone_and_changes_nothing<S: Store>(store: Arc<S>) {
    let w = World::new(store).await;
    let in_b = w
        .create(Who::Eve, w.b, TASKS, json!({"n": 1}))
        .await
        .unwrap();
    // Carol is a member of both projects; Bob administers A only.
    for who in [Who::Carol, Who::Bob] {
        let member = w.caller(who, w.a);
        let swapped = w
            .store
            .swap(
                member,
                &next(&in_b),
                1,
                &record(member, &next(&in_b), Action::Update),
            )
            .await
            .unwrap()
            .found();
        assert_eq!(swapped, Swap::Gone, "{who:?}");
    }
    assert_eq!(read(&w, Who::Eve, &in_b).await, Some(in_b));
}

contract!(
    a_swap_at_the_expected_revision_stores_the_new_state_exactly,
    a_swap_at_a_stale_revision_is_moved_and_changes_nothing,
    a_deleted_entry_is_swapped_at_its_revision_only,
    a_swap_by_a_member_who_cannot_read_the_entry_is_gone_and_changes_nothing,
    a_swap_through_another_project_is_gone_and_changes_nothing,
);
