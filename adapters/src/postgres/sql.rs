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
                Arg::Uuids(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::Texts(v) => query.bind(v),
                Arg::Json(v) => query.bind(v),
                Arg::Jsons(v) => query.bind(v),
                Arg::Int(v) => query.bind(v),
                Arg::Ints(v) => query.bind(v),
                Arg::Time(v) => query.bind(v),
                Arg::Times(v) => query.bind(v),
            };
        }
        query
    }};
}

/// One bound value, with the PostgreSQL type it is sent as.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Uuid(Uuid),
    Uuids(Vec<Uuid>),
    Text(String),
    Texts(Vec<String>),
    Json(Value),
    Jsons(Vec<Value>),
    Int(i64),
    Ints(Vec<i64>),
    Time(DateTime<Utc>),
    Times(Vec<DateTime<Utc>>),
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

    /// The same statement behind a fixed prefix such as `EXPLAIN (FORMAT JSON) `.
    #[must_use]
    pub fn prefixed(&self, prefix: &str) -> Self {
        Self {
            text: format!("{prefix}{}", self.text),
            args: self.args.clone(),
        }
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
