//! Parsing a MongoDB-style selector into a [`Filter`] ([`Filter::parse`]), refusing everything
//! outside the supported language with a message that names the place and says what to send
//! instead. Here rather than beside the type, so that the type does not import its parser back.

use serde_json::Value;

use super::QueryError;
use super::field::Field;
use super::filter::{CmpOp, Filter};
use super::operators::{SUPPORTED, describe, unsupported};

/// Deepest nesting of selectors through `$and`/`$or` (the top-level selector is level 1).
const MAX_DEPTH: usize = 8;
/// Most conditions (one per operator, or per plain-value field) in one filter.
const MAX_CONDITIONS: usize = 64;
/// Most values in one `$in` or `$nin`.
const MAX_IN_VALUES: usize = 100;
/// The most values one operand may hold (an array or object counts with its members).
pub const MAX_OPERAND_ELEMENTS: usize = 100;
/// The most JSON bytes one operand may take.
pub const MAX_OPERAND_BYTES: usize = 4096;

impl Filter {
    /// Parses a MongoDB-style selector such as
    /// `{"status": "open", "price": {"$gte": 10, "$lt": 20}, "$or": [{"a": 1}, {"b": 2}]}`.
    ///
    /// Top-level keys are field paths or `$and`/`$or` (arrays of one or more selectors). A
    /// field's value is a plain value (equality) or an object of the operators `$eq $ne $gt
    /// $gte $lt $lte $in $nin $exists` (several operators are all required). `{}` is
    /// [`Filter::All`].
    ///
    /// # Errors
    /// A filter that is not an object; an unsupported or unknown operator (`$where`, `$expr`,
    /// `$regex`, `$not`, `$nor`, `$elemMatch`, ...); a wrong operand (`$in` without an array
    /// or with more than 100 values, `$exists` without a boolean, a comparison with something
    /// other than a number or a string, a system field with an operand of the wrong type);
    /// `$and`/`$or` nested more than 8 levels deep; more than 64 conditions; a malformed path
    /// or one naming `tenantId`, `deletedAt` or `access`. The error locates the problem, such
    /// as `filter.price.$gt`.
    pub fn parse(value: &Value) -> Result<Self, QueryError> {
        parse_filter(value)
    }
}

pub(crate) fn parse_filter(value: &Value) -> Result<Filter, QueryError> {
    if !value.is_object() {
        return Err(QueryError::new(
            "filter",
            format!(
                "the filter must be a JSON object such as {{\"status\": \"open\"}}, not {}",
                describe(value)
            ),
        ));
    }
    Parser { conditions: 0 }.selector(value, "filter", 1)
}

struct Parser {
    conditions: usize,
}

impl Parser {
    fn selector(&mut self, value: &Value, at: &str, depth: usize) -> Result<Filter, QueryError> {
        let Value::Object(map) = value else {
            let message = format!(
                "{at} must be a selector object such as {{\"status\": \"open\"}}, not {}",
                describe(value)
            );
            return Err(QueryError::new(at, message));
        };
        if depth > MAX_DEPTH {
            let message = format!(
                "$and and $or are nested more than {MAX_DEPTH} levels deep at {at}; flatten \
                 the filter"
            );
            return Err(QueryError::new(at, message));
        }
        let mut parts = Vec::new();
        for (key, operand) in map {
            let here = format!("{at}.{key}");
            match key.as_str() {
                "$and" | "$or" => parts.push(self.logical(key, operand, &here, depth)?),
                "$eq" | "$ne" | "$gt" | "$gte" | "$lt" | "$lte" | "$in" | "$nin" | "$exists" => {
                    let message = format!(
                        "{key} must be applied to a field, as in {{\"price\": {{\"{key}\": \
                         ...}}}}"
                    );
                    return Err(QueryError::new(here, message));
                }
                op if op.starts_with('$') => {
                    return Err(unsupported(op, "at the top of a selector", &here));
                }
                _ => self.field(key, operand, &here, &mut parts)?,
            }
        }
        Ok(match parts.len() {
            0 => Filter::All,
            1 => parts.pop().unwrap_or(Filter::All),
            _ => Filter::And(parts),
        })
    }

    fn logical(
        &mut self,
        key: &str,
        operand: &Value,
        at: &str,
        depth: usize,
    ) -> Result<Filter, QueryError> {
        let items = match operand {
            Value::Array(items) if !items.is_empty() => items,
            other => {
                let message = format!(
                    "{key} takes an array of one or more selectors, such as {{\"{key}\": \
                     [{{\"a\": 1}}, {{\"b\": 2}}]}}, not {}",
                    describe(other)
                );
                return Err(QueryError::new(at, message));
            }
        };
        let mut members = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let here = format!("{at}.{i}");
            // Every member counts, an empty one ({}) too: its cost is in the statement.
            self.count(&here)?;
            members.push(self.selector(item, &here, depth + 1)?);
        }
        Ok(if key == "$and" {
            Filter::And(members)
        } else {
            Filter::Or(members)
        })
    }

    fn field(
        &mut self,
        path: &str,
        operand: &Value,
        at: &str,
        parts: &mut Vec<Filter>,
    ) -> Result<(), QueryError> {
        let field = Field::parse(path).map_err(|e| e.at(at))?;
        match operand {
            Value::Object(ops) if ops.keys().any(|k| k.starts_with('$')) => {
                if let Some(plain) = ops.keys().find(|k| !k.starts_with('$')) {
                    let message = format!(
                        "the value of \"{path}\" mixes operators with the plain key \"{plain}\"; \
                         send either operators such as {{\"$gt\": 1}} or a plain value to \
                         compare with"
                    );
                    return Err(QueryError::new(at, message));
                }
                for (op, argument) in ops {
                    let here = format!("{at}.{op}");
                    parts.push(self.operator(&field, path, op, argument, &here)?);
                }
            }
            _ => {
                self.count(at)?;
                let value = operand_for(&field, operand, at)?;
                parts.push(Filter::Cmp {
                    field,
                    op: CmpOp::Eq,
                    value,
                });
            }
        }
        Ok(())
    }

    fn operator(
        &mut self,
        field: &Field,
        path: &str,
        op: &str,
        argument: &Value,
        at: &str,
    ) -> Result<Filter, QueryError> {
        self.count(at)?;
        let cmp = |op| -> Result<Filter, QueryError> {
            let value = operand_for(field, argument, at)?;
            Ok(Filter::Cmp {
                field: field.clone(),
                op,
                value,
            })
        };
        match op {
            "$eq" => cmp(CmpOp::Eq),
            "$ne" => cmp(CmpOp::Ne),
            "$gt" | "$gte" | "$lt" | "$lte" => {
                if !matches!(argument, Value::Number(_) | Value::String(_)) {
                    let message = format!(
                        "{op} on \"{path}\" takes a number or a string, not {}; compare with a \
                         single number or string, or use $eq for other values",
                        describe(argument)
                    );
                    return Err(QueryError::new(at, message));
                }
                cmp(match op {
                    "$gt" => CmpOp::Gt,
                    "$gte" => CmpOp::Gte,
                    "$lt" => CmpOp::Lt,
                    _ => CmpOp::Lte,
                })
            }
            "$in" | "$nin" => {
                let values = match argument {
                    Value::Array(values) if values.len() <= MAX_IN_VALUES => values,
                    other => {
                        let message = format!(
                            "{op} on \"{path}\" takes an array of at most {MAX_IN_VALUES} \
                             values, such as [\"a\", \"b\"], not {}",
                            if other.is_array() {
                                "a longer array".to_owned()
                            } else {
                                describe(other)
                            }
                        );
                        return Err(QueryError::new(at, message));
                    }
                };
                let values = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| operand_for(field, v, &format!("{at}.{i}")))
                    .collect::<Result<_, _>>()?;
                Ok(Filter::In {
                    field: field.clone(),
                    values,
                    negated: op == "$nin",
                })
            }
            "$exists" => match argument {
                Value::Bool(exists) => Ok(Filter::Exists {
                    field: field.clone(),
                    exists: *exists,
                }),
                other => {
                    let message = format!(
                        "$exists on \"{path}\" takes true or false, not {}",
                        describe(other)
                    );
                    Err(QueryError::new(at, message))
                }
            },
            "$and" | "$or" => {
                let message = format!(
                    "{op} combines whole selectors and belongs at the top of a selector, as in \
                     {{\"{op}\": [{{\"{path}\": 1}}, {{\"{path}\": 2}}]}}; the operators on a \
                     field are {SUPPORTED}"
                );
                Err(QueryError::new(at, message))
            }
            other => Err(unsupported(other, &format!("on \"{path}\""), at)),
        }
    }

    fn count(&mut self, at: &str) -> Result<(), QueryError> {
        self.conditions += 1;
        if self.conditions > MAX_CONDITIONS {
            let message = format!(
                "the filter has more than {MAX_CONDITIONS} conditions; combine equalities on \
                 one field with $in, or split the query"
            );
            return Err(QueryError::new(at, message));
        }
        Ok(())
    }
}

/// The operand as stored in the AST: unchanged for data fields, checked and normalized for
/// system fields; never larger than [`MAX_OPERAND_ELEMENTS`] values or
/// [`MAX_OPERAND_BYTES`] of JSON (the cost of comparing with it grows with its size).
fn operand_for(field: &Field, value: &Value, at: &str) -> Result<Value, QueryError> {
    let elements = elements(value);
    if elements > MAX_OPERAND_ELEMENTS {
        let message = format!(
            "the value to compare with holds {elements} values; the limit is \
             {MAX_OPERAND_ELEMENTS} values in one operand"
        );
        return Err(QueryError::new(at, message));
    }
    let bytes = serde_json::to_vec(value).map_or(usize::MAX, |v| v.len());
    if bytes > MAX_OPERAND_BYTES {
        let message = format!(
            "the value to compare with is {bytes} bytes of JSON; the limit is \
             {MAX_OPERAND_BYTES} bytes in one operand"
        );
        return Err(QueryError::new(at, message));
    }
    match field {
        Field::System(system) => system
            .normalize_operand(value)
            .map_err(|message| QueryError::new(at, message)),
        Field::Data(_) => Ok(value.clone()),
    }
}

/// How many values `value` holds, itself and every nested one.
fn elements(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(elements).sum(),
        Value::Object(map) => map.values().map(elements).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests;
