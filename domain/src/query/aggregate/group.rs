//! `groupBy`: up to three keys, each a data path (the group's value is the JSON value
//! there, missing counting as `null`) or a date bucket of a timestamp.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::super::operators::describe;
use super::super::{Field, QueryError, SystemField};
use crate::path::FieldPath;

/// The most keys one call may group by.
pub const MAX_GROUP_KEYS: usize = 3;

/// The length of the calendar span a date bucket covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Day,
    /// An ISO week, starting on Monday.
    Week,
    Month,
    Year,
}

impl Unit {
    const ALL: [Self; 4] = [Self::Day, Self::Week, Self::Month, Self::Year];

    /// The unit's name, as callers write it (and as PostgreSQL's `date_trunc` takes it).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
        }
    }

    /// The first day of the bucket holding `date`.
    #[must_use]
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => date,
            Self::Week => date
                .checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
                .unwrap_or(date),
            Self::Month => date.with_day(1).unwrap_or(date),
            Self::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date),
        }
    }
}

/// A date bucket: the local calendar date (in `zone`) of the start of the `unit` holding
/// the field's timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateBucket {
    /// `createdAt`, `updatedAt` or a data path holding RFC 3339 timestamps or ISO dates.
    pub field: Field,
    pub unit: Unit,
    pub zone: Tz,
}

impl DateBucket {
    /// The bucket of a flat entry: `"YYYY-MM-DD"`, or `null` when the field is missing or
    /// not a timestamp (see [`parse_moment`]). The reference semantics adapters are
    /// tested against.
    #[must_use]
    pub fn key_of(&self, entry: &Value) -> Value {
        let moment = self
            .field
            .lookup(entry)
            .and_then(|v| v.as_str().and_then(parse_moment));
        let Some(moment) = moment else {
            return Value::Null;
        };
        let local = match moment {
            Moment::Date(date) => date,
            Moment::Instant(t) => t.with_timezone(&self.zone).date_naive(),
        };
        Value::String(self.unit.start(local).format("%Y-%m-%d").to_string())
    }
}

/// One key of `groupBy`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupKey {
    /// The JSON value at a data path.
    Value(FieldPath),
    /// A date bucket.
    Bucket(DateBucket),
}

impl GroupKey {
    /// The key's name in a group's `key` object and in `sort`: the path, or the bucketed
    /// field's name.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Value(path) => path.to_string(),
            Self::Bucket(bucket) => bucket.field.to_string(),
        }
    }

    /// This key's value in a flat entry.
    #[must_use]
    pub fn key_of(&self, entry: &Value) -> Value {
        match self {
            Self::Value(path) => Field::Data(path.clone())
                .lookup(entry)
                .map_or(Value::Null, std::borrow::Cow::into_owned),
            Self::Bucket(bucket) => bucket.key_of(entry),
        }
    }
}

/// A parsed timestamp: an instant (RFC 3339 with an offset) or a calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Instant(DateTime<Utc>),
    /// A bare `YYYY-MM-DD`: bucketed as that date in every zone.
    Date(NaiveDate),
}

/// Reads the one timestamp syntax date buckets accept, the same in every store:
/// `YYYY-MM-DD` (year 0001–9999, a real date), or `YYYY-MM-DDTHH:MM:SS` with an optional
/// fraction of any length (ignored: it never moves a date bucket) and `Z` or an offset `±HH:MM` of at most 15:59 (uppercase `T`
/// and `Z`; seconds 00–59). Anything else is `None`: the entry goes to the `null` bucket.
#[must_use]
pub fn parse_moment(text: &str) -> Option<Moment> {
    let b = text.as_bytes();
    let date = parse_date(b.get(..10)?)?;
    if b.len() == 10 {
        return Some(Moment::Date(date));
    }
    if b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (hour, minute, second) = (two(b, 11)?, two(b, 14)?, two(b, 17)?);
    let time = NaiveTime::from_hms_opt(hour, minute, second).filter(|_| second < 60)?;
    let mut rest = b.get(19..)?;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = fraction.get(digits..)?;
    }
    let offset_seconds = match rest {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (two(rest, 1)?, two(rest, 4)?);
            if h > 15 || m > 59 {
                return None;
            }
            let magnitude = i64::from(h * 3600 + m * 60);
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    let local = NaiveDateTime::new(date, time).and_utc();
    local
        .checked_sub_signed(chrono::TimeDelta::seconds(offset_seconds))
        .map(Moment::Instant)
}

fn parse_date(b: &[u8]) -> Option<NaiveDate> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year = two(b, 0)? * 100 + two(b, 2)?;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, two(b, 5)?, two(b, 8)?)
}

/// Two ASCII digits at `at`.
fn two(b: &[u8], at: usize) -> Option<u32> {
    match (b.get(at), b.get(at + 1)) {
        (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
            Some(u32::from(x - b'0') * 10 + u32::from(y - b'0'))
        }
        _ => None,
    }
}

/// Parses `groupBy`: one key or an array of up to [`MAX_GROUP_KEYS`] distinct keys, each a
/// data path or `{"field", "unit", "timezone"?}`.
///
/// # Errors
/// Any other shape; a path [`Field::parse`] refuses or a system field outside a date
/// bucket; an unknown unit or time zone; a key named twice.
pub fn parse_group_by(raw: &Value) -> Result<Vec<GroupKey>, QueryError> {
    let items: Vec<(&Value, String)> = match raw {
        Value::Array(items) if items.len() <= MAX_GROUP_KEYS => items
            .iter()
            .enumerate()
            .map(|(i, item)| (item, format!("groupBy.{i}")))
            .collect(),
        Value::Array(items) => {
            return Err(QueryError::new(
                "groupBy",
                format!(
                    "groupBy takes at most {MAX_GROUP_KEYS} keys, not {}; group by fewer \
                     fields or filter first",
                    items.len()
                ),
            ));
        }
        single => vec![(single, "groupBy".to_owned())],
    };
    let mut keys: Vec<GroupKey> = Vec::with_capacity(items.len());
    for (item, at) in items {
        let key = parse_key(item, &at)?;
        if keys.iter().any(|k| k.name() == key.name()) {
            return Err(QueryError::new(
                at,
                format!("\"{}\" is grouped by twice; list each key once", key.name()),
            ));
        }
        keys.push(key);
    }
    Ok(keys)
}

fn parse_key(raw: &Value, at: &str) -> Result<GroupKey, QueryError> {
    match raw {
        Value::String(path) => match Field::parse(path).map_err(|e| e.at(at))? {
            Field::Data(path) => Ok(GroupKey::Value(path)),
            Field::System(system) => Err(QueryError::new(
                at,
                format!(
                    "\"{}\" cannot be a group key by itself (every entry has its own); group \
                     timestamps by a date bucket such as {{\"field\": \"createdAt\", \"unit\": \
                     \"month\"}}",
                    system.name()
                ),
            )),
        },
        Value::Object(map) => parse_bucket(map, at).map(GroupKey::Bucket),
        other => Err(QueryError::new(
            at,
            format!(
                "a group key is a field path such as \"status\" or a date bucket such as \
                 {{\"field\": \"createdAt\", \"unit\": \"month\"}}, not {}",
                describe(other)
            ),
        )),
    }
}

fn parse_bucket(map: &Map<String, Value>, at: &str) -> Result<DateBucket, QueryError> {
    if let Some(unknown) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "field" | "unit" | "timezone"))
    {
        return Err(QueryError::new(
            format!("{at}.{unknown}"),
            "a date bucket takes only field, unit and timezone",
        ));
    }
    let field = match map.get("field").and_then(Value::as_str) {
        Some(raw) => Field::parse(raw).map_err(|e| e.at(format!("{at}.field")))?,
        None => {
            return Err(QueryError::new(
                format!("{at}.field"),
                "a date bucket needs field: \"createdAt\", \"updatedAt\" or a data path \
                 holding dates",
            ));
        }
    };
    if matches!(
        field,
        Field::System(SystemField::Id | SystemField::Revision)
    ) {
        return Err(QueryError::new(
            format!("{at}.field"),
            format!("\"{field}\" is not a timestamp; bucket createdAt, updatedAt or a data path"),
        ));
    }
    let unit_raw = map.get("unit").and_then(Value::as_str).unwrap_or_default();
    let Some(unit) = Unit::ALL.into_iter().find(|u| u.name() == unit_raw) else {
        return Err(QueryError::new(
            format!("{at}.unit"),
            "unit must be \"day\", \"week\", \"month\" or \"year\"",
        ));
    };
    let zone = match map.get("timezone") {
        None | Some(Value::Null) => Tz::UTC,
        Some(Value::String(name)) => name.parse::<Tz>().map_err(|_| {
            QueryError::new(
                format!("{at}.timezone"),
                format!(
                    "\"{name}\" is not an IANA time zone; use a name such as \"Europe/Paris\" \
                     or \"UTC\" (the default)"
                ),
            )
        })?,
        Some(other) => {
            return Err(QueryError::new(
                format!("{at}.timezone"),
                format!(
                    "timezone is an IANA name such as \"Europe/Paris\", not {}",
                    describe(other)
                ),
            ));
        }
    };
    Ok(DateBucket { field, unit, zone })
}

#[cfg(test)]
mod tests;
