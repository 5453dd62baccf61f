//! `metrics`: what each group reports. A metric is `"count"` or `"<op>:<field>"` (also
//! written `"<op>(<field>)"`), normalised to `"<op>:<field>"`, which is also its name in
//! the result.

use serde_json::Value;

use super::super::operators::describe;
use super::super::{Field, QueryError, SystemField};

/// The most metrics one call may ask for.
pub const MAX_METRICS: usize = 10;

/// What a metric computes over a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// How many entries the group holds.
    Count,
    /// How many distinct present JSON values the field takes (missing not counted; `1`
    /// and `"1"` differ, `1` and `1.0` do not).
    CountDistinct,
    /// The sum of the field's numbers (as a JSON number, f64).
    Sum,
    /// The mean of the field's numbers.
    Avg,
    /// The smallest of the field's numbers (earliest for `createdAt`/`updatedAt`).
    Min,
    /// The largest of the field's numbers (latest for `createdAt`/`updatedAt`).
    Max,
}

impl Op {
    const ALL: [Self; 6] = [
        Self::Count,
        Self::CountDistinct,
        Self::Sum,
        Self::Avg,
        Self::Min,
        Self::Max,
    ];

    /// The operation's name in a metric.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::CountDistinct => "countDistinct",
            Self::Sum => "sum",
            Self::Avg => "avg",
            Self::Min => "min",
            Self::Max => "max",
        }
    }

    /// True for the operations over numbers, whose non-numeric values are skipped and
    /// counted as `"skipped:<field>"`.
    #[must_use]
    pub const fn numeric(self) -> bool {
        matches!(self, Self::Sum | Self::Avg | Self::Min | Self::Max)
    }
}

/// One parsed metric.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Metric {
    pub op: Op,
    /// The field it reads; `None` exactly for `count`.
    pub field: Option<Field>,
}

impl Metric {
    /// The count of entries.
    pub const COUNT: Self = Self {
        op: Op::Count,
        field: None,
    };

    /// The normalised name: `count` or `<op>:<field>`.
    #[must_use]
    pub fn name(&self) -> String {
        match &self.field {
            None => self.op.name().to_owned(),
            Some(field) => format!("{}:{field}", self.op.name()),
        }
    }

    /// Parses one entry of `metrics` (located at `at`, e.g. `metrics.2`).
    ///
    /// # Errors
    /// Not a string, an unknown operation, `count` with a field or another operation
    /// without one, a field [`Field::parse`] refuses, or a system field the operation does
    /// not apply to.
    pub fn parse(raw: &Value, at: &str) -> Result<Self, QueryError> {
        let example = "such as \"count\", \"sum:amount\" or \"avg(price)\"";
        let Some(text) = raw.as_str() else {
            return Err(QueryError::new(
                at,
                format!("a metric is a string, {example}, not {}", describe(raw)),
            ));
        };
        let (op_name, field) = split(text);
        let Some(op) = Op::ALL.into_iter().find(|op| op.name() == op_name) else {
            let known: Vec<&str> = Op::ALL.iter().map(|op| op.name()).collect();
            return Err(QueryError::new(
                at,
                format!(
                    "\"{text}\" is not a metric; use one of {} followed by :field (count takes \
                     no field), {example}",
                    known.join(", ")
                ),
            ));
        };
        let field = match (op, field) {
            (Op::Count, None) => return Ok(Self::COUNT),
            (Op::Count, Some(_)) => {
                return Err(QueryError::new(
                    at,
                    "\"count\" takes no field (it counts entries); to count the distinct values \
                     of a field use \"countDistinct:field\"",
                ));
            }
            (_, None) => {
                return Err(QueryError::new(
                    at,
                    format!(
                        "\"{op_name}\" needs a field, such as \"{op_name}:amount\"",
                        op_name = op.name()
                    ),
                ));
            }
            (_, Some(raw_field)) => Field::parse(raw_field).map_err(|e| e.at(at))?,
        };
        check_system(op, &field, at)?;
        Ok(Self {
            op,
            field: Some(field),
        })
    }
}

/// `"sum:amount"` or `"sum(amount)"` → (`"sum"`, `Some("amount")`); `"count"` → (`"count"`,
/// `None`).
fn split(text: &str) -> (&str, Option<&str>) {
    if let Some((op, rest)) = text.split_once('(')
        && let Some(field) = rest.strip_suffix(')')
    {
        return (op.trim(), Some(field.trim()));
    }
    match text.split_once(':') {
        Some((op, field)) => (op.trim(), Some(field.trim())),
        None => (text.trim(), None),
    }
}

/// System fields take the operations that mean something for them: `revision` every one,
/// the timestamps `countDistinct`, `min` and `max`, `id` only `countDistinct`.
fn check_system(op: Op, field: &Field, at: &str) -> Result<(), QueryError> {
    let Field::System(system) = field else {
        return Ok(());
    };
    let allowed = match system {
        SystemField::Revision => true,
        SystemField::CreatedAt | SystemField::UpdatedAt => {
            matches!(op, Op::CountDistinct | Op::Min | Op::Max)
        }
        SystemField::Id => op == Op::CountDistinct,
    };
    if allowed {
        return Ok(());
    }
    let message = match system {
        SystemField::Id => "\"id\" only takes countDistinct (which equals count)".to_owned(),
        _ => format!(
            "\"{}\" is a timestamp: it takes countDistinct, min and max, not {}",
            system.name(),
            op.name()
        ),
    };
    Err(QueryError::new(at, message))
}

/// Parses `metrics`: a non-empty array of at most [`MAX_METRICS`] distinct metrics.
///
/// # Errors
/// Not such an array, or a metric [`Metric::parse`] refuses, or one named twice.
pub fn parse_metrics(raw: &Value) -> Result<Vec<Metric>, QueryError> {
    let example = "such as [\"count\", \"sum:amount\"]";
    let items = match raw {
        Value::Array(items) if !items.is_empty() && items.len() <= MAX_METRICS => items,
        Value::Array(items) => {
            return Err(QueryError::new(
                "metrics",
                format!(
                    "metrics takes 1 to {MAX_METRICS} metrics, {example}, not {}",
                    items.len()
                ),
            ));
        }
        other => {
            return Err(QueryError::new(
                "metrics",
                format!(
                    "metrics must be an array, {example}, not {}",
                    describe(other)
                ),
            ));
        }
    };
    let mut metrics: Vec<Metric> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("metrics.{i}");
        let metric = Metric::parse(item, &at)?;
        if metrics.contains(&metric) {
            return Err(QueryError::new(
                at,
                format!(
                    "\"{}\" is asked for twice; list each metric once",
                    metric.name()
                ),
            ));
        }
        metrics.push(metric);
    }
    Ok(metrics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn name(raw: &str) -> String {
        Metric::parse(&json!(raw), "metrics.0").unwrap().name()
    }

    #[test]
    fn both_spellings_normalise_to_op_colon_field() {
        assert_eq!(name("sum(amount)"), "sum:amount");
        assert_eq!(name("sum:amount"), "sum:amount");
        assert_eq!(
            name("countDistinct(address.city)"),
            "countDistinct:address.city"
        );
        assert_eq!(name("count"), "count");
        assert_eq!(name("max:revision"), "max:revision");
    }

    #[test]
    fn count_takes_no_field_and_the_others_need_one() {
        let e = Metric::parse(&json!("count:x"), "metrics.0").unwrap_err();
        assert!(e.message.contains("countDistinct"), "{e}");
        let e = Metric::parse(&json!("avg"), "metrics.1").unwrap_err();
        assert_eq!(e.field, "metrics.1");
    }

    #[test]
    fn unknown_operations_and_non_strings_are_refused() {
        for raw in [json!("median:x"), json!(3), json!({"sum": "x"})] {
            assert!(Metric::parse(&raw, "metrics.0").is_err(), "{raw}");
        }
    }

    #[test]
    fn timestamps_are_not_summed_and_ids_only_counted() {
        assert!(Metric::parse(&json!("sum:createdAt"), "m").is_err());
        assert!(Metric::parse(&json!("min:updatedAt"), "m").is_ok());
        assert!(Metric::parse(&json!("max:id"), "m").is_err());
        assert!(Metric::parse(&json!("countDistinct:id"), "m").is_ok());
        assert!(Metric::parse(&json!("sum:tenantId"), "m").is_err());
    }

    #[test]
    fn duplicates_empty_and_oversized_lists_are_refused() {
        let e = parse_metrics(&json!(["sum(a)", "sum:a"])).unwrap_err();
        assert_eq!(e.field, "metrics.1");
        assert!(parse_metrics(&json!([])).is_err());
        let many: Vec<String> = (0..11).map(|i| format!("sum:f{i}")).collect();
        assert!(parse_metrics(&json!(many)).is_err());
        assert_eq!(parse_metrics(&json!(["count", "avg:x"])).unwrap().len(), 2);
    }
}
