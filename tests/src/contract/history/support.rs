//! What the history scenarios share: the three tools' calls as `World` methods.

use domain::UseCaseError;
use domain::model::{EntryId, HistoryRecord, Principal, ProjectId, SCOPE_READ, SCOPE_WRITE};
use domain::usecases::{
    ActivityPage, ActivityRequest, HistoryPage, HistoryRequest, Limit, RestoreRequest, get_history,
    list_activity, restore_data,
};

use crate::support::{Store, Who, World, coll};

pub(super) async fn history<S: Store>(
    w: &World<S>,
    who: Who,
    collection: &str,
    id: EntryId,
    limit: Option<i64>,
    cursor: Option<String>,
) -> Result<HistoryPage, UseCaseError> {
    let req = HistoryRequest {
        project: w.a,
        collection: coll(collection),
        id,
        cursor,
        limit: Limit::parse(limit)?,
    };
    get_history(&w.ports, &w.principal(who), req).await
}

/// Every record of an entry `who` may see, newest first.
pub(super) async fn all_history<S: Store>(
    w: &World<S>,
    who: Who,
    collection: &str,
    id: EntryId,
) -> Vec<HistoryRecord> {
    history(w, who, collection, id, Some(100), None)
        .await
        .expect("the history")
        .records
}

pub(super) async fn restore<S: Store>(
    w: &World<S>,
    who: Who,
    collection: &str,
    id: EntryId,
    revision: Option<i64>,
    expected_revision: Option<i64>,
) -> Result<domain::model::Entry, UseCaseError> {
    let req = RestoreRequest {
        project: w.a,
        collection: coll(collection),
        id,
        revision,
        expected_revision,
    };
    restore_data(&w.ports, &w.principal(who), req).await
}

/// An activity request for project A with no filter.
pub(super) fn everything(project: ProjectId) -> ActivityRequest {
    ActivityRequest {
        project,
        since: None,
        person: None,
        client: None,
        collection: None,
        cursor: None,
        limit: Limit::parse(Some(100)).expect("a limit"),
    }
}

pub(super) async fn activity<S: Store>(
    w: &World<S>,
    who: Who,
    req: ActivityRequest,
) -> Result<ActivityPage, UseCaseError> {
    list_activity(&w.ports, &w.principal(who), req).await
}

/// `who` connected through another client than the world's own.
pub(super) fn through(w: &World<impl Store>, who: Who, client: &str) -> Principal {
    let scopes = [SCOPE_READ, SCOPE_WRITE].map(String::from).into();
    Principal::authenticated(w.user(who), scopes, client.into())
}

/// The actions of records, newest first.
pub(super) fn actions(records: &[HistoryRecord]) -> Vec<&'static str> {
    records.iter().map(|r| r.action.as_str()).collect()
}
