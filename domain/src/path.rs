//! Dotted field paths (`address.city`, `items.0.price`), shared by the update-modifier
//! engine, the filter language, `sort` and `fields`.

use std::fmt;

/// The names the server owns on every entry. No tool call may write them, and no data
/// field may be called by them.
pub const SYSTEM_FIELDS: [&str; 7] = [
    "id",
    "tenantId",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "revision",
    "access",
];

/// Longest accepted path, in bytes, and deepest nesting; both far above real use and low
/// enough that a path never becomes a denial of service.
const MAX_PATH_BYTES: usize = 512;
const MAX_SEGMENTS: usize = 32;

/// A parsed dotted path: non-empty segments, none starting with `$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath {
    segments: Vec<String>,
}

/// Why a path was refused; the message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("the path is empty; name a field such as \"status\" or \"address.city\"")]
    Empty,
    #[error("the path \"{0}\" has an empty segment; remove the doubled, leading or trailing dot")]
    EmptySegment(String),
    #[error("the path \"{0}\" has a segment starting with '$'; field names may not start with '$'")]
    DollarSegment(String),
    #[error(
        "the path \"{0}\" is too long; paths are at most {MAX_PATH_BYTES} bytes and {MAX_SEGMENTS} segments"
    )]
    TooLong(String),
}

impl FieldPath {
    /// Parses `a.b.0.c`.
    ///
    /// # Errors
    /// An empty path, an empty segment, a segment starting with `$`, or an oversized path.
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        if raw.is_empty() {
            return Err(PathError::Empty);
        }
        if raw.len() > MAX_PATH_BYTES {
            return Err(PathError::TooLong(truncate(raw)));
        }
        let segments: Vec<String> = raw.split('.').map(str::to_owned).collect();
        if segments.len() > MAX_SEGMENTS {
            return Err(PathError::TooLong(truncate(raw)));
        }
        if segments.iter().any(String::is_empty) {
            return Err(PathError::EmptySegment(raw.to_owned()));
        }
        if segments.iter().any(|s| s.starts_with('$')) {
            return Err(PathError::DollarSegment(raw.to_owned()));
        }
        Ok(Self { segments })
    }

    /// The segments, first to last; never empty.
    #[must_use]
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The first segment (the top-level field).
    #[must_use]
    pub fn root(&self) -> &str {
        self.segments.first().map_or("", String::as_str)
    }

    /// True when the path names a system field or lies under one.
    #[must_use]
    pub fn is_system(&self) -> bool {
        SYSTEM_FIELDS.contains(&self.root())
    }

    /// True when `self` equals `other` or is one of its ancestors (`a` is a prefix of `a.b`).
    #[must_use]
    pub fn is_prefix_of(&self, other: &Self) -> bool {
        other.segments.len() >= self.segments.len()
            && other.segments[..self.segments.len()] == self.segments[..]
    }

    /// True when one of the two paths is the other or an ancestor of it.
    #[must_use]
    pub fn overlaps(&self, other: &Self) -> bool {
        self.is_prefix_of(other) || other.is_prefix_of(self)
    }
}

fn truncate(raw: &str) -> String {
    raw.chars().take(40).collect::<String>() + "…"
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.segments.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dotted_path_splits_into_segments() {
        let path = FieldPath::parse("address.city").unwrap();
        assert_eq!(path.segments(), ["address", "city"]);
        assert_eq!(path.to_string(), "address.city");
    }

    #[test]
    fn an_empty_path_is_refused() {
        assert_eq!(FieldPath::parse(""), Err(PathError::Empty));
    }

    #[test]
    fn an_empty_segment_is_refused() {
        for raw in ["a..b", ".a", "a."] {
            assert!(
                matches!(FieldPath::parse(raw), Err(PathError::EmptySegment(_))),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_dollar_segment_is_refused() {
        assert!(matches!(
            FieldPath::parse("a.$b"),
            Err(PathError::DollarSegment(_))
        ));
    }

    #[test]
    fn an_oversized_path_is_refused() {
        let raw = vec!["a"; 33].join(".");
        assert!(matches!(FieldPath::parse(&raw), Err(PathError::TooLong(_))));
    }

    #[test]
    fn system_fields_and_paths_under_them_are_recognised() {
        assert!(FieldPath::parse("revision").unwrap().is_system());
        assert!(FieldPath::parse("access.read").unwrap().is_system());
        assert!(!FieldPath::parse("title").unwrap().is_system());
    }

    #[test]
    fn prefixes_overlap_and_siblings_do_not() {
        let a = FieldPath::parse("a").unwrap();
        let ab = FieldPath::parse("a.b").unwrap();
        let ac = FieldPath::parse("a.c").unwrap();
        let abc = FieldPath::parse("abc").unwrap();
        assert!(a.overlaps(&ab) && ab.overlaps(&a));
        assert!(!ab.overlaps(&ac));
        assert!(!a.overlaps(&abc));
    }
}
