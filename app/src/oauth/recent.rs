//! What each connected application last wrote for the person, on the connections page:
//! the newest history records of that person through that client
//! (`ActivityLog::recent_writes`), in any project.
//!
//! "Last used" is the consent's `last_used_at`, which the bearer middleware stamps when the
//! application's token reaches `/mcp` (`auth::last_use`, at most once a minute per
//! instance); "last write" is the newest of those records.
//!
//! The records come from the operator's port, which knows no access rules; the page asks
//! only for the signed-in person's own writes, and shows their ids, never the entries'
//! contents. When history cannot be read the page still lists (and revokes) the
//! applications, and says that their writes are unavailable.

use chrono::{DateTime, Utc};
use domain::model::{HistoryRecord, UserId};
use domain::ports::ActivityLog;
use domain::usecases::grants::Connection;
use futures_util::future::join_all;

use super::pages::escape;

/// How many writes the page shows per application.
pub const WRITES_SHOWN: u32 = 20;

/// An application's newest writes, newest first; `None` when history could not be read.
pub type Recent = Option<Vec<HistoryRecord>>;

/// Each connection's newest writes by `user`, in the order of `list`.
pub async fn recent(activity: &dyn ActivityLog, user: UserId, list: &[Connection]) -> Vec<Recent> {
    let reads = list
        .iter()
        .map(|c| activity.recent_writes(user, &c.client_id, WRITES_SHOWN));
    join_all(reads)
        .await
        .into_iter()
        .map(|read| match read {
            Ok(records) => Some(records),
            Err(e) => {
                tracing::warn!(cause = %e, "reading a connected application's writes failed");
                None
            }
        })
        .collect()
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn second(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A time that does not break across lines.
fn when(text: &str) -> String {
    format!("<span class=\"when\">{}</span>", escape(text))
}

/// The application's line, HTML: what it may do, since when, when it was last used and
/// its last write.
#[must_use]
pub fn summary(
    write: bool,
    granted_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    recent: &Recent,
) -> String {
    let access = if write { "Read and write" } else { "Read only" };
    let used = match last_used_at {
        Some(t) => format!("last used {}", when(&minute(t))),
        None => "not used yet".to_owned(),
    };
    let last = match recent.as_deref() {
        None => "writes unavailable right now".to_owned(),
        Some([]) => "no writes yet".to_owned(),
        Some([newest, ..]) => format!("last write {}", when(&minute(newest.at))),
    };
    format!(
        "{access} · since {} · {used} · {last}",
        when(&granted_at.format("%Y-%m-%d").to_string())
    )
}

/// The application's newest writes as a list that opens on a tap; empty when there are
/// none to show.
#[must_use]
pub fn writes(recent: &Recent) -> String {
    let records = match recent.as_deref() {
        None | Some([]) => return String::new(),
        Some(records) => records,
    };
    let title = if records.len() == 1 {
        "Last write".to_owned()
    } else {
        format!("Last {} writes", records.len())
    };
    let mut items = String::new();
    for r in records {
        items.push_str(&format!(
            "<li>{when} <strong>{action}</strong> · <code>{tool}</code><br>\
             <span class=\"muted\">project <code>{project}</code> · {collection} · entry <code>{entry}</code> · revision {revision}</span></li>",
            when = when(&second(r.at)),
            action = escape(r.action.as_str()),
            tool = escape(&r.tool),
            project = escape(&r.project.to_string()),
            collection = escape(r.collection.as_str()),
            entry = escape(&r.entry.to_string()),
            revision = r.revision,
        ));
    }
    format!(
        "<details class=\"writes\"><summary>{title}</summary><ol>{items}</ol></details>",
        title = escape(&title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use domain::model::{Action, EntryId, ProjectId};
    use domain::ports::{MockActivityLog, StoreError};
    use serde_json::json;
    use uuid::Uuid;

    fn record(tool: &str, second: u32) -> HistoryRecord {
        HistoryRecord {
            project: ProjectId::from_uuid(Uuid::from_u128(1)),
            collection: "tasks".parse().unwrap(),
            entry: EntryId::from_uuid(Uuid::from_u128(7)),
            revision: 3,
            at: Utc.with_ymd_and_hms(2026, 3, 4, 10, 22, second).unwrap(),
            user: UserId::from_uuid(Uuid::from_u128(2)),
            client: "c".into(),
            tool: tool.into(),
            action: Action::Update,
            change: json!({"paths": [{"path": "title", "after": "<b>secret</b>"}]}),
            data: json!({"title": "<b>secret</b>"})
                .as_object()
                .unwrap()
                .clone(),
        }
    }

    fn connection(client_id: &str) -> Connection {
        Connection {
            client_id: client_id.into(),
            client_name: client_id.into(),
            write: true,
            granted_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            last_used_at: None,
        }
    }

    #[test]
    fn each_write_shows_time_action_tool_project_collection_entry_and_revision() {
        let html = writes(&Some(vec![
            record("update_data", 3),
            record("create_data", 1),
        ]));
        assert!(html.contains("<summary>Last 2 writes</summary>"), "{html}");
        assert!(
            html.contains("<span class=\"when\">2026-03-04 10:22:03 UTC</span>"),
            "{html}"
        );
        assert!(html.contains("<strong>update</strong> · <code>update_data</code>"));
        assert!(html.contains("project <code>00000000-0000-0000-0000-000000000001</code>"));
        assert!(html.contains("· tasks · entry <code>00000000-0000-0000-0000-000000000007</code>"));
        assert!(html.contains("revision 3"), "{html}");
        assert!(
            !html.contains("secret"),
            "never the entry's contents: {html}"
        );
        assert!(!html.contains("href"), "no links: {html}");
    }

    #[test]
    fn a_tool_name_with_markup_is_escaped() {
        let html = writes(&Some(vec![record("<script>x</script>", 0)]));
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("<summary>Last write</summary>"), "{html}");
    }

    #[test]
    fn the_last_write_is_the_newest_record_or_says_there_is_none() {
        let granted = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let since = "since <span class=\"when\">2026-01-01</span> · ";
        let used = Utc.with_ymd_and_hms(2026, 3, 5, 8, 0, 30).unwrap();
        let last_used = "last used <span class=\"when\">2026-03-05 08:00 UTC</span> · ";
        assert_eq!(
            summary(
                true,
                granted,
                Some(used),
                &Some(vec![record("t", 59), record("t", 0)])
            ),
            format!(
                "Read and write · {since}{last_used}last write <span class=\"when\">2026-03-04 10:22 UTC</span>"
            )
        );
        assert_eq!(
            summary(false, granted, None, &Some(vec![])),
            format!("Read only · {since}not used yet · no writes yet")
        );
        assert_eq!(
            summary(true, granted, Some(used), &None),
            format!("Read and write · {since}{last_used}writes unavailable right now")
        );
        assert_eq!(writes(&Some(vec![])), "");
        assert_eq!(writes(&None), "");
    }

    #[tokio::test]
    async fn each_application_gets_the_persons_last_twenty_writes_through_it() {
        let user = UserId::from_uuid(Uuid::from_u128(2));
        let mut log = MockActivityLog::new();
        log.expect_recent_writes()
            .withf(move |u, c, n| *u == user && c == "a" && *n == 20)
            .times(1)
            .returning(|_, _, _| Ok(vec![record("create_data", 0)]));
        log.expect_recent_writes()
            .withf(move |u, c, n| *u == user && c == "b" && *n == 20)
            .times(1)
            .returning(|_, _, _| Err(StoreError::Unavailable("down".into())));
        let got = recent(&log, user, &[connection("a"), connection("b")]).await;
        assert_eq!(got, vec![Some(vec![record("create_data", 0)]), None]);
    }
}
