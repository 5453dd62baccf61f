//! The domain's filter AST as an SQLite condition on `entries`, with the semantics of
//! `Filter::matches` (the reference evaluator in `domain::query`).
//!
//! - Data fields are read with `json_type` / `json_extract` at a bound JSON path
//!   ([`path_expr`]); `json_type` is NULL for a missing field and `'null'` for JSON null.
//! - Every condition evaluates to 0 or 1, never NULL, so `NOT` (for `$ne`, `$nin`) is the
//!   exact negation, and a missing field matches `$ne` and `$nin`.
//! - Equality with a scalar checks the JSON type and then the value: numbers numerically
//!   (`1 = 1.0`), strings exactly, booleans by type; null equals null or missing. Equality
//!   with an array or object compares the two `json_tree` flattenings: the same number of
//!   nodes, and for each node of the operand a node of the stored value at the same path
//!   (`fullkey`) with the same type and atom (numbers numerically). Paths ignore key order,
//!   so objects compare member by member in any order, as the evaluator does; arrays
//!   compare element by element in order; an array never equals one of its elements.
//! - `$gt`/`$gte`/`$lt`/`$lte` hold only for values of the operand's type: numbers
//!   numerically, strings under SQLite's default BINARY collation (UTF-8 byte order).
//! - System fields map to their columns and compare as text (UUIDs, fixed-width UTC
//!   timestamps) or integers (revision); operands arrive normalized by the domain.
//!
//! Known difference: an integer and a float are compared exactly by SQLite, while the
//! evaluator converts the integer to f64 first; they disagree only beyond 2^53.

use domain::query::{CmpOp, Field, Filter, SystemField};
use serde_json::Value;

use super::json_path::path_expr;
use super::sql::{Arg, Sql};

/// The condition for `filter`, with its values bound in `sql`.
pub(super) fn condition(sql: &mut Sql, filter: &Filter) -> String {
    match filter {
        Filter::All => "1".to_owned(),
        Filter::And(members) => combine(sql, members, " AND ", "1"),
        Filter::Or(members) => combine(sql, members, " OR ", "0"),
        Filter::Cmp { field, op, value } => match field {
            Field::System(system) => system_cmp(sql, *system, *op, value),
            Field::Data(path) => {
                let path = path_expr(sql, path);
                data_cmp(sql, &path, *op, value)
            }
        },
        Filter::In {
            field,
            values,
            negated,
        } => {
            let any = match field {
                Field::System(system) => system_in(sql, *system, values),
                Field::Data(path) => {
                    let path = path_expr(sql, path);
                    data_in(sql, &path, values)
                }
            };
            if *negated {
                format!("(NOT {any})")
            } else {
                any
            }
        }
        Filter::Exists { field, exists } => match field {
            // System fields are present on every entry.
            Field::System(_) => if *exists { "1" } else { "0" }.to_owned(),
            Field::Data(path) => {
                let path = path_expr(sql, path);
                let test = if *exists { "IS NOT NULL" } else { "IS NULL" };
                format!("(json_type(entries.data, {path}) {test})")
            }
        },
    }
}

fn combine(sql: &mut Sql, members: &[Filter], joiner: &str, empty: &str) -> String {
    if members.is_empty() {
        return empty.to_owned();
    }
    let parts: Vec<String> = members.iter().map(|f| condition(sql, f)).collect();
    format!("({})", parts.join(joiner))
}

fn data_cmp(sql: &mut Sql, path: &str, op: CmpOp, value: &Value) -> String {
    let symbol = match op {
        CmpOp::Eq => return data_eq(sql, path, value),
        CmpOp::Ne => return format!("(NOT {})", data_eq(sql, path, value)),
        CmpOp::Gt => ">",
        CmpOp::Gte => ">=",
        CmpOp::Lt => "<",
        CmpOp::Lte => "<=",
    };
    let (is_type, operand) = match value {
        Value::Number(n) => (is_number(path), sql.bind(Arg::number(n))),
        Value::String(s) => (is_text(path), sql.bind(s.as_str())),
        // The evaluator compares only numbers and strings; nothing else ever matches.
        _ => return "0".to_owned(),
    };
    format!("({is_type} AND json_extract(entries.data, {path}) {symbol} {operand})")
}

/// JSON equality of the value at `path` with `value`; 0 or 1.
fn data_eq(sql: &mut Sql, path: &str, value: &Value) -> String {
    match value {
        Value::Null => format!("(coalesce(json_type(entries.data, {path}), 'null') = 'null')"),
        Value::Bool(true) => format!("(json_type(entries.data, {path}) IS 'true')"),
        Value::Bool(false) => format!("(json_type(entries.data, {path}) IS 'false')"),
        Value::Number(n) => {
            let operand = sql.bind(Arg::number(n));
            format!(
                "({} AND json_extract(entries.data, {path}) = {operand})",
                is_number(path)
            )
        }
        Value::String(s) => {
            let operand = sql.bind(s.as_str());
            format!(
                "({} AND json_extract(entries.data, {path}) = {operand})",
                is_text(path)
            )
        }
        Value::Array(_) | Value::Object(_) => container_eq(sql, path, value),
    }
}

/// Equality with an array or object through the two `json_tree` flattenings (see the
/// module documentation).
fn container_eq(sql: &mut Sql, path: &str, value: &Value) -> String {
    let kind = if value.is_array() { "array" } else { "object" };
    let nodes = sql.bind(i64::try_from(count_nodes(value)).unwrap_or(i64::MAX));
    let operand = sql.bind(value.to_string());
    let stored = format!("entries.data -> {path}");
    format!(
        "(json_type(entries.data, {path}) IS '{kind}' \
         AND (SELECT count(*) FROM json_tree({stored})) = {nodes} \
         AND NOT EXISTS (SELECT 1 FROM json_tree({operand}) o WHERE NOT EXISTS (\
         SELECT 1 FROM json_tree({stored}) s WHERE s.fullkey = o.fullkey AND \
         CASE WHEN o.type IN ('integer', 'real') \
         THEN s.type IN ('integer', 'real') AND s.atom = o.atom \
         ELSE s.type = o.type AND s.atom IS o.atom END)))"
    )
}

/// The rows `json_tree` yields for `value`: one per value, container or scalar.
fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(members) => members.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// `$in`: equality with any of `values`. Strings and numbers are grouped into one `IN`
/// list each; an empty list matches nothing.
fn data_in(sql: &mut Sql, path: &str, values: &[Value]) -> String {
    let mut parts = Vec::new();
    let texts: Vec<&Value> = values.iter().filter(|v| v.is_string()).collect();
    if !texts.is_empty() {
        let list = bind_list(sql, &texts);
        parts.push(format!(
            "({} AND json_extract(entries.data, {path}) IN ({list}))",
            is_text(path)
        ));
    }
    let numbers: Vec<&Value> = values.iter().filter(|v| v.is_number()).collect();
    if !numbers.is_empty() {
        let list = bind_list(sql, &numbers);
        parts.push(format!(
            "({} AND json_extract(entries.data, {path}) IN ({list}))",
            is_number(path)
        ));
    }
    for other in values.iter().filter(|v| !v.is_string() && !v.is_number()) {
        parts.push(data_eq(sql, path, other));
    }
    if parts.is_empty() {
        "0".to_owned()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

fn bind_list(sql: &mut Sql, values: &[&Value]) -> String {
    let placeholders: Vec<String> = values.iter().map(|v| sql.bind(Arg::scalar(v))).collect();
    placeholders.join(", ")
}

fn is_number(path: &str) -> String {
    format!("coalesce(json_type(entries.data, {path}), '') IN ('integer', 'real')")
}

fn is_text(path: &str) -> String {
    format!("json_type(entries.data, {path}) IS 'text'")
}

/// The column of a queryable system field (fixed names, never caller input).
pub(super) fn column(field: SystemField) -> &'static str {
    match field {
        SystemField::Id => "entries.id",
        SystemField::CreatedAt => "entries.created_at",
        SystemField::UpdatedAt => "entries.updated_at",
        SystemField::Revision => "entries.revision",
    }
}

/// The operand of a system field as its column stores it, or `None` when the value has
/// another type (the domain normalizes operands, so only a hand-built filter has one; as in
/// the evaluator, it then equals nothing).
pub(super) fn system_operand(field: SystemField, value: &Value) -> Option<Arg> {
    match field {
        SystemField::Revision => value.as_i64().map(Arg::Int),
        _ => value.as_str().map(Arg::from),
    }
}

fn system_cmp(sql: &mut Sql, field: SystemField, op: CmpOp, value: &Value) -> String {
    let Some(operand) = system_operand(field, value) else {
        return if op == CmpOp::Ne { "1" } else { "0" }.to_owned();
    };
    let symbol = match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Gt => ">",
        CmpOp::Gte => ">=",
        CmpOp::Lt => "<",
        CmpOp::Lte => "<=",
    };
    let operand = sql.bind(operand);
    format!("({} {symbol} {operand})", column(field))
}

fn system_in(sql: &mut Sql, field: SystemField, values: &[Value]) -> String {
    let placeholders: Vec<String> = values
        .iter()
        .filter_map(|v| system_operand(field, v))
        .map(|arg| sql.bind(arg))
        .collect();
    if placeholders.is_empty() {
        "0".to_owned()
    } else {
        format!("({} IN ({}))", column(field), placeholders.join(", "))
    }
}

#[cfg(test)]
mod tests;
