//! An entry: its own fields plus the system fields only the server sets.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde_json::{Map, Value};

use super::access::Access;
use super::ids::{CollectionName, EntryId, ProjectId, UserId};

/// A data entry of a type.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    pub tenant_id: ProjectId,
    pub collection: CollectionName,
    /// The entry's own fields; never contains a system field name at the top level.
    pub fields: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// 1 at creation, +1 on every update and delete.
    pub revision: i64,
    pub access: Access,
    pub created_by: UserId,
}

/// The wire form of a timestamp: RFC 3339, UTC, microseconds (what both databases keep).
///
/// Written digit by digit for years 0–9999 (a page formats two per entry, and chrono's
/// general formatter was a visible share of a call's CPU); chrono's own for any other.
#[must_use]
pub fn format_time(t: DateTime<Utc>) -> String {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return t.to_rfc3339_opts(SecondsFormat::Micros, true);
    }
    // Within a leap second chrono reports 1_000_000.. nanoseconds; its formatter then
    // writes second 60, as here.
    let nanos = t.nanosecond();
    let (second, micros) = if nanos >= 1_000_000_000 {
        (t.second() + 1, (nanos - 1_000_000_000) / 1_000)
    } else {
        (t.second(), nanos / 1_000)
    };
    let mut out = String::with_capacity(27);
    push_digits(&mut out, year.unsigned_abs(), 4);
    for (separator, value, width) in [
        ('-', t.month(), 2),
        ('-', t.day(), 2),
        ('T', t.hour(), 2),
        (':', t.minute(), 2),
        (':', second, 2),
        ('.', micros, 6),
    ] {
        out.push(separator);
        push_digits(&mut out, value, width);
    }
    out.push('Z');
    out
}

/// Appends `value` in exactly `width` decimal digits (zero-padded; `width` ≤ 6).
fn push_digits(out: &mut String, value: u32, width: usize) {
    let mut buffer = [b'0'; 6];
    let width = width.min(buffer.len());
    let mut rest = value;
    for slot in buffer[..width].iter_mut().rev() {
        *slot = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
    }
    out.extend(buffer[..width].iter().map(|b| char::from(*b)));
}

impl Entry {
    /// The flat object tools return: the fields plus `id`, `tenantId`, `createdAt`,
    /// `updatedAt`, `deletedAt`, `revision`, `access`.
    #[must_use]
    pub fn to_json(&self) -> Map<String, Value> {
        self.clone().into_json()
    }

    /// The same flat form, taking the entry (its fields are moved, not copied).
    #[must_use]
    pub fn into_json(self) -> Map<String, Value> {
        let mut out = self.fields;
        out.insert("id".into(), Value::String(self.id.to_string()));
        out.insert("tenantId".into(), Value::String(self.tenant_id.to_string()));
        out.insert(
            "createdAt".into(),
            Value::String(format_time(self.created_at)),
        );
        out.insert(
            "updatedAt".into(),
            Value::String(format_time(self.updated_at)),
        );
        out.insert(
            "deletedAt".into(),
            self.deleted_at
                .map_or(Value::Null, |t| Value::String(format_time(t))),
        );
        out.insert("revision".into(), Value::from(self.revision));
        out.insert(
            "access".into(),
            serde_json::to_value(&self.access).unwrap_or(Value::Null),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_flat_form_carries_every_system_field() {
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let entry = Entry {
            id: EntryId::from_uuid(uuid::Uuid::nil()),
            tenant_id: ProjectId::from_uuid(uuid::Uuid::nil()),
            collection: "tasks".parse().unwrap(),
            fields: json!({"title": "x"}).as_object().unwrap().clone(),
            created_at: t,
            updated_at: t,
            deleted_at: None,
            revision: 1,
            access: Access::default_for_type(),
            created_by: UserId::from_uuid(uuid::Uuid::nil()),
        };
        let flat = entry.to_json();
        for key in crate::path::SYSTEM_FIELDS {
            assert!(flat.contains_key(key), "{key}");
        }
        assert_eq!(flat["createdAt"], "2026-01-02T03:04:05.123456Z");
        assert_eq!(flat["title"], "x");
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn times_are_written_as_chrono_writes_them(micros in -62_135_596_800_000_000_i64..253_402_300_799_999_999_i64) {
            let t = DateTime::from_timestamp_micros(micros).unwrap();
            prop_assert_eq!(format_time(t), t.to_rfc3339_opts(SecondsFormat::Micros, true));
        }
    }

    #[test]
    fn years_beyond_four_digits_fall_back_to_chrono() {
        let t = DateTime::from_timestamp_micros(253_402_300_800_000_000).unwrap();
        assert_eq!(
            format_time(t),
            t.to_rfc3339_opts(SecondsFormat::Micros, true)
        );
    }
}
