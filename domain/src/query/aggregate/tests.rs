use serde_json::json;

use super::*;

fn aggregation(group_by: Value, metrics: Value, sort: Option<Value>) -> Aggregation {
    let group_by = parse_group_by(&group_by).unwrap();
    let metrics = parse_metrics(&metrics).unwrap();
    let order = sort.map_or(GroupOrder::default(), |s| {
        parse_order(&s, &group_by, &metrics).unwrap()
    });
    Aggregation {
        filter: Filter::All,
        group_by,
        metrics,
        order,
        offset: 0,
        limit: 100,
    }
}

fn entries() -> Vec<Value> {
    vec![
        json!({"status": "open", "amount": 10, "tag": "a"}),
        json!({"status": "open", "amount": 2.5, "tag": "a"}),
        json!({"status": "open", "amount": "12", "tag": 1}),
        json!({"status": "done", "amount": null}),
        json!({"amount": 4}),
        json!({"status": null, "amount": 1}),
    ]
}

#[test]
fn groups_by_value_with_missing_and_null_together_first() {
    let agg = aggregation(
        json!(["status"]),
        json!([
            "count",
            "sum:amount",
            "avg:amount",
            "min:amount",
            "max(amount)"
        ]),
        None,
    );
    let groups = evaluate(&agg, &entries());
    let keys: Vec<&Value> = groups.iter().map(|g| &g.key[0]).collect();
    assert_eq!(keys, [&json!(null), &json!("done"), &json!("open")]);
    assert_eq!(
        groups[0].values,
        [json!(2), json!(5.0), json!(2.5), json!(1), json!(4)]
    );
    assert_eq!(
        groups[1].values,
        [json!(1), json!(null), json!(null), json!(null), json!(null)]
    );
    assert_eq!(groups[1].skipped, [1]);
    assert_eq!(groups[2].values[1], json!(12.5));
    assert_eq!(groups[2].skipped, [1]);
}

#[test]
fn count_distinct_counts_present_values_by_json_equality() {
    let agg = aggregation(
        json!([]),
        json!(["countDistinct:tag", "countDistinct:amount"]),
        None,
    );
    let groups = evaluate(&agg, &entries());
    // tag: "a", 1; amount: 10, 2.5, "12", null, 4, 1.
    assert_eq!(groups[0].values, [json!(2), json!(6)]);
    assert!(groups[0].skipped.is_empty());
}

#[test]
fn no_group_keys_over_no_entries_is_one_empty_group() {
    let agg = aggregation(json!([]), json!(["count", "sum:amount"]), None);
    let groups = evaluate(&agg, &[]);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].key, Vec::<Value>::new());
    assert_eq!(groups[0].values, [json!(0), json!(null)]);
    assert_eq!(groups[0].skipped, [0]);
}

#[test]
fn a_metric_sort_breaks_ties_by_the_keys_ascending() {
    let agg = aggregation(json!("tag"), json!(["count"]), Some(json!({"count": -1})));
    let groups = evaluate(&agg, &entries());
    let keys: Vec<&Value> = groups.iter().map(|g| &g.key[0]).collect();
    // null: 3 entries, "a": 2, 1: 1.
    assert_eq!(keys, [&json!(null), &json!("a"), &json!(1)]);
    let agg = aggregation(json!("tag"), json!(["count"]), Some(json!({"tag": -1})));
    let keys: Vec<Value> = evaluate(&agg, &entries())
        .into_iter()
        .map(|g| g.key[0].clone())
        .collect();
    assert_eq!(keys, [json!(1), json!("a"), json!(null)]);
}

#[test]
fn dates_bucket_by_month_in_the_zone() {
    let agg = aggregation(
        json!([{"field": "at", "unit": "month", "timezone": "Europe/Paris"}]),
        json!(["count"]),
        None,
    );
    let rows = [
        json!({"at": "2025-01-31T23:30:00Z"}),
        json!({"at": "2025-02-01T10:00:00+01:00"}),
        json!({"at": "2025-01-15"}),
        json!({"at": "not a date"}),
    ];
    let groups = evaluate(&agg, &rows);
    let got: Vec<(Value, Value)> = groups
        .into_iter()
        .map(|g| (g.key[0].clone(), g.values[0].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (json!(null), json!(1)),
            (json!("2025-01-01"), json!(1)),
            (json!("2025-02-01"), json!(2))
        ]
    );
}

#[test]
fn sort_names_a_requested_metric_in_either_spelling_or_a_key() {
    let group_by = parse_group_by(&json!(["status"])).unwrap();
    let metrics = parse_metrics(&json!(["count", "sum:amount"])).unwrap();
    let order = parse_order(&json!({"sum(amount)": 1}), &group_by, &metrics).unwrap();
    assert_eq!(order.by, Some((SortBy::Metric(1), Direction::Asc)));
    let order = parse_order(&json!({"status": -1}), &group_by, &metrics).unwrap();
    assert_eq!(order.by, Some((SortBy::Key(0), Direction::Desc)));
    for bad in [
        json!({"avg:amount": 1}),
        json!({"count": 2}),
        json!({}),
        json!("count"),
    ] {
        assert!(parse_order(&bad, &group_by, &metrics).is_err(), "{bad}");
    }
}
