//! `EntryStore::swap`'s statement: the compare-and-swap, the history record it appends,
//! and the undelete's declaration to the `entries_change` policy.

use domain::model::{Action, Entry, HistoryRecord};
use domain::ports::Caller;
use serde_json::Value;

use super::history_sql;
use super::sql::{Arg, Sql};

/// True when the write brings a deleted entry back as it was (`restore_data` without a
/// revision): the one write a person with `access.delete` but not `access.update` may make
/// to a live row. A restore to a revision needs `access.update`, like any update.
pub(super) fn is_undelete(entry: &Entry, history: &HistoryRecord) -> bool {
    history.action == Action::Restore
        && entry.deleted_at.is_none()
        && history.change.get("toRevision") == Some(&Value::Null)
}

/// `swap`'s statement and its follow-up.
///
/// One conditional `UPDATE … WHERE revision = $expected` (deleted or not) in a
/// data-modifying CTE, and the record appended for the row it returns, so the statement's
/// row count is the records written: 1 when the swap happened, 0 when not. An undelete
/// first names the entry in `app.undelete` (a MATERIALIZED CTE the `UPDATE` waits for),
/// which lets `entries_change` admit the live row with `access.delete`. When nothing was
/// written the follow-up tells whether the entry is still there for this caller, deleted
/// or not (another write moved its revision on), or gone (no longer readable).
pub(super) fn swap_statement(
    caller: Caller,
    entry: &Entry,
    expected_revision: i64,
    history: &HistoryRecord,
    undelete: bool,
) -> (Sql, Sql) {
    let mut sql = Sql::new("");
    let tenant = sql.bind(Arg::Uuid(caller.project.as_uuid()));
    let id = sql.bind(Arg::Uuid(entry.id.as_uuid()));
    let coll = sql.bind(Arg::Text(entry.collection.as_str().to_owned()));
    let scope = format!("tenant_id = {tenant} AND id = {id} AND collection = {coll}");
    let mut gate = String::new();
    if undelete {
        sql.push(&format!(
            "WITH u AS MATERIALIZED (SELECT set_config('app.undelete', {id}::text, true)), "
        ));
        gate.push_str(" AND EXISTS (SELECT 1 FROM u)");
    } else {
        sql.push("WITH ");
    }
    sql.push("w AS (UPDATE entries SET data = ")
        .push_bind(Arg::Json(Value::Object(entry.fields.clone())))
        .push(", updated_at = ")
        .push_bind(Arg::Time(entry.updated_at))
        .push(", deleted_at = ");
    match entry.deleted_at {
        Some(t) => sql.push_bind(Arg::Time(t)),
        None => sql.push("NULL"),
    };
    sql.push(", revision = ")
        .push_bind(Arg::Int(entry.revision));
    let expected = sql.bind(Arg::Int(expected_revision));
    sql.push(&format!(
        " WHERE {scope} AND revision = {expected}{gate} RETURNING id) "
    ));
    let append = history_sql::append(&mut sql, std::slice::from_ref(history));
    sql.push(&append).push(" JOIN w ON w.id = h.entry_id");
    let mut then = sql.clone();
    then.replace_text(&format!(
        "SELECT to_json(EXISTS (SELECT 1 FROM entries WHERE {scope}))"
    ));
    (sql, then)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::model::{Access, Origin};
    use serde_json::json;

    fn entry(deleted: bool) -> Entry {
        let now = chrono::Utc::now();
        Entry {
            id: domain::model::EntryId::from_uuid(uuid::Uuid::now_v7()),
            tenant_id: domain::model::ProjectId::from_uuid(uuid::Uuid::nil()),
            collection: "tasks".parse().unwrap(),
            fields: serde_json::Map::new(),
            created_at: now,
            updated_at: now,
            deleted_at: deleted.then_some(now),
            revision: 2,
            access: Access {
                read: vec![],
                update: vec![],
                delete: vec![],
            },
            created_by: domain::model::UserId::from_uuid(uuid::Uuid::nil()),
        }
    }

    #[test]
    fn only_an_undelete_names_its_entry_in_app_undelete() {
        let caller = Caller {
            user: domain::model::UserId::from_uuid(uuid::Uuid::nil()),
            project: domain::model::ProjectId::from_uuid(uuid::Uuid::nil()),
            grant: None,
        };
        let origin = Origin {
            user: caller.user,
            client: "c".into(),
            tool: "restore_data",
        };
        let live = entry(false);
        let of = |to: Value| HistoryRecord::of(&live, &origin, Action::Restore, to);
        assert!(is_undelete(
            &live,
            &of(json!({"toRevision": null, "paths": []}))
        ));
        assert!(!is_undelete(
            &live,
            &of(json!({"toRevision": 1, "paths": []}))
        ));
        assert!(!is_undelete(&live, &of(json!({"paths": []}))));
        let update = HistoryRecord::of(&live, &origin, Action::Update, json!({}));
        assert!(!is_undelete(&live, &update));
        let gone = entry(true);
        let delete =
            HistoryRecord::of(&gone, &origin, Action::Restore, json!({"toRevision": null}));
        assert!(!is_undelete(&gone, &delete));

        let (sql, then) = swap_statement(caller, &live, 1, &of(json!({"toRevision": null})), true);
        assert!(
            sql.text()
                .starts_with("WITH u AS MATERIALIZED (SELECT set_config('app.undelete'")
        );
        assert!(
            sql.text()
                .contains("AND EXISTS (SELECT 1 FROM u) RETURNING id)")
        );
        assert!(
            sql.text().ends_with("JOIN w ON w.id = h.entry_id"),
            "{}",
            sql.text()
        );
        assert!(!then.text().contains("deleted_at"), "{}", then.text());
        let (plain, _) = swap_statement(caller, &live, 1, &update, false);
        assert!(!plain.text().contains("app.undelete"), "{}", plain.text());
        assert!(
            !plain.text().contains("deleted_at IS NULL"),
            "{}",
            plain.text()
        );
    }
}
