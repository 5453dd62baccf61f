//! What the bulk-change scenarios share: requests, calls and reading their outcomes.

use chrono::{DateTime, TimeDelta, Utc};
use domain::UseCaseError;
use domain::model::{Entry, Principal, ProjectId};
use domain::ports::{Clock, Scoped};
use domain::usecases::{
    BulkChange, BulkOutcome, BulkPreview, BulkRequest, Ports, delete_many, update_many,
};
use serde_json::{Value, json};

use crate::support::{NOTES, Store, TASKS, Who, World, coll};

pub(crate) fn request(
    project: ProjectId,
    collection: &str,
    filter: Value,
    change: BulkChange,
) -> BulkRequest {
    BulkRequest {
        project,
        collection: coll(collection),
        filter,
        change,
        confirm: None,
    }
}

pub(crate) fn set_done() -> BulkChange {
    BulkChange::Update(json!({"$set": {"done": true}, "$inc": {"n": 10}}))
}

pub(crate) async fn run(
    ports: &Ports,
    principal: &Principal,
    req: BulkRequest,
) -> Result<BulkOutcome, UseCaseError> {
    match req.change {
        BulkChange::Update(_) => update_many(ports, principal, req).await,
        BulkChange::Delete => delete_many(ports, principal, req).await,
    }
}

pub(crate) fn preview(outcome: BulkOutcome) -> BulkPreview {
    match outcome {
        BulkOutcome::Preview(p) => p,
        BulkOutcome::Applied(e) => panic!("applied without a confirmation: {e:?}"),
    }
}

pub(crate) fn applied(outcome: BulkOutcome) -> Vec<Entry> {
    match outcome {
        BulkOutcome::Applied(e) => e,
        BulkOutcome::Preview(p) => panic!("a preview, not applied: {p:?}"),
    }
}

pub(crate) fn token(p: &BulkPreview) -> String {
    p.confirm.clone().expect("a confirm token").0
}

pub(crate) fn with_confirm(mut req: BulkRequest, token: &str) -> BulkRequest {
    req.confirm = Some(token.to_owned());
    req
}

pub(crate) fn refusal(result: Result<BulkOutcome, UseCaseError>) -> String {
    match result {
        Err(UseCaseError::InvalidArgument { field, reason }) if field == "confirm" => reason,
        other => panic!("not a refusal of confirm: {other:?}"),
    }
}

/// Carol's three tasks (n = 0, 1, 2), bob's one (n = 3), and a note of alice's that only she
/// may read (n = 4).
pub(crate) async fn seeded<S: Store>(w: &World<S>) -> (Vec<Entry>, Entry) {
    let mut carol = Vec::new();
    for n in 0..3 {
        carol.push(
            w.create(Who::Carol, w.a, TASKS, json!({"n": n}))
                .await
                .unwrap(),
        );
    }
    let bob = w
        .create(Who::Bob, w.a, TASKS, json!({"n": 3}))
        .await
        .unwrap();
    w.create(Who::Alice, w.a, NOTES, json!({"n": 4}))
        .await
        .unwrap();
    (carol, bob)
}

/// The entries of `collection` as `who` reads them, by id.
pub(crate) async fn all<S: Store>(w: &World<S>, who: Who, collection: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let scanned = w
        .store
        .scan(
            w.caller(who, w.a),
            &coll(collection),
            &domain::query::Filter::All,
            10_000,
        )
        .await
        .unwrap();
    if let Scoped::Found(_, s) = scanned {
        out = s.entries;
    }
    out.sort_by_key(|e| e.id);
    out
}

/// The real clock, `ahead` later.
pub(crate) struct Later(pub(super) TimeDelta);

impl Clock for Later {
    fn now(&self) -> DateTime<Utc> {
        adapters::system::SystemClock.now() + self.0
    }
}
