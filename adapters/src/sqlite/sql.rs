//! A statement under construction: SQL text assembled only from fixed fragments written in
//! this adapter, and the values bound to its numbered parameters (`?1`, `?2`, …).
//!
//! Numbered parameters let one bound value (a JSON path, say) appear several times in a
//! statement without binding it twice. Nothing a caller sends ever becomes SQL text: it
//! reaches SQLite only as an [`Arg`].

use serde_json::Value;
use sqlx::sqlite::{Sqlite, SqliteArguments};
use sqlx::{AssertSqlSafe, query::Query};

/// A value bound to a parameter.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Arg {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Self::Int(i64::from(v))
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}

impl Arg {
    /// A JSON number as SQLite compares it: an integer when it fits `i64`, else a double
    /// (integers beyond `i64` lose precision, as they do when SQLite parses them from JSON).
    pub(super) fn number(n: &serde_json::Number) -> Self {
        match n.as_i64() {
            Some(i) => Self::Int(i),
            None => Self::Real(n.as_f64().unwrap_or(0.0)),
        }
    }

    /// A JSON scalar as the SQL value `json_extract` returns for it: text, a number, 1/0
    /// for booleans, NULL for null; arrays and objects as their JSON text.
    pub(super) fn scalar(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::from(*b),
            Value::Number(n) => Self::number(n),
            Value::String(s) => Self::Text(s.clone()),
            Value::Array(_) | Value::Object(_) => Self::Text(value.to_string()),
        }
    }
}

/// SQL text and its arguments.
#[derive(Debug, Default, Clone)]
pub(super) struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Starts a statement with a fixed fragment.
    pub(super) fn new(fragment: &str) -> Self {
        Self {
            text: fragment.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends a fixed fragment (never caller input).
    pub(super) fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    /// Binds a value and returns its placeholder (`?N`) to use in fragments, as often as
    /// needed.
    pub(super) fn bind(&mut self, arg: impl Into<Arg>) -> String {
        self.args.push(arg.into());
        format!("?{}", self.args.len())
    }

    /// Binds a value and appends its placeholder.
    pub(super) fn push_bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        let placeholder = self.bind(arg);
        self.push(&placeholder)
    }

    /// Takes the text written so far, keeping the bound values: a statement whose parts
    /// must appear in another order than they bind is written part by part.
    pub(super) fn take_text(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    /// The SQL text.
    #[cfg(test)]
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// The bound values, in parameter order.
    #[cfg(test)]
    pub(super) fn args(&self) -> &[Arg] {
        &self.args
    }

    /// `EXPLAIN QUERY PLAN` of this statement, with the same arguments.
    #[cfg(test)]
    pub(super) fn explained(&self) -> Self {
        Self {
            text: format!("EXPLAIN QUERY PLAN {}", self.text),
            args: self.args.clone(),
        }
    }

    /// The statement, ready to run.
    pub(super) fn query(&self) -> Query<'static, Sqlite, SqliteArguments> {
        // The text is assembled from this adapter's fixed fragments and placeholders only.
        let query = sqlx::query(AssertSqlSafe(self.text.clone()));
        self.args.iter().fold(query, |q, arg| match arg {
            Arg::Null => q.bind(None::<i64>),
            Arg::Int(v) => q.bind(*v),
            Arg::Real(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_binding_order() {
        let mut sql = Sql::new("SELECT ");
        let a = sql.bind(1_i64);
        sql.push(&a).push(" + ").push_bind("x").push(" + ").push(&a);
        assert_eq!(sql.text(), "SELECT ?1 + ?2 + ?1");
        assert_eq!(sql.args(), [Arg::Int(1), Arg::Text("x".into())]);
    }

    #[test]
    fn json_scalars_bind_as_json_extract_returns_them() {
        assert_eq!(Arg::scalar(&serde_json::json!(true)), Arg::Int(1));
        assert_eq!(Arg::scalar(&serde_json::json!(2.5)), Arg::Real(2.5));
        assert_eq!(
            Arg::scalar(&serde_json::json!(u64::MAX)),
            Arg::Real(u64::MAX as f64)
        );
        assert_eq!(
            Arg::scalar(&serde_json::json!({"a": [1]})),
            Arg::Text(r#"{"a":[1]}"#.into())
        );
    }
}
