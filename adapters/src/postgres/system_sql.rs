//! System fields in filters and cursors: each maps to a fixed column, and its operands
//! (normalized by the domain's parser) are bound as the column's type.

use chrono::{DateTime, Utc};
use domain::ports::StoreError;
use domain::query::{CmpOp, SystemField};
use serde_json::Value;
use uuid::Uuid;

use super::operators::comparison;
use super::sql::{Arg, Sql};

/// The column a system field is stored in.
pub fn column(field: SystemField) -> &'static str {
    match field {
        SystemField::Id => "id",
        SystemField::CreatedAt => "created_at",
        SystemField::UpdatedAt => "updated_at",
        SystemField::Revision => "revision",
    }
}

pub fn system_cmp(
    sql: &mut Sql,
    field: SystemField,
    op: CmpOp,
    operand: &Value,
) -> Result<String, StoreError> {
    let p = sql.bind(system_arg(field, operand)?);
    Ok(format!("({} {} {p})", column(field), comparison(op)))
}

pub fn system_in(
    sql: &mut Sql,
    field: SystemField,
    values: &[Value],
) -> Result<String, StoreError> {
    if values.is_empty() {
        return Ok("FALSE".to_owned());
    }
    let args = values
        .iter()
        .map(|v| system_arg(field, v))
        .collect::<Result<Vec<_>, _>>()?;
    let list = match field {
        SystemField::Id => Arg::Uuids(args.into_iter().filter_map(as_uuid).collect()),
        SystemField::CreatedAt | SystemField::UpdatedAt => {
            Arg::Times(args.into_iter().filter_map(as_time).collect())
        }
        SystemField::Revision => Arg::Ints(args.into_iter().filter_map(as_int).collect()),
    };
    let p = sql.bind(list);
    Ok(format!("({} = ANY({p}))", column(field)))
}

fn as_uuid(arg: Arg) -> Option<Uuid> {
    if let Arg::Uuid(v) = arg {
        Some(v)
    } else {
        None
    }
}

fn as_time(arg: Arg) -> Option<DateTime<Utc>> {
    if let Arg::Time(v) = arg {
        Some(v)
    } else {
        None
    }
}

fn as_int(arg: Arg) -> Option<i64> {
    if let Arg::Int(v) = arg { Some(v) } else { None }
}

/// A system field's operand (or cursor value) as the column's type.
///
/// # Errors
/// A value not in the domain's normalized form for the field.
pub fn system_arg(field: SystemField, value: &Value) -> Result<Arg, StoreError> {
    let parsed = match field {
        SystemField::Id => value
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .map(Arg::Uuid),
        SystemField::CreatedAt | SystemField::UpdatedAt => value
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| Arg::Time(t.to_utc())),
        SystemField::Revision => value.as_i64().map(Arg::Int),
    };
    parsed.ok_or_else(|| {
        StoreError::Unexpected(format!(
            "{value} is not a value of the system field {}",
            field.name()
        ))
    })
}
