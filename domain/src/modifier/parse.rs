//! Turning the JSON of a modifier into validated [`Operation`]s.

use serde_json::{Map, Value};

use super::arguments::{Operator, action};
use super::{MAX_PATHS, Modifier, ModifierError, Operation, values::type_name};
use crate::path::FieldPath;

const WHOLE: &str = "modifier";
const SUPPORTED: &str = "$set, $unset, $inc, $push, $pull, $addToSet";
const EXAMPLE: &str = r#"{"$set": {"status": "done"}}"#;

pub(super) fn parse(value: &Value) -> Result<Modifier, ModifierError> {
    let Value::Object(document) = value else {
        return Err(ModifierError::new(
            WHOLE,
            format!(
                "the modifier must be a JSON object of update operators such as {EXAMPLE}; got {}",
                type_name(value)
            ),
        ));
    };
    let operators = operator_fields(document)?;
    let total: usize = operators.iter().map(|op| op.fields.len()).sum();
    if total > MAX_PATHS {
        return Err(ModifierError::new(
            WHOLE,
            format!(
                "the modifier touches {total} paths; at most {MAX_PATHS} are allowed in one \
                 update, so split it into several updates"
            ),
        ));
    }
    let mut operations: Vec<Operation> = Vec::with_capacity(total);
    for OperatorFields {
        name,
        operator,
        fields,
    } in operators
    {
        for (raw, argument) in fields {
            let path = field_path(name, raw)?;
            if let Some(earlier) = operations.iter().find(|op| op.path.overlaps(&path)) {
                return Err(conflict(earlier, name, &path));
            }
            let action = action(operator, argument, raw)?;
            operations.push(Operation { path, action });
        }
    }
    Ok(Modifier { operations })
}

/// One operator of the modifier and its `path: argument` object.
struct OperatorFields<'a> {
    name: &'a str,
    operator: Operator,
    fields: &'a Map<String, Value>,
}

/// Checks the top level: non-empty, only operators, each known and given a non-empty object.
fn operator_fields(
    document: &Map<String, Value>,
) -> Result<Vec<OperatorFields<'_>>, ModifierError> {
    if document.is_empty() {
        return Err(ModifierError::new(
            WHOLE,
            format!("the modifier is empty; give at least one update operator, e.g. {EXAMPLE}"),
        ));
    }
    let plain: Vec<&str> = document
        .keys()
        .filter(|key| !key.starts_with('$'))
        .map(String::as_str)
        .collect();
    if plain.len() == document.len() {
        return Err(ModifierError::new(
            WHOLE,
            format!(
                "the modifier has no update operator (found the plain fields {}); to change \
                 fields wrap them in \"$set\": {{\"$set\": {{...}}}}",
                quoted_list(&plain)
            ),
        ));
    }
    if !plain.is_empty() {
        return Err(ModifierError::new(
            WHOLE,
            format!(
                "the modifier mixes update operators with the plain fields {}; move those fields \
                 under \"$set\"",
                quoted_list(&plain)
            ),
        ));
    }
    document
        .iter()
        .map(|(name, fields)| {
            let at = format!("{WHOLE}.{name}");
            let operator = Operator::from_name(name).ok_or_else(|| {
                ModifierError::new(
                    &at,
                    format!(
                        "unknown update operator \"{name}\"; the supported ones are {SUPPORTED}"
                    ),
                )
            })?;
            let Value::Object(fields) = fields else {
                return Err(ModifierError::new(
                    &at,
                    format!(
                        "{name} takes an object mapping field paths to arguments, e.g. \
                         {{\"{name}\": {{\"field\": ...}}}}; got {}",
                        type_name(fields)
                    ),
                ));
            };
            if fields.is_empty() {
                return Err(ModifierError::new(
                    &at,
                    format!("{name} has no fields; add at least one path or remove {name}"),
                ));
            }
            Ok(OperatorFields {
                name,
                operator,
                fields,
            })
        })
        .collect()
}

fn quoted_list(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(5)
        .map(|name| format!("\"{name}\""))
        .collect();
    let more = names.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("{}{tail}", shown.join(", "))
}

fn field_path(operator: &str, raw: &str) -> Result<FieldPath, ModifierError> {
    let path = FieldPath::parse(raw).map_err(|error| {
        let at = if raw.is_empty() {
            format!("{WHOLE}.{operator}")
        } else {
            raw.to_owned()
        };
        ModifierError::new(at, format!("invalid path in {operator}: {error}"))
    })?;
    if path.is_system() {
        return Err(ModifierError::new(
            raw,
            format!(
                "\"{raw}\" is or lies under the system field \"{}\"; system fields are set by \
                 the server only, so remove it from {operator}",
                path.root()
            ),
        ));
    }
    Ok(path)
}

fn conflict(earlier: &Operation, operator: &str, path: &FieldPath) -> ModifierError {
    ModifierError::new(
        path.to_string(),
        format!(
            "the paths \"{}\" ({}) and \"{path}\" ({operator}) conflict: one update may not touch \
             the same path twice, or a path and a path inside it; change only one of them, or \
             split them into two updates",
            earlier.path,
            earlier.action.operator()
        ),
    )
}
