//! The one error of the query language: which argument (or which place inside it) was
//! refused, and a message that says what to change.

/// A refused `filter`, `sort`, `fields` or `cursor` argument.
///
/// `field` locates the problem: the argument name (`"filter"`, `"sort"`, `"fields"`,
/// `"cursor"`) or a precise place inside it such as `"filter.price.$gt"` or
/// `"filter.$or.1.status"`. `message` is written for the model that sent the query: it names
/// the path and operator and says what to send instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    /// Where the problem is: an argument name or a dotted location inside it.
    pub field: String,
    /// What is wrong and what to change.
    pub message: String,
}

impl QueryError {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error, located at `field` instead.
    pub(crate) fn at(self, field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_display_text() {
        let error = QueryError::new("filter", "the filter must be an object");
        assert_eq!(error.to_string(), "the filter must be an object");
    }

    #[test]
    fn relocating_keeps_the_message() {
        let error = QueryError::new("x", "bad").at("sort.price");
        assert_eq!(error, QueryError::new("sort.price", "bad"));
    }
}
