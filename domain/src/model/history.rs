//! An entry's history: one record per write, appended in the write's own transaction and
//! never changed afterwards.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::entry::Entry;
use super::ids::{CollectionName, EntryId, ProjectId, UserId};
use crate::modifier::{Modifier, get_path};
use crate::path::FieldPath;

/// The client name history records for the operator's command line.
pub const ADMIN_CLIENT: &str = "admin-cli";

/// What a write did to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    Update,
    Delete,
    Restore,
}

impl Action {
    pub const ALL: [Self; 4] = [Self::Create, Self::Update, Self::Delete, Self::Restore];

    /// The stored and wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Restore => "restore",
        }
    }

    /// The action called `name`, if any.
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// Who wrote, through which door: the person, the OAuth client (or [`ADMIN_CLIENT`]) and
/// the tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub user: UserId,
    pub client: String,
    pub tool: &'static str,
}

/// One write of one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub entry: EntryId,
    /// The revision the write produced.
    pub revision: i64,
    pub at: DateTime<Utc>,
    pub user: UserId,
    pub client: String,
    pub tool: String,
    pub action: Action,
    /// What changed: for a create or delete `{"entry": …}` (the whole entry); for an update
    /// `{"modifier": …, "paths": [{"path", "before"?, "after"?}]}`; for a restore
    /// `{"toRevision": n | null, "paths": […]}` (a missing `before`/`after`: no value there).
    pub change: Value,
    /// The entry's own fields after the write: what a restore to this revision sets back.
    pub data: Map<String, Value>,
}

impl HistoryRecord {
    /// The record of `action` producing `after` (its revision, time and fields).
    #[must_use]
    pub fn of(after: &Entry, origin: &Origin, action: Action, change: Value) -> Self {
        Self {
            project: after.tenant_id,
            collection: after.collection.clone(),
            entry: after.id,
            revision: after.revision,
            // A delete sets deletedAt to its updatedAt: one time for every action.
            at: after.updated_at,
            user: origin.user,
            client: origin.client.clone(),
            tool: origin.tool.to_owned(),
            action,
            change,
            data: after.fields.clone(),
        }
    }

    /// A create's record: the whole new entry.
    #[must_use]
    pub fn created(entry: &Entry, origin: &Origin) -> Self {
        Self::of(
            entry,
            origin,
            Action::Create,
            json!({"entry": entry.to_json()}),
        )
    }

    /// A delete's record: the whole entry as it was deleted.
    #[must_use]
    pub fn deleted(entry: &Entry, origin: &Origin) -> Self {
        Self::of(
            entry,
            origin,
            Action::Delete,
            json!({"entry": entry.to_json()}),
        )
    }

    /// An update's record: the modifier and each path it touched, before and after.
    #[must_use]
    pub fn updated(
        before: &Entry,
        after: &Entry,
        origin: &Origin,
        modifier: &Value,
        parsed: &Modifier,
    ) -> Self {
        let paths = parsed
            .paths()
            .map(|path| touched(path, &before.fields, &after.fields))
            .collect();
        Self::of(
            after,
            origin,
            Action::Update,
            json!({"modifier": modifier, "paths": Value::Array(paths)}),
        )
    }

    /// A restore's record: to which revision (`None`: an undelete), and each top-level field
    /// that differs, before and after.
    #[must_use]
    pub fn restored(
        before: &Entry,
        after: &Entry,
        origin: &Origin,
        to_revision: Option<i64>,
    ) -> Self {
        let mut keys: Vec<&String> = before.fields.keys().chain(after.fields.keys()).collect();
        keys.sort();
        keys.dedup();
        let paths = keys
            .into_iter()
            .filter(|k| before.fields.get(*k) != after.fields.get(*k))
            .map(|k| side_by_side(k, before.fields.get(k), after.fields.get(k)))
            .collect();
        Self::of(
            after,
            origin,
            Action::Restore,
            json!({"toRevision": to_revision, "paths": Value::Array(paths)}),
        )
    }

    /// The record as tools and the activity log show it (without `data`).
    #[must_use]
    pub fn to_json(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.entry.to_string()));
        out.insert("collectionName".into(), json!(self.collection.as_str()));
        out.insert("revision".into(), json!(self.revision));
        out.insert("action".into(), json!(self.action.as_str()));
        out.insert("at".into(), json!(super::format_time(self.at)));
        out.insert("userId".into(), json!(self.user.to_string()));
        out.insert("clientId".into(), json!(self.client));
        out.insert("tool".into(), json!(self.tool));
        out.insert("change".into(), self.change.clone());
        out
    }
}

fn touched(path: &FieldPath, before: &Map<String, Value>, after: &Map<String, Value>) -> Value {
    side_by_side(
        &path.to_string(),
        get_path(before, path),
        get_path(after, path),
    )
}

fn side_by_side(path: &str, before: Option<&Value>, after: Option<&Value>) -> Value {
    let mut out = Map::new();
    out.insert("path".into(), json!(path));
    if let Some(v) = before {
        out.insert("before".into(), v.clone());
    }
    if let Some(v) = after {
        out.insert("after".into(), v.clone());
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Access, ProjectId};
    use chrono::TimeZone;

    fn entry(fields: Value, revision: i64) -> Entry {
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        Entry {
            id: EntryId::from_uuid(uuid::Uuid::from_u128(7)),
            tenant_id: ProjectId::from_uuid(uuid::Uuid::from_u128(1)),
            collection: "tasks".parse().unwrap(),
            fields: fields.as_object().cloned().unwrap(),
            created_at: t,
            updated_at: t + chrono::TimeDelta::seconds(revision),
            deleted_at: None,
            revision,
            access: Access {
                read: vec![],
                update: vec![],
                delete: vec![],
            },
            created_by: UserId::from_uuid(uuid::Uuid::from_u128(2)),
        }
    }

    fn origin() -> Origin {
        Origin {
            user: UserId::from_uuid(uuid::Uuid::from_u128(2)),
            client: "claude".into(),
            tool: "update_data",
        }
    }

    #[test]
    fn an_update_records_each_touched_path_before_and_after_and_the_state_after() {
        let before = entry(json!({"a": {"b": 1}, "keep": true, "gone": 3}), 1);
        let after = entry(json!({"a": {"b": 2}, "keep": true, "new": "x"}), 2);
        let raw = json!({"$inc": {"a.b": 1}, "$set": {"new": "x"}, "$unset": {"gone": ""}});
        let parsed = Modifier::parse(&raw).unwrap();
        let record = HistoryRecord::updated(&before, &after, &origin(), &raw, &parsed);
        assert_eq!(record.revision, 2);
        assert_eq!(record.at, after.updated_at);
        assert_eq!(record.change["modifier"], raw);
        let mut paths = record.change["paths"].as_array().unwrap().clone();
        paths.sort_by_key(|p| p["path"].as_str().unwrap().to_owned());
        assert_eq!(
            paths,
            vec![
                json!({"path": "a.b", "before": 1, "after": 2}),
                json!({"path": "gone", "before": 3}),
                json!({"path": "new", "after": "x"}),
            ]
        );
        assert_eq!(record.data, after.fields);
    }

    #[test]
    fn a_restore_records_the_top_level_fields_that_differ() {
        let before = entry(json!({"a": 1, "same": 0, "extra": 2}), 3);
        let after = entry(json!({"a": 5, "same": 0}), 4);
        let record = HistoryRecord::restored(&before, &after, &origin(), Some(1));
        assert_eq!(
            record.change,
            json!({"toRevision": 1, "paths": [
                {"path": "a", "before": 1, "after": 5},
                {"path": "extra", "before": 2},
            ]})
        );
    }

    #[test]
    fn a_delete_is_recorded_at_its_deletion_time_with_the_whole_entry() {
        let mut gone = entry(json!({"a": 1}), 2);
        gone.deleted_at = Some(gone.updated_at);
        let record = HistoryRecord::deleted(&gone, &origin());
        assert_eq!(record.action, Action::Delete);
        assert_eq!(
            record.change["entry"]["deletedAt"],
            json!(format_time_of(&gone))
        );
    }

    fn format_time_of(e: &Entry) -> String {
        crate::model::format_time(e.deleted_at.unwrap())
    }

    #[test]
    fn actions_round_trip_by_name() {
        for a in Action::ALL {
            assert_eq!(Action::named(a.as_str()), Some(a));
        }
        assert_eq!(Action::named("drop"), None);
    }
}
