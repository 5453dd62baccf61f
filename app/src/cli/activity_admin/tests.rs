use super::*;
use chrono::{TimeDelta, TimeZone};
use domain::model::{Action, EntryId, UserId};
use domain::ports::MockActivityLog;
use uuid::Uuid;

fn project() -> ProjectId {
    ProjectId::from_uuid(Uuid::from_u128(1))
}

/// `n` records of the project, newest first, one second apart.
fn records(n: u32) -> Vec<HistoryRecord> {
    let start = Utc.with_ymd_and_hms(2026, 2, 1, 8, 0, 0).unwrap();
    (0..n)
        .rev()
        .map(|i| HistoryRecord {
            project: project(),
            collection: "tasks".parse().unwrap(),
            entry: EntryId::from_uuid(Uuid::from_u128(100 + u128::from(i))),
            revision: i64::from(i) + 1,
            at: start + TimeDelta::seconds(i64::from(i)),
            user: UserId::from_uuid(Uuid::from_u128(2)),
            client: "claude".into(),
            tool: "update_data".into(),
            action: Action::Update,
            change: json!({"paths": []}),
            data: serde_json::Map::new(),
        })
        .collect()
}

fn older_than(r: &HistoryRecord, p: &ActivityPosition) -> bool {
    (r.at, r.entry, r.revision) < (p.at, p.entry, p.revision)
}

/// A log of `all` that answers as the port promises: after the position, at most `limit`.
fn log_of(all: Vec<HistoryRecord>, calls: usize) -> MockActivityLog {
    let mut log = MockActivityLog::new();
    log.expect_project_activity()
        .withf(|p, q| *p == project() && q.person.is_none() && q.collection.is_none())
        .times(calls)
        .returning(move |_, q| {
            Ok(all
                .iter()
                .filter(|r| q.after.as_ref().is_none_or(|p| older_than(r, p)))
                .take(q.limit as usize)
                .cloned()
                .collect())
        });
    log
}

fn export(limit: Option<u64>) -> Export {
    Export {
        project: project(),
        since: None,
        client: None,
        limit,
    }
}

async fn lines(log: &MockActivityLog, export: &Export, page: u32) -> Vec<Value> {
    let mut out = Vec::new();
    let n = write(log, export, page, &mut out).await.unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(n as usize, lines.len());
    lines
}

fn revisions(lines: &[Value]) -> Vec<i64> {
    lines
        .iter()
        .map(|l| l["revision"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn every_record_comes_out_newest_first_a_page_at_a_time() {
    let log = log_of(records(7), 3);
    let lines = lines(&log, &export(None), 3).await;
    assert_eq!(revisions(&lines), vec![7, 6, 5, 4, 3, 2, 1]);
}

#[tokio::test]
async fn a_full_last_page_costs_one_more_read_that_finds_nothing() {
    let log = log_of(records(6), 3);
    assert_eq!(lines(&log, &export(None), 3).await.len(), 6);
}

#[tokio::test]
async fn the_limit_stops_the_reads_and_asks_for_no_more_than_it_needs() {
    let mut log = MockActivityLog::new();
    let all = records(10);
    let mut asked = mockall::Sequence::new();
    for (want, skip) in [(3u32, 0usize), (1, 3)] {
        let page: Vec<_> = all.iter().skip(skip).take(want as usize).cloned().collect();
        log.expect_project_activity()
            .withf(move |_, q| q.limit == want && q.after.is_some() == (skip > 0))
            .times(1)
            .in_sequence(&mut asked)
            .return_once(move |_, _| Ok(page));
    }
    let lines = lines(&log, &export(Some(4)), 3).await;
    assert_eq!(revisions(&lines), vec![10, 9, 8, 7]);
}

#[tokio::test]
async fn the_filters_reach_the_port_and_a_line_is_the_record_with_its_project() {
    let mut log = MockActivityLog::new();
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let record = records(1).remove(0);
    let expected = record.clone();
    log.expect_project_activity()
        .withf(move |_, q| q.since == Some(since) && q.client.as_deref() == Some("claude"))
        .times(1)
        .return_once(move |_, _| Ok(vec![record]));
    let export = Export {
        since: Some(since),
        client: Some("claude".into()),
        ..export(None)
    };
    let lines = lines(&log, &export, 500).await;
    let mut want = expected.to_json();
    want.insert("projectId".into(), json!(project().to_string()));
    assert_eq!(lines, vec![Value::Object(want)]);
    assert_eq!(lines[0]["clientId"], "claude");
    assert_eq!(lines[0]["collectionName"], "tasks");
}

#[tokio::test]
async fn a_failing_store_is_an_error_that_says_what_was_read() {
    let mut log = MockActivityLog::new();
    log.expect_project_activity()
        .returning(|_, _| Err(domain::ports::StoreError::Unavailable("down".into())));
    let mut out = Vec::new();
    let err = write(&log, &export(None), 10, &mut out).await.unwrap_err();
    assert!(format!("{err:#}").contains("history"), "{err:#}");
}

#[test]
fn since_is_a_date_at_midnight_utc_or_an_rfc3339_time() {
    assert_eq!(
        parse_since("2026-01-31").unwrap(),
        Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap()
    );
    assert_eq!(
        parse_since("2026-01-31T09:00:00+01:00").unwrap(),
        Utc.with_ymd_and_hms(2026, 1, 31, 8, 0, 0).unwrap()
    );
    let err = format!("{:#}", parse_since("last week").unwrap_err());
    assert!(
        err.contains("--since") && err.contains("2026-01-31"),
        "{err}"
    );
}

#[test]
fn a_project_that_is_not_an_id_is_named() {
    let args = ActivityArgs {
        project: "sales".into(),
        since: None,
        client: None,
        limit: None,
    };
    let err = format!("{:#}", Export::try_from(args).unwrap_err());
    assert!(err.contains("--project") && err.contains("sales"), "{err}");
}
