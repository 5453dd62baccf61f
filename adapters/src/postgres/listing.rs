//! The statements of the entry reads: a page (filter, sort, keyset cursor, limit), a count,
//! and one entry by id. The tenant, the collection and "not deleted" are written into each
//! statement (the listing index `entries_listing` starts with them), besides the
//! row-level-security policies that also restrict every row to the caller's project and to
//! what they may read.
//!
//! Sorting by a data field orders by three keys then `id`: the JSON type's rank (the domain's
//! [`JsonType::rank`], missing counting as `null`; the `CASE` is generated from
//! [`JsonType::ORDER`]), the text of strings `COLLATE "C"` (byte order), and the jsonb value of the other
//! types (numbers numerically; booleans, arrays and objects in jsonb's order, which for
//! strings nested inside arrays or objects follows the database's collation). Missing and
//! `null` values are equal and come first ascending, last descending. A keyset cursor
//! becomes one row-value comparison over the same keys.

use domain::model::{CollectionName, EntryId, ProjectId};
use domain::ports::{EntryQuery, StoreError};
use domain::query::{Direction, Field, Filter, JsonType, SystemField};
use serde_json::Value;

use super::filter_sql::{push_filter, value_expr};
use super::sql::{Arg, Sql};
use super::system_sql::{column, system_arg};

/// The columns every entry read returns, in `EntryRow`'s order.
pub const COLUMNS: &str = "id, tenant_id, collection, data, access, revision, \
     created_at, updated_at, deleted_at, created_by";

/// `SELECT … FROM entries WHERE <tenant, collection, not deleted>` plus `AND `.
fn scoped(select: &str, project: ProjectId, collection: &CollectionName) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" FROM entries WHERE tenant_id = ")
        .push_bind(Arg::Uuid(project.as_uuid()))
        .push(" AND collection = ")
        .push_bind(Arg::Text(collection.as_str().to_owned()))
        .push(" AND deleted_at IS NULL");
    sql
}

fn push_where(sql: &mut Sql, filter: &Filter) -> Result<(), StoreError> {
    if *filter != Filter::All {
        sql.push(" AND ");
        push_filter(sql, filter)?;
    }
    Ok(())
}

/// The statement of one page of `query`.
///
/// # Errors
/// A filter or cursor value not in the domain's normalized form.
pub fn page(
    project: ProjectId,
    collection: &CollectionName,
    query: &EntryQuery,
) -> Result<Sql, StoreError> {
    let mut sql = scoped(&format!("SELECT {COLUMNS}"), project, collection);
    push_where(&mut sql, &query.filter)?;
    let (ascending, order) = match query.sort.direction {
        Direction::Asc => (true, "ASC"),
        Direction::Desc => (false, "DESC"),
    };
    let after = if ascending { ">" } else { "<" };
    let keys: Vec<String> = match &query.sort.field {
        Field::System(SystemField::Id) => vec!["id".to_owned()],
        Field::System(system) => vec![column(*system).to_owned(), "id".to_owned()],
        Field::Data(path) => {
            let value = value_expr(&mut sql, path);
            let mut keys = data_keys(&value).to_vec();
            keys.push("id".to_owned());
            keys
        }
    };
    if let Some(cursor) = &query.after {
        let mut bounds = match &query.sort.field {
            Field::System(SystemField::Id) => Vec::new(),
            Field::System(system) => vec![system_arg(*system, &cursor.sort_value)?],
            Field::Data(_) => cursor_keys(&cursor.sort_value).to_vec(),
        };
        bounds.push(Arg::Uuid(cursor.id));
        let placeholders: Vec<String> = bounds.into_iter().map(|b| sql.bind(b)).collect();
        sql.push(&format!(
            " AND ({}) {after} ({})",
            keys.join(", "),
            placeholders.join(", ")
        ));
    }
    let order_by: Vec<String> = keys.iter().map(|k| format!("{k} {order}")).collect();
    sql.push(&format!(" ORDER BY {} LIMIT ", order_by.join(", ")))
        .push_bind(Arg::Int(i64::from(query.limit)));
    Ok(sql)
}

/// The three sort keys of a data value (see the module documentation).
pub(super) fn data_keys(value: &str) -> [String; 3] {
    let ranks: String = JsonType::ORDER
        .into_iter()
        .map(|t| format!(" WHEN '{}' THEN {}", jsonb_type_name(t), t.rank()))
        .collect();
    [
        format!("(CASE coalesce(jsonb_typeof({value}), 'null'){ranks} END)"),
        format!(
            "((CASE WHEN jsonb_typeof({value}) = 'string' THEN {value} #>> '{{}}' ELSE '' END) \
             COLLATE \"C\")"
        ),
        format!(
            "(CASE WHEN jsonb_typeof({value}) IN ('number', 'boolean', 'array', 'object') \
             THEN {value} ELSE 'null'::jsonb END)"
        ),
    ]
}

/// The name `jsonb_typeof` gives a JSON type.
const fn jsonb_type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Null => "null",
        JsonType::String => "string",
        JsonType::Number => "number",
        JsonType::Boolean => "boolean",
        JsonType::Array => "array",
        JsonType::Object => "object",
    }
}

/// The same three keys for a cursor's sort value.
fn cursor_keys(value: &Value) -> [Arg; 3] {
    let rank = i64::from(JsonType::of(value).rank());
    let text = value.as_str().unwrap_or_default().to_owned();
    let json = if value.is_string() {
        Value::Null
    } else {
        value.clone()
    };
    // The rank is compared with an integer (int4) expression: int8 = int4 compares fine.
    [Arg::Int(rank), Arg::Text(text), Arg::Json(json)]
}

/// The statement counting the entries that match `filter`.
///
/// # Errors
/// A filter value not in the domain's normalized form.
pub fn count(
    project: ProjectId,
    collection: &CollectionName,
    filter: &Filter,
) -> Result<Sql, StoreError> {
    let mut sql = scoped("SELECT count(*) AS n", project, collection);
    push_where(&mut sql, filter)?;
    Ok(sql)
}

/// The statement reading one entry.
pub fn one(project: ProjectId, collection: &CollectionName, id: EntryId) -> Sql {
    let mut sql = one_any(project, collection, id);
    sql.push(" AND deleted_at IS NULL");
    sql
}

/// The statement reading one entry, deleted or not (where a restore starts).
pub fn one_any(project: ProjectId, collection: &CollectionName, id: EntryId) -> Sql {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM entries WHERE tenant_id = "));
    sql.push_bind(Arg::Uuid(project.as_uuid()))
        .push(" AND collection = ")
        .push_bind(Arg::Text(collection.as_str().to_owned()))
        .push(" AND id = ")
        .push_bind(Arg::Uuid(id.as_uuid()));
    sql
}
