//! `sort` and keyset cursors as SQL: the `ORDER BY` keys of a [`Sort`] and the row-value
//! condition "strictly after the cursor" in that same order.
//!
//! A system field sorts by its column, then `id`. A data field sorts by three keys:
//!
//! 1. a type rank, because SQLite's own cross-type order (NULL < numbers < text < blob)
//!    differs from the domain's: [`JsonType::rank`], missing counting as null, the `CASE`
//!    generated from [`JsonType::ORDER`] by [`rank_expr`];
//! 2. the value within its rank: `json_extract`'s SQL value with 0 for missing and null
//!    (so no key is NULL and row values compare), text under BINARY collation (UTF-8 byte
//!    order, as the domain), numbers numerically (`5` ties with `5.0`), booleans 0 < 1,
//!    arrays and objects by their JSON text (the domain orders those by size first: the one
//!    documented difference; the contract suite sorts scalars and missing values only);
//! 3. `id`.
//!
//! All keys go in the sort's direction, so missing and null come first ascending and last
//! descending, and the cursor condition is `(keys) > (cursor keys)` ascending, `<`
//! descending, with the cursor's keys computed from its `sort_value` by [`rank_and_value`],
//! the Rust twin of the SQL expressions.

use domain::query::{Cursor, Direction, Field, JsonType, Sort, SystemField};
use serde_json::Value;

use super::filter_sql::{column, system_operand};
use super::json_path::path_expr;
use super::sql::{Arg, Sql};

/// The `ORDER BY` keys of a sort, and their direction.
pub(super) struct Order {
    keys: Vec<String>,
    direction: Direction,
}

impl Order {
    /// The keys of `sort`; data paths are bound in `sql`.
    pub(super) fn new(sql: &mut Sql, sort: &Sort) -> Self {
        let keys = match &sort.field {
            Field::System(SystemField::Id) => vec![column(SystemField::Id).to_owned()],
            Field::System(system) => vec![
                column(*system).to_owned(),
                column(SystemField::Id).to_owned(),
            ],
            Field::Data(path) => {
                let path = path_expr(sql, path);
                vec![
                    rank_expr(&format!("json_type(entries.data, {path})")),
                    format!("coalesce(json_extract(entries.data, {path}), 0)"),
                    column(SystemField::Id).to_owned(),
                ]
            }
        };
        Self {
            keys,
            direction: sort.direction,
        }
    }

    /// `ORDER BY k1 ASC, k2 ASC, …` (or `DESC`).
    pub(super) fn order_by(&self) -> String {
        let direction = match self.direction {
            Direction::Asc => " ASC",
            Direction::Desc => " DESC",
        };
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{k}{direction}"))
            .collect();
        format!(" ORDER BY {}", keys.join(", "))
    }

    /// The condition "strictly after `cursor` in this order", binding the cursor's keys.
    pub(super) fn after(&self, sql: &mut Sql, sort: &Sort, cursor: &Cursor) -> String {
        let id = Arg::Text(cursor.id.to_string());
        let values: Vec<Arg> = match &sort.field {
            Field::System(SystemField::Id) => vec![id],
            Field::System(system) => vec![
                system_operand(*system, &cursor.sort_value).unwrap_or(Arg::Null),
                id,
            ],
            Field::Data(_) => {
                let (rank, value) = rank_and_value(&cursor.sort_value);
                vec![Arg::Int(rank), value, id]
            }
        };
        let placeholders: Vec<String> = values.into_iter().map(|v| sql.bind(v)).collect();
        let symbol = match self.direction {
            Direction::Asc => ">",
            Direction::Desc => "<",
        };
        format!(
            "(({}) {symbol} ({}))",
            self.keys.join(", "),
            placeholders.join(", ")
        )
    }
}

/// The names `json_type` gives each JSON type.
const fn json_type_names(t: JsonType) -> &'static [&'static str] {
    match t {
        JsonType::Null => &["null"],
        JsonType::String => &["text"],
        JsonType::Number => &["integer", "real"],
        JsonType::Boolean => &["true", "false"],
        JsonType::Array => &["array"],
        JsonType::Object => &["object"],
    }
}

/// `(CASE coalesce(<json_type>, 'null') WHEN 'null' THEN 0 … END)`: the domain's rank of the
/// type `json_type` reports (NULL for a missing path, ranked as null).
pub(super) fn rank_expr(json_type: &str) -> String {
    let arms: String = JsonType::ORDER
        .into_iter()
        .flat_map(|t| {
            json_type_names(t)
                .iter()
                .map(move |name| format!(" WHEN '{name}' THEN {}", t.rank()))
        })
        .collect();
    format!("(CASE coalesce({json_type}, 'null'){arms} END)")
}

/// The first two sort keys of a data field for a JSON value, as the SQL computes them for
/// a stored one.
pub(super) fn rank_and_value(value: &Value) -> (i64, Arg) {
    let rank = i64::from(JsonType::of(value).rank());
    match value {
        Value::Null => (rank, Arg::Int(0)),
        _ => (rank, Arg::scalar(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    fn order(sort: Value) -> (Sql, Order, Sort) {
        let sort = Sort::parse(&sort).unwrap();
        let mut sql = Sql::default();
        let order = Order::new(&mut sql, &sort);
        (sql, order, sort)
    }

    #[test]
    fn a_system_field_sorts_by_its_column_then_id() {
        let (_, order, _) = order(json!({"createdAt": -1}));
        assert_eq!(
            order.order_by(),
            " ORDER BY entries.created_at DESC, entries.id DESC"
        );
    }

    #[test]
    fn sorting_by_id_needs_no_tie_break() {
        let (mut sql, order, sort) = order(json!({"id": 1}));
        assert_eq!(order.order_by(), " ORDER BY entries.id ASC");
        let cursor = Cursor {
            sort_value: json!(Uuid::nil().to_string()),
            id: Uuid::nil(),
        };
        assert_eq!(
            order.after(&mut sql, &sort, &cursor),
            "((entries.id) > (?1))"
        );
    }

    #[test]
    fn a_data_field_sorts_by_rank_value_and_id() {
        let (mut sql, order, sort) = order(json!({"price": -1}));
        assert!(order.order_by().ends_with(", entries.id DESC"));
        let cursor = Cursor {
            sort_value: json!(9.5),
            id: Uuid::nil(),
        };
        let after = order.after(&mut sql, &sort, &cursor);
        assert!(after.ends_with(") < (?2, ?3, ?4))"), "{after}");
        assert_eq!(
            sql.args()[1..],
            [
                Arg::Int(2),
                Arg::Real(9.5),
                Arg::Text(Uuid::nil().to_string())
            ]
        );
    }

    #[test]
    fn ranks_follow_the_domain_type_order() {
        let ranks: Vec<i64> = [
            json!(null),
            json!("a"),
            json!(1),
            json!(true),
            json!([]),
            json!({}),
        ]
        .iter()
        .map(|v| rank_and_value(v).0)
        .collect();
        assert_eq!(ranks, [0, 1, 2, 3, 4, 5]);
    }
}
