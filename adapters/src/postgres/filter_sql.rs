//! The domain's filter AST as a PostgreSQL condition on `entries`, with the semantics of
//! `Filter::matches` (the reference evaluator):
//!
//! - A data path is read with `data #> $n::text[]` (the segments bound as one parameter).
//!   `#>` treats a segment that `strtol` reads as an integer (`-1`, `+2`, ` 3`) as an array
//!   index where the domain indexes arrays only with digit strings, so paths with such
//!   segments also require the containers they name to be objects.
//! - Equality is jsonb `=` (numbers numerically, objects in any key order, arrays element by
//!   element, never an array element); missing equals `null`. No condition uses an index on
//!   `data`: row-level security evaluates the read rule first (none of these jsonb functions
//!   is LEAKPROOF), so the caller's operands only meet rows they may read.
//! - `$gt`/`$gte`/`$lt`/`$lte` match only values of the operand's JSON type: numbers as
//!   jsonb (numerically), strings as text `COLLATE "C"` (by their bytes).
//! - System fields map to fixed columns (`id`, `created_at`, `updated_at`, `revision`).
//!
//! Every condition written here is two-valued (never NULL), so `NOT` of it is the negation
//! `$ne` and `$nin` need.

use domain::path::FieldPath;
use domain::ports::StoreError;
use domain::query::{CmpOp, Field, Filter};
use serde_json::Value;

use super::operators::comparison;
use super::sql::{Arg, Sql};
use super::system_sql::{system_cmp, system_in};

/// Appends the condition of `filter` (parenthesised) to `sql`.
///
/// # Errors
/// A system-field operand that is not in the domain's normalized form (parsing guarantees
/// it is).
pub fn push_filter(sql: &mut Sql, filter: &Filter) -> Result<(), StoreError> {
    let condition = condition(sql, filter)?;
    sql.push(&condition);
    Ok(())
}

fn condition(sql: &mut Sql, filter: &Filter) -> Result<String, StoreError> {
    Ok(match filter {
        Filter::All => "TRUE".to_owned(),
        Filter::And(members) => join(sql, members, " AND ", "TRUE")?,
        Filter::Or(members) => join(sql, members, " OR ", "FALSE")?,
        Filter::Cmp { field, op, value } => match field {
            Field::System(system) => system_cmp(sql, *system, *op, value)?,
            Field::Data(path) => data_cmp(sql, path, *op, value),
        },
        Filter::In {
            field,
            values,
            negated,
        } => {
            let any = match field {
                Field::System(system) => system_in(sql, *system, values)?,
                Field::Data(path) => data_in(sql, path, values),
            };
            if *negated {
                format!("(NOT {any})")
            } else {
                any
            }
        }
        Filter::Exists { field, exists } => match field {
            // System fields are always present.
            Field::System(_) => if *exists { "TRUE" } else { "FALSE" }.to_owned(),
            Field::Data(path) => {
                let value = value_expr(sql, path);
                let test = if *exists { "IS NOT NULL" } else { "IS NULL" };
                format!("({value} {test})")
            }
        },
    })
}

fn join(sql: &mut Sql, members: &[Filter], with: &str, empty: &str) -> Result<String, StoreError> {
    if members.is_empty() {
        return Ok(empty.to_owned());
    }
    let parts = members
        .iter()
        .map(|m| condition(sql, m))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("({})", parts.join(with)))
}

/// The SQL expression of a data path's value: jsonb, NULL when the path is missing.
pub fn value_expr(sql: &mut Sql, path: &FieldPath) -> String {
    let segments = path.segments();
    let placeholder = sql.bind(Arg::Texts(segments.to_vec()));
    let value = format!("(data #> {placeholder}::text[])");
    let guards: Vec<String> = (1..segments.len())
        .filter(|i| read_as_index_only_by_postgres(&segments[*i]))
        .map(|i| {
            let parent = sql.bind(Arg::Texts(segments[..i].to_vec()));
            format!("jsonb_typeof(data #> {parent}::text[]) = 'object'")
        })
        .collect();
    if guards.is_empty() {
        value
    } else {
        format!("(CASE WHEN {} THEN {value} END)", guards.join(" AND "))
    }
}

/// True for a segment PostgreSQL's `#>` would use as an array index (C `strtol`: optional
/// leading white space and sign, then digits) but the domain would not (digits only).
fn read_as_index_only_by_postgres(segment: &str) -> bool {
    if is_index(segment) {
        return false;
    }
    let trimmed = segment.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let unsigned = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    !unsigned.is_empty() && is_index(unsigned)
}

fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

fn data_cmp(sql: &mut Sql, path: &FieldPath, op: CmpOp, operand: &Value) -> String {
    match op {
        CmpOp::Eq => data_in(sql, path, std::slice::from_ref(operand)),
        CmpOp::Ne => format!(
            "(NOT {})",
            data_in(sql, path, std::slice::from_ref(operand))
        ),
        CmpOp::Gt | CmpOp::Gte | CmpOp::Lt | CmpOp::Lte => {
            let symbol = comparison(op);
            match operand {
                Value::Number(_) => {
                    let value = value_expr(sql, path);
                    let p = sql.bind(Arg::Json(operand.clone()));
                    format!(
                        "COALESCE(jsonb_typeof({value}) = 'number' \
                         AND {value} {symbol} {p}::jsonb, FALSE)"
                    )
                }
                Value::String(text) => {
                    let value = value_expr(sql, path);
                    let p = sql.bind(Arg::Text(text.clone()));
                    format!(
                        "COALESCE(jsonb_typeof({value}) = 'string' \
                         AND ({value} #>> '{{}}') COLLATE \"C\" {symbol} {p}::text, FALSE)"
                    )
                }
                // Only numbers and strings order; the parser refuses other operands.
                _ => "FALSE".to_owned(),
            }
        }
    }
}

/// True when the value at `path` equals one of `values` (missing equals `null`).
fn data_in(sql: &mut Sql, path: &FieldPath, values: &[Value]) -> String {
    let (nulls, others): (Vec<&Value>, Vec<&Value>) = values.iter().partition(|v| v.is_null());
    let value = value_expr(sql, path);
    let mut alternatives = Vec::new();
    if !others.is_empty() {
        let equal = if let [one] = others.as_slice() {
            let p = sql.bind(Arg::Json((*one).clone()));
            format!("COALESCE({value} = {p}::jsonb, FALSE)")
        } else {
            let p = sql.bind(Arg::Jsons(others.iter().map(|v| (*v).clone()).collect()));
            format!("COALESCE({value} = ANY({p}::jsonb[]), FALSE)")
        };
        alternatives.push(equal);
    }
    if !nulls.is_empty() {
        alternatives.push(format!(
            "(COALESCE({value}, 'null'::jsonb) = 'null'::jsonb)"
        ));
    }
    match alternatives.len() {
        0 => "FALSE".to_owned(),
        1 => alternatives.remove(0),
        _ => format!("({})", alternatives.join(" OR ")),
    }
}

#[cfg(test)]
mod tests;
