use chrono::TimeDelta;
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::model::Role;
use crate::ports::{Applied, Preview, Previewed, Scanned};
use crate::usecases::fixtures::*;

/// Entry `n` of the collection, by `creator`, at `revision`.
fn entry(n: u128, creator: Uuid, revision: i64) -> Entry {
    Entry {
        id: EntryId::from_uuid(Uuid::from_u128(0x1000 + n)),
        revision,
        fields: json!({"title": format!("task {n}"), "count": n})
            .as_object()
            .unwrap()
            .clone(),
        ..stored_entry(creator)
    }
}

/// Mine are 0 and 1, another member's 2.
fn three() -> Vec<Entry> {
    vec![entry(0, ME, 1), entry(1, ME, 4), entry(2, OTHER, 1)]
}

fn scanned(entries: Vec<Entry>) -> Scanned {
    Scanned {
        type_def: typed_tasks(),
        entries,
    }
}

fn req(change: BulkChange, confirm: Option<&str>) -> BulkRequest {
    BulkRequest {
        project: project(),
        collection: tasks(),
        filter: json!({"count": {"$gte": 0}}),
        change,
        confirm: confirm.map(str::to_owned),
    }
}

fn set_done() -> BulkChange {
    BulkChange::Update(json!({"$set": {"done": true}}))
}

fn preview_of(outcome: BulkOutcome) -> BulkPreview {
    match outcome {
        BulkOutcome::Preview(p) => p,
        BulkOutcome::Applied(_) => panic!("applied without a confirmation"),
    }
}

/// A fixture where `scan` finds `entries` for an editor.
fn scanning(entries: Vec<Entry>) -> Fixture {
    let mut f = Fixture::new();
    f.member(Role::Editor);
    f.has_type(typed_tasks());
    let s = f.scope();
    f.bulk
        .expect_scan()
        .return_once(move |_, _, _, _| Ok(s.of(scanned(entries))));
    f
}

#[tokio::test]
async fn a_call_without_confirm_changes_nothing_and_previews_what_it_would_do() {
    let mut f = scanning(three());
    f.bulk.expect_apply().never();
    let s = f.scope();
    f.bulk
        .expect_save_preview()
        .withf(|_, p| {
            p.token_hash == "hash(secret)"
                && p.client_id == "test-client"
                && p.entries
                    == [
                        Previewed {
                            id: entry(0, ME, 1).id,
                            revision: 1,
                        },
                        Previewed {
                            id: entry(1, ME, 4).id,
                            revision: 4,
                        },
                    ]
                && p.expires_at - p.created_at == TimeDelta::minutes(5)
        })
        .return_once(move |_, _| Ok(s.of(())));
    let p = preview_of(
        update_many(&f.ports(), &principal(), req(set_done(), None))
            .await
            .unwrap(),
    );
    assert_eq!((p.matched, p.skipped), (2, 1));
    assert_eq!(p.confirm.as_ref().unwrap().0, "secret");
    assert_eq!(p.samples.len(), 2);
    assert_eq!(
        p.samples[1].change,
        SampleChange::Update {
            before: Map::new(),
            after: json!({"done": true}).as_object().unwrap().clone(),
        }
    );
    assert_eq!(p.samples[1].revision, 4);
    assert_eq!(p.samples[1].created_by, entry(1, ME, 4).created_by);
}

#[tokio::test]
async fn a_delete_preview_shows_each_entrys_fields() {
    let mut f = scanning(vec![entry(0, ME, 1)]);
    let s = f.scope();
    f.bulk
        .expect_save_preview()
        .return_once(move |_, _| Ok(s.of(())));
    let p = preview_of(
        delete_many(&f.ports(), &principal(), req(BulkChange::Delete, None))
            .await
            .unwrap(),
    );
    assert_eq!(
        p.samples[0].change,
        SampleChange::Delete {
            fields: entry(0, ME, 1).fields
        }
    );
}

#[tokio::test]
async fn nothing_changeable_is_a_preview_without_a_token() {
    let mut f = scanning(vec![entry(2, OTHER, 1)]);
    f.bulk.expect_save_preview().never();
    let p = preview_of(
        delete_many(&f.ports(), &principal(), req(BulkChange::Delete, None))
            .await
            .unwrap(),
    );
    assert_eq!((p.matched, p.skipped, p.confirm), (0, 1, None));
}

#[tokio::test]
async fn more_readable_matches_than_a_bulk_change_handles_are_refused() {
    let many = (0..=MAX_BULK as u128).map(|n| entry(n, ME, 1)).collect();
    let mut f = scanning(many);
    f.bulk.expect_save_preview().never();
    let err = update_many(&f.ports(), &principal(), req(set_done(), None))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, UseCaseError::InvalidArgument { field, reason } if field == "filter" && reason.contains("1000")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_update_that_breaks_one_entrys_schema_is_refused_naming_it() {
    let mut f = scanning(three());
    f.bulk.expect_save_preview().never();
    let change = BulkChange::Update(json!({"$set": {"count": "many"}}));
    let err = update_many(&f.ports(), &principal(), req(change, None))
        .await
        .unwrap_err();
    let id = entry(0, ME, 1).id.to_string();
    assert!(
        matches!(&err, UseCaseError::InvalidArgument { reason, .. } if reason.contains(&id)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_read_only_token_may_not_preview() {
    let f = Fixture::new();
    let err = delete_many(
        &f.ports(),
        &principal_with(&["data:read"]),
        req(BulkChange::Delete, None),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, UseCaseError::PermissionDenied(_)));
}

/// The preview a first call saved for `change`.
fn saved(change: &BulkChange, client: &str) -> Preview {
    let use_case = match change {
        BulkChange::Update(_) => UseCase::UpdateMany,
        BulkChange::Delete => UseCase::DeleteMany,
    };
    let parsed = Parsed::new(use_case, &req(change.clone(), None)).unwrap();
    Preview {
        token_hash: "hash(token)".into(),
        client_id: client.into(),
        collection: tasks(),
        digest: parsed.digest,
        entries: vec![
            Previewed {
                id: entry(0, ME, 1).id,
                revision: 1,
            },
            Previewed {
                id: entry(1, ME, 4).id,
                revision: 4,
            },
        ],
        created_at: t0(),
        expires_at: t0() + TimeDelta::hours(2),
    }
}

/// A fixture whose `find_preview` finds `preview` and whose entries are `now`.
fn confirming(preview: Option<Preview>, now: Vec<Entry>) -> Fixture {
    let mut f = Fixture::new();
    f.member(Role::Editor);
    f.has_type(typed_tasks());
    let s = f.scope();
    f.bulk
        .expect_find_preview()
        .withf(|_, hash| hash == "hash(token)")
        .return_once(move |_, _| Ok(s.of(preview)));
    let s = f.scope();
    f.bulk
        .expect_load_many()
        .returning(move |_, _, _| Ok(s.of(scanned(now.clone()))));
    f
}

fn refusal(err: UseCaseError) -> String {
    match err {
        UseCaseError::InvalidArgument { field, reason } if field == "confirm" => reason,
        other => panic!("not a refusal of confirm: {other:?}"),
    }
}

#[tokio::test]
async fn a_confirmation_applies_the_change_to_exactly_the_previewed_entries() {
    let mut f = confirming(Some(saved(&set_done(), "test-client")), three());
    let s = f.scope();
    f.bulk
        .expect_apply()
        .withf(|_, _, planned, hash| {
            hash == "hash(token)"
                && planned.len() == 2
                && planned[1].expected_revision == 4
                && planned[1].entry.revision == 5
                && planned[1].entry.fields["done"] == json!(true)
        })
        .return_once(move |_, _, _, _| Ok(s.of(Applied::Done)));
    let outcome = update_many(&f.ports(), &principal(), req(set_done(), Some("token")))
        .await
        .unwrap();
    let BulkOutcome::Applied(entries) = outcome else {
        panic!("not applied")
    };
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.fields["done"] == json!(true)));
}

#[tokio::test]
async fn a_confirmed_delete_sets_deleted_at() {
    let preview = saved(&BulkChange::Delete, "test-client");
    let mut f = confirming(Some(preview), three());
    let s = f.scope();
    f.bulk
        .expect_apply()
        .withf(|_, _, planned, _| planned.iter().all(|p| p.entry.deleted_at.is_some()))
        .return_once(move |_, _, _, _| Ok(s.of(Applied::Done)));
    delete_many(
        &f.ports(),
        &principal(),
        req(BulkChange::Delete, Some("token")),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_unknown_or_used_token_is_refused() {
    let mut f = confirming(None, three());
    f.bulk.expect_apply().never();
    let err = update_many(&f.ports(), &principal(), req(set_done(), Some("token")))
        .await
        .unwrap_err();
    assert!(refusal(err).contains("already used"));
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let mut preview = saved(&set_done(), "test-client");
    preview.expires_at = t0();
    let mut f = confirming(Some(preview), three());
    f.bulk.expect_apply().never();
    let err = update_many(&f.ports(), &principal(), req(set_done(), Some("token")))
        .await
        .unwrap_err();
    assert!(refusal(err).contains("expired"));
}

#[tokio::test]
async fn another_clients_token_is_refused() {
    let mut f = confirming(Some(saved(&set_done(), "other-client")), three());
    f.bulk.expect_apply().never();
    let err = update_many(&f.ports(), &principal(), req(set_done(), Some("token")))
        .await
        .unwrap_err();
    assert!(refusal(err).contains("another application"));
}

#[tokio::test]
async fn a_token_for_other_arguments_is_refused() {
    let mut f = confirming(Some(saved(&set_done(), "test-client")), three());
    f.bulk.expect_apply().never();
    let other = BulkChange::Update(json!({"$set": {"done": false}}));
    let err = update_many(&f.ports(), &principal(), req(other, Some("token")))
        .await
        .unwrap_err();
    assert!(refusal(err).contains("other arguments"));
}

#[tokio::test]
async fn an_update_token_does_not_confirm_a_delete() {
    let mut f = confirming(Some(saved(&set_done(), "test-client")), three());
    f.bulk.expect_apply().never();
    let err = delete_many(
        &f.ports(),
        &principal(),
        req(BulkChange::Delete, Some("token")),
    )
    .await
    .unwrap_err();
    assert!(refusal(err).contains("other arguments"));
}

#[tokio::test]
async fn entries_changed_since_the_preview_are_a_conflict_naming_them_and_nothing_is_written() {
    let moved = entry(1, ME, 5);
    let mut f = confirming(
        Some(saved(&set_done(), "test-client")),
        vec![entry(0, ME, 1), moved.clone()],
    );
    f.bulk.expect_apply().never();
    let err = update_many(&f.ports(), &principal(), req(set_done(), Some("token")))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        UseCaseError::Stale {
            entries: vec![moved.id.to_string()]
        }
    );
}

#[tokio::test]
async fn a_previewed_entry_deleted_since_is_a_conflict() {
    let mut f = confirming(
        Some(saved(&set_done(), "test-client")),
        vec![entry(1, ME, 4)],
    );
    f.bulk.expect_apply().never();
    let err = update_many(&f.ports(), &principal(), req(set_done(), Some("token")))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        UseCaseError::Stale {
            entries: vec![entry(0, ME, 1).id.to_string()]
        }
    );
}

#[tokio::test]
async fn a_token_used_by_a_racing_call_is_refused() {
    let mut f = confirming(Some(saved(&set_done(), "test-client")), three());
    let s = f.scope();
    f.bulk
        .expect_apply()
        .return_once(move |_, _, _, _| Ok(s.of(Applied::Used)));
    let err = update_many(&f.ports(), &principal(), req(set_done(), Some("token")))
        .await
        .unwrap_err();
    assert!(refusal(err).contains("already used"));
}

#[tokio::test]
async fn a_token_that_is_not_one_is_refused_before_storage() {
    let f = Fixture::new();
    let long = "x".repeat(201);
    let err = update_many(&f.ports(), &principal(), req(set_done(), Some(&long)))
        .await
        .unwrap_err();
    refusal(err);
}
