//! The rows a member may see, as SQL: the read rule of every entry statement and the
//! `SELECT` of a page. Shared by the entry, aggregate, bulk and history statements.

use domain::model::{CollectionName, Member};
use domain::ports::EntryQuery;
use domain::rules::read_predicate;

use super::filter_sql::condition;
use super::order_sql::Order;
use super::rows::ENTRY_COLUMNS;
use super::sql::Sql;

/// Appends the conditions every read of `member`'s entries carries: their project, the
/// collection, not deleted, and readable (see [`push_readable`]).
pub(super) fn push_visible(sql: &mut Sql, member: &Member, collection: &CollectionName) {
    push_readable(sql, member, collection);
    sql.push(" AND entries.deleted_at IS NULL");
}

/// Appends the read rule of `member`'s entries, deleted or not: their project, the
/// collection, and [`push_read_rule`]. What a swap (an undelete among them) and the history
/// reads match.
pub(super) fn push_readable(sql: &mut Sql, member: &Member, collection: &CollectionName) {
    sql.push("entries.tenant_id = ")
        .push_bind(member.project.to_string())
        .push(" AND entries.collection = ")
        .push_bind(collection.as_str())
        .push(" AND ");
    push_read_rule(sql, member);
}

/// Appends whether `member` may read the row of `entries` by its access lists alone:
/// `everything`, or one of the member's subjects in `access.read` (the subjects bound as
/// one JSON array).
pub(super) fn push_read_rule(sql: &mut Sql, member: &Member) {
    let rule = read_predicate(member);
    let subjects = serde_json::Value::from(rule.subjects).to_string();
    sql.push("(")
        .push_bind(rule.everything)
        .push(
            " OR EXISTS (SELECT 1 FROM json_each(entries.access, '$.read') r \
             WHERE r.value IN (SELECT value FROM json_each(",
        )
        .push_bind(subjects)
        .push("))))");
}

/// The `SELECT` of a page: visible entries matching the filter, after the cursor, in the
/// sort's order.
pub(super) fn listing(member: &Member, collection: &CollectionName, query: &EntryQuery) -> Sql {
    let mut sql = Sql::new(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE "));
    push_visible(&mut sql, member, collection);
    let filter = condition(&mut sql, &query.filter);
    sql.push(" AND ").push(&filter);
    let order = Order::new(&mut sql, &query.sort);
    if let Some(cursor) = &query.after {
        let after = order.after(&mut sql, &query.sort, cursor);
        sql.push(" AND ").push(&after);
    }
    sql.push(&order.order_by())
        .push(" LIMIT ")
        .push_bind(i64::from(query.limit));
    sql
}
