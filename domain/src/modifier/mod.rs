//! The update-modifier engine: parses the MongoDB-style `modifier` of `update_data`
//! (`$set`, `$unset`, `$inc`, `$push`, `$pull`, `$addToSet`) into a [`Modifier`] and applies
//! it to an entry's own fields.
//!
//! Everything that can be checked without the entry is checked once, in [`Modifier::parse`]:
//! operator names, argument shapes, paths, system fields and conflicting paths. What depends
//! on the entry (setting through a scalar, `$inc` on a string, integer overflow) is reported
//! by [`Modifier::apply`]. The module is pure: no I/O, no clock.

mod apply;
mod arguments;
mod navigate;
mod parse;
mod values;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

use crate::path::FieldPath;

pub use navigate::get_path;

/// Most paths one modifier may touch. Far above real use; keeps the pairwise conflict check
/// and the error messages small.
const MAX_PATHS: usize = 256;

/// Highest array index `$set` (or `$inc`, `$push`, `$addToSet`) may write past the end of an
/// array. MongoDB pads the gap with `null`; without a cap `{"$set": {"a.99999999": 1}}` would
/// allocate gigabytes.
const MAX_PADDED_INDEX: usize = 10_000;

/// A parsed, validated update modifier.
///
/// Only [`Modifier::parse`] builds one, so every `Modifier` names only non-system paths, no
/// two of which overlap.
///
/// ```
/// use domain::modifier::Modifier;
/// use serde_json::json;
///
/// let modifier = Modifier::parse(&json!({"$inc": {"stats.views": 1}, "$push": {"tags": "new"}}))?;
/// let mut fields = json!({"tags": ["old"]}).as_object().cloned().unwrap_or_default();
/// modifier.apply(&mut fields)?;
/// assert_eq!(fields, *json!({"stats": {"views": 1}, "tags": ["old", "new"]}).as_object().unwrap());
/// # Ok::<(), domain::modifier::ModifierError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Modifier {
    operations: Vec<Operation>,
}

/// Why a modifier was refused or could not be applied. `message` says what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ModifierError {
    /// The offending field path; `"modifier"` when the problem is the whole document, or
    /// `"modifier.$op"` when it is one operator.
    pub path: String,
    /// A sentence for the caller (often a model) naming the path and the fix.
    pub message: String,
}

impl ModifierError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// One path and what to do there.
#[derive(Debug, Clone, PartialEq)]
struct Operation {
    path: FieldPath,
    action: Action,
}

#[derive(Debug, Clone, PartialEq)]
enum Action {
    Set(Value),
    Unset,
    Inc(Increment),
    Push(Vec<Value>),
    /// Removes every element equal to the value (see `values::json_eq`).
    Pull(Value),
    AddToSet(Vec<Value>),
}

impl Action {
    fn operator(&self) -> &'static str {
        match self {
            Self::Set(_) => "$set",
            Self::Unset => "$unset",
            Self::Inc(_) => "$inc",
            Self::Push(_) => "$push",
            Self::Pull(_) => "$pull",
            Self::AddToSet(_) => "$addToSet",
        }
    }
}

/// An `$inc` amount. Integers are kept apart from floats so that integer fields stay
/// integers and overflow is detected exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Increment {
    Int(i64),
    Float(f64),
}

impl Modifier {
    /// Parses the JSON of an `update_data` modifier, e.g.
    /// `{"$set": {"status": "done"}, "$inc": {"stats.views": 1}}`.
    ///
    /// # Errors
    /// A [`ModifierError`] when the value is not an object, is empty, has no operator, mixes
    /// operators with plain fields, uses an unknown operator, gives an operator something
    /// other than a non-empty object, names an invalid path or a system field, touches one
    /// path twice (or a path and its prefix), has a malformed argument (`$inc` without a
    /// number, `$each` without an array, unsupported `$position`/`$slice`/`$sort`), or
    /// touches more than 256 paths.
    pub fn parse(value: &Value) -> Result<Self, ModifierError> {
        parse::parse(value)
    }

    /// Applies the modifier to an entry's own fields (never the system fields, which are not
    /// in `doc`). Either every operation applies or `doc` is left unchanged.
    ///
    /// # Errors
    /// A [`ModifierError`] naming the path when the entry does not fit an operation: setting
    /// through a scalar, a non-index segment on an array, an array index past 10,000 that
    /// would need padding, `$inc` on a non-number or overflowing, `$push`/`$addToSet`/`$pull`
    /// on a non-array.
    pub fn apply(&self, doc: &mut Map<String, Value>) -> Result<(), ModifierError> {
        apply::apply_all(&self.operations, doc)
    }

    /// The paths the modifier touches, in the order given.
    pub fn paths(&self) -> impl Iterator<Item = &FieldPath> {
        self.operations.iter().map(|op| &op.path)
    }
}
