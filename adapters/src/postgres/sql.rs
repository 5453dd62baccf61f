//! A statement under construction: SQL text written only from fixed fragments, and the
//! values it compares with, always as bound parameters (`$1`, `$2`, …), never spliced.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Postgres;
use sqlx::postgres::PgArguments;
use sqlx::query::{Query, QueryAs, QueryScalar};
use uuid::Uuid;

/// Binds every `Arg` of a list, each as its own Rust (and so PostgreSQL) type.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Uuid(v) => query.bind(v),
                Arg::MaybeUuid(v) => query.bind(v),
                Arg::Uuids(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::Texts(v) => query.bind(v),
                Arg::Json(v) => query.bind(v),
                Arg::Jsons(v) => query.bind(v),
                Arg::Int(v) => query.bind(v),
                Arg::Ints(v) => query.bind(v),
                Arg::Time(v) => query.bind(v),
                Arg::Times(v) => query.bind(v),
                Arg::Bool(v) => query.bind(v),
            };
        }
        query
    }};
}

/// One bound value, with the PostgreSQL type it is sent as.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Uuid(Uuid),
    /// A uuid or NULL.
    MaybeUuid(Option<Uuid>),
    Uuids(Vec<Uuid>),
    Text(String),
    Texts(Vec<String>),
    Json(Value),
    Jsons(Vec<Value>),
    Int(i64),
    Ints(Vec<i64>),
    Time(DateTime<Utc>),
    Times(Vec<DateTime<Utc>>),
    Bool(bool),
}

/// SQL text and its parameters, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Starts with a fixed fragment.
    #[must_use]
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends a fixed fragment of SQL (never a value).
    pub fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    /// Adds a parameter and returns its placeholder (`$n`) to write where it is used.
    pub fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// Adds a parameter and appends its placeholder.
    pub fn push_bind(&mut self, arg: Arg) -> &mut Self {
        let placeholder = self.bind(arg);
        self.text.push_str(&placeholder);
        self
    }

    /// The SQL text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parameters, in placeholder order.
    #[must_use]
    pub fn args(&self) -> &[Arg] {
        &self.args
    }

    /// Appends `other` (its own placeholders renumbered after this statement's).
    pub fn append(&mut self, other: Sql) -> &mut Self {
        let offset = self.args.len();
        let text = renumbered(&other.text, |n| format!("${}", n + offset));
        self.text.push_str(&text);
        self.args.extend(other.args);
        self
    }

    /// Another statement over the same parameters (it may use any of them).
    pub fn replace_text(&mut self, text: &str) {
        text.clone_into(&mut self.text);
    }

    /// The same statement behind a fixed prefix such as `EXPLAIN (FORMAT JSON) `.
    #[must_use]
    pub fn prefixed(&self, prefix: &str) -> Self {
        Self {
            text: format!("{prefix}{}", self.text),
            args: self.args.clone(),
        }
    }

    /// The statement as `app_call` runs it: every `$n` placeholder becomes a read of the
    /// n-th element of the one parameter `$1`, a JSON array of the values, cast back to the
    /// type it was bound as. The values stay parameters (never spliced into the text).
    #[must_use]
    pub fn into_call(self) -> (String, Value) {
        let args = &self.args;
        let text = renumbered(&self.text, |n| match args.get(n - 1) {
            Some(arg) => call_param(arg, n - 1),
            None => format!("${n}"),
        });
        let values = self.args.into_iter().map(arg_value).collect();
        (text, Value::Array(values))
    }

    /// The statement ready to execute (the text was built from fixed fragments only, every
    /// value is a parameter: see `push` and `bind`).
    pub fn query(self) -> Query<'static, Postgres, PgArguments> {
        let query = sqlx::query(sqlx::AssertSqlSafe(self.text));
        bind_all!(query, self.args)
    }

    /// Like [`Sql::query`], decoding rows as `O`.
    pub fn query_as<O>(self) -> QueryAs<'static, Postgres, O, PgArguments>
    where
        O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let query = sqlx::query_as::<_, O>(sqlx::AssertSqlSafe(self.text));
        bind_all!(query, self.args)
    }

    /// Like [`Sql::query`], decoding the first column as `O`.
    pub fn query_scalar<O>(self) -> QueryScalar<'static, Postgres, O, PgArguments>
    where
        (O,): for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let query = sqlx::query_scalar::<_, O>(sqlx::AssertSqlSafe(self.text));
        bind_all!(query, self.args)
    }
}

/// `text` with every placeholder `$n` replaced by `with(n)` (the fixed fragments hold no
/// other `$`).
fn renumbered(text: &str, with: impl Fn(usize) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        match rest[at + 1..at + 1 + digits].parse::<usize>() {
            Ok(n) if n > 0 => out.push_str(&with(n)),
            _ => out.push_str(&rest[at..=at + digits]),
        }
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    out
}

/// The expression reading argument `i` of `app_call`'s JSON array `$1` as its bound type.
fn call_param(arg: &Arg, i: usize) -> String {
    match arg {
        Arg::Uuid(_) | Arg::MaybeUuid(_) => format!("(($1->>{i})::uuid)"),
        Arg::Text(_) => format!("($1->>{i})"),
        Arg::Json(_) => format!("($1->{i})"),
        Arg::Int(_) => format!("(($1->>{i})::bigint)"),
        Arg::Time(_) => format!("(($1->>{i})::timestamptz)"),
        Arg::Uuids(_) => format!("(ARRAY(SELECT jsonb_array_elements_text($1->{i})::uuid))"),
        Arg::Texts(_) => format!("(ARRAY(SELECT jsonb_array_elements_text($1->{i})))"),
        Arg::Jsons(_) => format!("(ARRAY(SELECT jsonb_array_elements($1->{i})))"),
        Arg::Ints(_) => format!("(ARRAY(SELECT jsonb_array_elements_text($1->{i})::bigint))"),
        Arg::Times(_) => {
            format!("(ARRAY(SELECT jsonb_array_elements_text($1->{i})::timestamptz))")
        }
        Arg::Bool(_) => format!("(($1->>{i})::boolean)"),
    }
}

/// An argument as a JSON value (times in RFC 3339 with microseconds, as stored).
fn arg_value(arg: Arg) -> Value {
    let time =
        |t: DateTime<Utc>| Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    match arg {
        Arg::Uuid(v) => Value::String(v.to_string()),
        Arg::MaybeUuid(v) => v.map_or(Value::Null, |v| Value::String(v.to_string())),
        Arg::Uuids(v) => v.iter().map(|u| Value::String(u.to_string())).collect(),
        Arg::Text(v) => Value::String(v),
        Arg::Texts(v) => v.into_iter().map(Value::String).collect(),
        Arg::Json(v) => v,
        Arg::Jsons(v) => Value::Array(v),
        Arg::Int(v) => Value::from(v),
        Arg::Ints(v) => v.into_iter().map(Value::from).collect(),
        Arg::Time(v) => time(v),
        Arg::Times(v) => v.into_iter().map(time).collect(),
        Arg::Bool(v) => Value::Bool(v),
    }
}

#[cfg(test)]
mod call_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_appended_statement_keeps_its_values_under_renumbered_placeholders() {
        let mut first = Sql::new("SELECT f(");
        first
            .push_bind(Arg::Int(1))
            .push(", ")
            .push_bind(Arg::Bool(true))
            .push(") ");
        let mut second = Sql::new("WHERE a = ");
        second.push_bind(Arg::Text("x".into())).push(" AND b = $1");
        first.append(second);
        assert_eq!(first.text(), "SELECT f($1, $2) WHERE a = $3 AND b = $3");
        assert_eq!(first.args().len(), 3);
    }

    #[test]
    fn placeholders_become_typed_reads_of_one_json_parameter() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.push_bind(Arg::Uuid(Uuid::nil()));
        for i in 0..10 {
            sql.push(" AND b = ").push_bind(Arg::Int(i));
        }
        sql.push(" AND c #> ")
            .push_bind(Arg::Texts(vec!["x".into()]));
        let (text, args) = sql.into_call();
        assert!(text.starts_with("SELECT 1 WHERE a = (($1->>0)::uuid) AND b = (($1->>1)::bigint)"));
        assert!(
            text.contains(
                "b = (($1->>10)::bigint) AND c #> (ARRAY(SELECT jsonb_array_elements_text($1->11)))"
            ),
            "{text}"
        );
        assert_eq!(args[0], json!(Uuid::nil().to_string()));
        assert_eq!(args[11], json!(["x"]));
    }
}
