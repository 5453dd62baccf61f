use super::*;
use serde_json::json;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn timestamps_with_offsets_and_bare_dates_parse() {
    let t = parse_moment("2025-03-01T00:30:00.123456789+01:00").unwrap();
    assert_eq!(t, Moment::Instant("2025-02-28T23:30:00Z".parse().unwrap()));
    assert_eq!(
        parse_moment("2024-02-29"),
        Some(Moment::Date(date("2024-02-29")))
    );
    assert!(matches!(
        parse_moment("2025-01-01T00:00:00Z"),
        Some(Moment::Instant(_))
    ));
}

#[test]
fn everything_else_is_not_a_moment() {
    for raw in [
        "2025-02-29",
        "2025-13-01",
        "0000-01-01",
        "2025-01-01T24:00:00Z",
        "2025-01-01T10:00:60Z",
        "2025-01-01t10:00:00Z",
        "2025-01-01T10:00:00",
        "2025-01-01T10:00:00.Z",
        "2025-01-01T10:00:00+16:00",
        "2025-01-01 10:00:00Z",
        "yesterday",
        "20250101",
    ] {
        assert_eq!(parse_moment(raw), None, "{raw}");
    }
}

#[test]
fn buckets_start_on_monday_the_first_and_january_first() {
    let d = date("2025-01-01"); // a Wednesday
    assert_eq!(Unit::Week.start(d), date("2024-12-30"));
    assert_eq!(Unit::Month.start(date("2025-02-17")), date("2025-02-01"));
    assert_eq!(Unit::Year.start(date("2025-02-17")), date("2025-01-01"));
    assert_eq!(Unit::Day.start(d), d);
}

#[test]
fn the_bucket_is_the_local_date_in_the_zone() {
    let bucket = DateBucket {
        field: Field::parse("at").unwrap(),
        unit: Unit::Day,
        zone: "America/New_York".parse().unwrap(),
    };
    let key = bucket.key_of(&json!({"at": "2025-07-01T02:00:00Z"}));
    assert_eq!(key, json!("2025-06-30"));
    assert_eq!(
        bucket.key_of(&json!({"at": "2025-07-01"})),
        json!("2025-07-01")
    );
    assert_eq!(bucket.key_of(&json!({"at": 20250701})), Value::Null);
    assert_eq!(bucket.key_of(&json!({})), Value::Null);
}

#[test]
fn group_by_takes_paths_and_buckets() {
    let keys = parse_group_by(&json!([
        "status",
        {"field": "createdAt", "unit": "month", "timezone": "Europe/Paris"}
    ]))
    .unwrap();
    assert_eq!(keys[0].name(), "status");
    assert_eq!(keys[1].name(), "createdAt");
    assert_eq!(parse_group_by(&json!("a.b")).unwrap()[0].name(), "a.b");
}

#[test]
fn group_by_refusals_name_the_place() {
    let cases = [
        (json!(["a", "b", "c", "d"]), "groupBy"),
        (json!(["a", "a"]), "groupBy.1"),
        (json!("id"), "groupBy"),
        (
            json!([{"field": "createdAt", "unit": "hour"}]),
            "groupBy.0.unit",
        ),
        (
            json!([{"field": "createdAt", "unit": "day", "timezone": "Mars/Base"}]),
            "groupBy.0.timezone",
        ),
        (
            json!([{"field": "revision", "unit": "day"}]),
            "groupBy.0.field",
        ),
        (json!([{"unit": "day"}]), "groupBy.0.field"),
        (json!(3), "groupBy"),
    ];
    for (raw, at) in cases {
        assert_eq!(parse_group_by(&raw).unwrap_err().field, at, "{raw}");
    }
}
