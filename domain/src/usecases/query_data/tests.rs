use super::*;
use crate::model::Role;
use crate::usecases::fixtures::*;
use serde_json::json;

fn req() -> QueryRequest {
    QueryRequest {
        project: project(),
        collection: tasks(),
        filter: None,
        sort: None,
        fields: None,
        include: None,
        limit: None,
        cursor: None,
        max_bytes: None,
    }
}

#[test]
fn the_limit_defaults_to_fifty_and_stays_within_one_to_a_hundred() {
    assert_eq!(Limit::parse(None).unwrap().get(), 50);
    assert_eq!(Limit::parse(Some(1)).unwrap().get(), 1);
    assert_eq!(Limit::parse(Some(100)).unwrap().get(), 100);
    for bad in [0, -1, 101, i64::MAX] {
        let err = Limit::parse(Some(bad)).unwrap_err();
        assert!(
            matches!(&err, UseCaseError::InvalidArgument { field, reason } if field == "limit" && reason.contains("1 to 100")),
            "{bad}: {err:?}"
        );
    }
}

#[tokio::test]
async fn asks_storage_for_one_more_than_the_limit_and_offers_a_cursor_when_there_is_more() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_query()
        .withf(|_, _, q| q.limit == 3 && q.after.is_none())
        .return_once(move |_, _, _| {
            Ok(s.of(vec![stored_entry(ME), stored_entry(ME), stored_entry(ME)]))
        });
    let page = query_data(
        &f.ports(),
        &principal(),
        QueryRequest {
            limit: Some(2),
            ..req()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.entries.len(), 2);
    assert!(page.next_cursor.is_some());
}

#[tokio::test]
async fn the_last_page_has_no_cursor() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_query()
        .return_once(move |_, _, _| Ok(s.of(vec![stored_entry(ME)])));
    let page = query_data(&f.ports(), &principal(), req()).await.unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.next_cursor, None);
}

#[tokio::test]
async fn a_cursor_is_passed_back_to_storage_as_the_keyset_position() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    let mut seq = mockall::Sequence::new();
    f.entries
        .expect_query()
        .times(1)
        .in_sequence(&mut seq)
        .return_once(move |_, _, _| Ok(s.of(vec![stored_entry(ME), stored_entry(ME)])));
    let s = f.scope();
    f.entries
        .expect_query()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|_, _, q| q.after.as_ref().is_some_and(|c| c.id == ENTRY))
        .return_once(move |_, _, _| Ok(s.of(vec![])));
    let ports = f.ports();
    let first = query_data(
        &ports,
        &principal(),
        QueryRequest {
            limit: Some(1),
            ..req()
        },
    )
    .await
    .unwrap();
    let next = QueryRequest {
        limit: Some(1),
        cursor: first.next_cursor,
        ..req()
    };
    let second = query_data(&ports, &principal(), next).await.unwrap();
    assert!(second.entries.is_empty());
}

#[tokio::test]
async fn a_cursor_from_another_query_is_refused() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_query()
        .return_once(move |_, _, _| Ok(s.of(vec![stored_entry(ME), stored_entry(ME)])));
    let ports = f.ports();
    let first = query_data(
        &ports,
        &principal(),
        QueryRequest {
            limit: Some(1),
            ..req()
        },
    )
    .await
    .unwrap();
    let other = QueryRequest {
        filter: Some(json!({"done": true})),
        cursor: first.next_cursor,
        ..req()
    };
    let err = query_data(&ports, &principal(), other).await.unwrap_err();
    assert!(matches!(err, UseCaseError::InvalidArgument { field, .. } if field == "cursor"));
}

#[tokio::test]
async fn fields_projects_the_entries_but_keeps_id_and_revision() {
    let entry = one_entry_page(Some(json!(["title"])), None).await;
    assert!(entry.contains_key("title"));
    assert!(!entry.contains_key("done"));
    assert!(entry.contains_key("id") && entry.contains_key("revision"));
}

/// A page of one stored entry, asked with `fields` and `include`.
async fn one_entry_page(fields: Option<Value>, include: Option<Value>) -> Map<String, Value> {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_query()
        .return_once(move |_, _, _| Ok(s.of(vec![stored_entry(ME)])));
    let request = QueryRequest {
        fields,
        include,
        ..req()
    };
    let mut page = query_data(&f.ports(), &principal(), request).await.unwrap();
    page.entries.remove(0)
}

#[tokio::test]
async fn an_entry_of_a_page_carries_its_fields_id_revision_and_updated_at_only() {
    let entry = one_entry_page(None, None).await;
    let whole = stored_entry(ME).into_json();
    let mut keys: Vec<&str> = entry.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected: Vec<&str> = whole
        .keys()
        .map(String::as_str)
        .filter(|k| !["createdAt", "access", "tenantId", "deletedAt"].contains(k))
        .collect();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    for key in expected {
        assert_eq!(entry[key], whole[key], "{key}");
    }
}

#[tokio::test]
async fn include_brings_system_fields_back_and_all_of_them_give_the_whole_entry() {
    let all = json!(["createdAt", "access", "tenantId", "deletedAt"]);
    let entry = one_entry_page(None, Some(all)).await;
    assert_eq!(entry, stored_entry(ME).into_json());
    let entry = one_entry_page(Some(json!(["title", "createdAt"])), None).await;
    assert!(entry.contains_key("createdAt") && entry.contains_key("title"));
    assert!(!entry.contains_key("access") && !entry.contains_key("done"));
}

#[tokio::test]
async fn a_bad_include_is_refused_naming_it() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    let request = QueryRequest {
        include: Some(json!(["owner"])),
        ..req()
    };
    let err = query_data(&f.ports(), &principal(), request)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, UseCaseError::InvalidArgument { field, .. } if field == "include.0"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_non_member_learns_nothing() {
    let mut f = Fixture::new();
    f.not_a_member();
    let s = f.scope();
    f.entries
        .expect_query()
        .return_once(move |_, _, _| Ok(s.of(vec![stored_entry(ME)])));
    let err = query_data(&f.ports(), &principal(), req())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        UseCaseError::NotFound {
            resource: crate::error::Resource::Project,
            ..
        }
    ));
}

#[tokio::test]
async fn a_person_whose_flag_is_off_is_refused_before_anything_is_read() {
    let mut f = Fixture::new();
    f.entries
        .expect_query()
        .return_once(|_, _, _| Ok(crate::ports::Scoped::FlagOff));
    let err = query_data(&f.ports(), &principal(), req())
        .await
        .unwrap_err();
    assert_eq!(err, UseCaseError::FeatureDisabled);
}

#[tokio::test]
async fn a_size_budget_drops_whole_entries_and_continues_after_the_last_one_kept() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    let big = |n: u128| {
        let mut e = stored_entry(ME);
        e.id = crate::model::EntryId::from_uuid(uuid::Uuid::from_u128(n));
        e.fields.insert("blob".into(), json!("x".repeat(400)));
        e
    };
    f.entries
        .expect_query()
        .return_once(move |_, _, _| Ok(s.of(vec![big(1), big(2), big(3)])));
    let page = query_data(
        &f.ports(),
        &principal(),
        QueryRequest {
            max_bytes: Some(1000),
            ..req()
        },
    )
    .await
    .unwrap();
    assert!(page.truncated);
    assert_eq!(
        page.entries.len(),
        1,
        "the second entry would pass 1000 bytes"
    );
    assert_eq!(
        page.entries[0]["blob"].as_str().unwrap().len(),
        400,
        "values are never cut"
    );
    let cursor = crate::query::Cursor::decode(
        page.next_cursor.as_deref().unwrap(),
        crate::query::fingerprint(&[
            &json!(project().to_string()),
            &json!("tasks"),
            &Value::Null,
            &Value::Null,
        ]),
    )
    .unwrap();
    assert_eq!(cursor.id, uuid::Uuid::from_u128(1));
    assert_eq!(page.authors.len(), 1, "authors are cut with their entries");
}

#[tokio::test]
async fn a_page_names_each_entrys_creator_in_order() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_query()
        .return_once(move |_, _, _| Ok(s.of(vec![stored_entry(OTHER), stored_entry(ME)])));
    let page = query_data(&f.ports(), &principal(), req()).await.unwrap();
    let authors: Vec<uuid::Uuid> = page.authors.iter().map(|a| a.as_uuid()).collect();
    assert_eq!(authors, [OTHER, ME]);
}

#[tokio::test]
async fn one_entry_larger_than_the_budget_is_still_returned_alone() {
    let mut f = Fixture::new();
    f.member(Role::Viewer);
    f.has_type(tasks_type());
    let s = f.scope();
    f.entries
        .expect_query()
        .return_once(move |_, _, _| Ok(s.of(vec![stored_entry(ME), stored_entry(ME)])));
    let page = query_data(
        &f.ports(),
        &principal(),
        QueryRequest {
            max_bytes: Some(10),
            ..req()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert!(page.truncated && page.next_cursor.is_some());
}
