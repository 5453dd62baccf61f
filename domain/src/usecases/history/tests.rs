use serde_json::json;

use super::*;
use crate::UseCaseError;
use crate::error::Resource;
use crate::model::{Action, HistoryRecord, Origin, Role, UserId};
use crate::ports::Swap;
use crate::usecases::Limit;
use crate::usecases::fixtures::*;

fn history_req(cursor: Option<String>) -> HistoryRequest {
    HistoryRequest {
        project: project(),
        collection: tasks(),
        id: entry_id(),
        cursor,
        limit: Limit::parse(Some(1)).unwrap(),
    }
}

fn record(revision: i64) -> HistoryRecord {
    let mut e = stored_entry(ME);
    e.revision = revision;
    let origin = Origin {
        user: UserId::from_uuid(ME),
        client: "c".into(),
        tool: "update_data",
    };
    HistoryRecord::of(&e, &origin, Action::Update, json!({}))
}

#[tokio::test]
async fn the_history_of_an_unreadable_entry_is_not_found() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.history
        .expect_history()
        .return_once(move |_, _, _, _, _| Ok(s.of(None)));
    let err = get_history(&f.ports(), &principal(), history_req(None))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        UseCaseError::NotFound {
            resource: Resource::Entry,
            ..
        }
    ));
}

#[tokio::test]
async fn a_history_page_asks_for_one_more_and_its_cursor_continues_below_the_last_revision() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.history
        .expect_history()
        .withf(|_, _, _, before, limit| before.is_none() && *limit == 2)
        .return_once(move |_, _, _, _, _| Ok(s.of(Some(vec![record(3), record(2)]))));
    let s = f.scope();
    f.history
        .expect_history()
        .withf(|_, _, _, before, _| *before == Some(3))
        .return_once(move |_, _, _, _, _| Ok(s.of(Some(vec![record(2)]))));
    let ports = f.ports();
    let first = get_history(&ports, &principal(), history_req(None))
        .await
        .unwrap();
    assert_eq!(first.records.len(), 1);
    let next = get_history(&ports, &principal(), history_req(first.next_cursor))
        .await
        .unwrap();
    assert_eq!(next.records[0].revision, 2);
    assert_eq!(next.next_cursor, None);
}

#[tokio::test]
async fn a_forged_history_cursor_is_refused_before_storage() {
    let f = Fixture::new();
    let err = get_history(&f.ports(), &principal(), history_req(Some("x".into())))
        .await
        .unwrap_err();
    assert!(matches!(err, UseCaseError::InvalidArgument { field, .. } if field == "cursor"));
}

fn restore_req(revision: Option<i64>) -> RestoreRequest {
    RestoreRequest {
        project: project(),
        collection: tasks(),
        id: entry_id(),
        revision,
        expected_revision: None,
    }
}

#[tokio::test]
async fn an_undelete_swaps_the_deleted_entry_live_with_a_restore_record() {
    let mut f = Fixture::new();
    f.member(Role::Editor);
    f.has_type(tasks_type());
    let s = f.scope();
    let mut deleted = stored_entry(ME);
    deleted.deleted_at = Some(deleted.updated_at);
    f.history
        .expect_load_any()
        .return_once(move |_, _, _| Ok(s.loaded(Some(deleted))));
    let s = f.scope();
    f.entries
        .expect_swap()
        .withf(|_, e, expected, h| {
            *expected == 1
                && e.revision == 2
                && e.deleted_at.is_none()
                && h.action == Action::Restore
                && h.change["toRevision"].is_null()
        })
        .return_once(move |_, _, _, _| Ok(s.of(Swap::Done)));
    let e = restore_data(&f.ports(), &principal(), restore_req(None))
        .await
        .unwrap();
    assert_eq!(e.revision, 2);
}

#[tokio::test]
async fn a_read_only_token_may_not_restore() {
    let f = Fixture::new();
    let err = restore_data(
        &f.ports(),
        &principal_with(&["data:read"]),
        restore_req(None),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, UseCaseError::PermissionDenied(_)));
}

#[test]
fn since_takes_a_date_or_an_rfc_3339_time_and_nothing_else() {
    let day = activity::parse_since("2026-01-31").unwrap();
    assert_eq!(
        crate::model::format_time(day),
        "2026-01-31T00:00:00.000000Z"
    );
    let t = activity::parse_since("2026-01-31T09:30:00+01:00").unwrap();
    assert_eq!(crate::model::format_time(t), "2026-01-31T08:30:00.000000Z");
    assert!(activity::parse_since("yesterday").is_err());
}
