//! Dotted field paths (`address.city`, `items.0.price`), shared by the update-modifier
//! engine, the filter language, `sort` and `fields`.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

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

/// The system field a top-level key would pass for without being it: equal to one once
/// normalized (NFKC, letters that look Latin mapped to Latin, invisible characters removed,
/// surrounding spaces trimmed, case folded), as `Access`, `access `, `аccess` (Cyrillic а)
/// or `acc\u{200b}ess` would. An agent shown such a key beside the real `access` could take
/// it for the entry's rights.
#[must_use]
pub fn resembles_system_field(key: &str) -> Option<&'static str> {
    if SYSTEM_FIELDS.contains(&key) {
        return None;
    }
    let folded: String = key
        .nfkc()
        .filter(|c| !is_invisible(*c))
        .map(latin_look_alike)
        .collect::<String>()
        .trim()
        .to_lowercase();
    SYSTEM_FIELDS
        .iter()
        .copied()
        .find(|field| field.to_lowercase() == folded)
}

/// Format and zero-width characters that render as nothing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}'
            | '\u{17b5}' | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
    )
}

/// Cyrillic and Greek letters drawn like the Latin letters of the system field names.
fn latin_look_alike(c: char) -> char {
    match c {
        'а' | 'α' | 'А' | 'Α' => 'a',
        'с' | 'С' | 'ϲ' => 'c',
        'е' | 'ε' | 'Е' | 'Ε' => 'e',
        'і' | 'ι' | 'І' | 'Ι' | 'ı' => 'i',
        'ԁ' => 'd',
        'о' | 'ο' | 'О' | 'Ο' => 'o',
        'р' | 'ρ' | 'Р' | 'Ρ' => 'p',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'τ' | 'Т' | 'Τ' => 't',
        'υ' | 'ս' => 'u',
        'ν' | 'ѵ' => 'v',
        'п' | 'η' => 'n',
        'г' => 'r',
        'ӏ' | 'Ӏ' => 'l',
        other => other,
    }
}

#[cfg(test)]
mod look_alike_tests {
    use super::*;

    #[test]
    fn keys_that_pass_for_a_system_field_are_recognised() {
        for key in [
            "Access",
            "access ",
            " ACCESS",
            "\u{0430}ccess",
            "acc\u{200b}ess",
            "\u{feff}access",
            "ａｃｃｅｓｓ",
            "ID",
            "tenantid",
            "Creat\u{0435}dAt",
            "revisi\u{03bf}n",
        ] {
            assert!(resembles_system_field(key).is_some(), "{key:?}");
        }
        assert_eq!(resembles_system_field("\u{0430}ccess"), Some("access"));
    }

    #[test]
    fn system_fields_themselves_and_other_keys_are_not_look_alikes() {
        for key in [
            "access",
            "id",
            "title",
            "accessLevel",
            "identity",
            "revisions",
            "créé",
        ] {
            assert_eq!(resembles_system_field(key), None, "{key:?}");
        }
    }
}
