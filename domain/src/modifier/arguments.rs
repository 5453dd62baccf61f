//! The update operators and the checking and converting of each one's per-path argument.

use serde_json::Value;

use super::{Action, Increment, ModifierError, values::type_name};

/// An update operator, by its name in a modifier.
#[derive(Debug, Clone, Copy)]
pub(super) enum Operator {
    Set,
    Unset,
    Inc,
    Push,
    Pull,
    AddToSet,
}

impl Operator {
    pub(super) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "$set" => Self::Set,
            "$unset" => Self::Unset,
            "$inc" => Self::Inc,
            "$push" => Self::Push,
            "$pull" => Self::Pull,
            "$addToSet" => Self::AddToSet,
            _ => return None,
        })
    }
}

pub(super) fn action(
    operator: Operator,
    argument: &Value,
    path: &str,
) -> Result<Action, ModifierError> {
    Ok(match operator {
        Operator::Set => Action::Set(argument.clone()),
        // MongoDB ignores the argument of `$unset` ("" and 1 are customary); so do we.
        Operator::Unset => Action::Unset,
        Operator::Inc => Action::Inc(increment(argument, path)?),
        Operator::Push => Action::Push(items(argument, path, "$push")?),
        Operator::AddToSet => Action::AddToSet(items(argument, path, "$addToSet")?),
        Operator::Pull => Action::Pull(pull_value(argument, path)?),
    })
}

fn increment(argument: &Value, path: &str) -> Result<Increment, ModifierError> {
    let Value::Number(number) = argument else {
        return Err(ModifierError::new(
            path,
            format!(
                "$inc needs a number for \"{path}\", got {}; e.g. {{\"$inc\": {{\"{path}\": 1}}}}",
                type_name(argument)
            ),
        ));
    };
    if let Some(int) = number.as_i64() {
        Ok(Increment::Int(int))
    } else if number.as_u64().is_some() {
        // Refused rather than rounded through f64 (see `values::add`).
        Err(ModifierError::new(
            path,
            format!(
                "the $inc amount {number} for \"{path}\" is above the largest supported integer {}",
                i64::MAX
            ),
        ))
    } else if let Some(float) = number.as_f64().filter(|f| f.is_finite()) {
        Ok(Increment::Float(float))
    } else {
        Err(ModifierError::new(
            path,
            format!("the $inc amount {number} for \"{path}\" is not a finite number"),
        ))
    }
}

/// The most elements one `$each` adds (the work of an update stays proportional to what
/// the caller sends; `$addToSet` is linear in the array and the items).
pub const MAX_EACH: usize = 1000;

/// The elements of a `$push`/`$addToSet` argument: one value, or the array of `{"$each": [...]}`.
fn items(argument: &Value, path: &str, operator: &str) -> Result<Vec<Value>, ModifierError> {
    let Value::Object(map) = argument else {
        return Ok(vec![argument.clone()]);
    };
    let dollar: Vec<&str> = map
        .keys()
        .filter(|key| key.starts_with('$'))
        .map(String::as_str)
        .collect();
    if dollar.is_empty() {
        return Ok(vec![argument.clone()]);
    }
    if let Some(unsupported) = dollar.iter().find(|key| **key != "$each") {
        return Err(ModifierError::new(
            path,
            format!(
                "{unsupported} in {operator} on \"{path}\" is not supported; the only option is \
                 {{\"$each\": [...]}} to add several elements"
            ),
        ));
    }
    if map.len() > 1 {
        return Err(ModifierError::new(
            path,
            format!(
                "{operator} on \"{path}\" mixes \"$each\" with other keys; give exactly \
                 {{\"$each\": [...]}}, or an object without '$' keys to add it as one element"
            ),
        ));
    }
    match map.get("$each") {
        Some(Value::Array(each)) if each.len() > MAX_EACH => Err(ModifierError::new(
            path,
            format!(
                "$each in {operator} on \"{path}\" has {} elements; the limit is {MAX_EACH} \
                 elements in one call: split it into several updates",
                each.len()
            ),
        )),
        Some(Value::Array(each)) => Ok(each.clone()),
        other => Err(ModifierError::new(
            path,
            format!(
                "$each in {operator} on \"{path}\" must be an array of elements, got {}",
                other.map_or("nothing", type_name)
            ),
        )),
    }
}

/// `$pull` removes elements equal to its argument. MongoDB also accepts a query condition
/// (`{"$gte": 6}`) and matches embedded documents partially; we support exact values only
/// and say so rather than silently treat a condition as a literal.
fn pull_value(argument: &Value, path: &str) -> Result<Value, ModifierError> {
    if let Value::Object(map) = argument
        && let Some(key) = map.keys().find(|key| key.starts_with('$'))
    {
        return Err(ModifierError::new(
            path,
            format!(
                "conditions such as {key} in $pull on \"{path}\" are not supported; give the \
                     exact value to remove"
            ),
        ));
    }
    Ok(argument.clone())
}
