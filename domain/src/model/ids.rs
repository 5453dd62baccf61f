//! Identifiers: UUIDs behind newtypes so a project id is never passed where an entry id is
//! expected, and collection names checked once at the edge.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error(
        "\"{value}\" is not a valid {kind}; expected a UUID such as 0190f5a8-7b1c-7cc2-9a51-2b0b7b4e6f10"
    )]
    NotUuid { kind: &'static str, value: String },
    #[error(
        "\"{0}\" is not a valid collection name; use 1 to 63 characters: a lowercase letter, then lowercase letters, digits or '_'"
    )]
    Collection(String),
}

macro_rules! uuid_id {
    ($name:ident, $kind:literal) => {
        #[doc = concat!("The id of a ", $kind, ".")]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID (from the id generator or storage).
            #[must_use]
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The UUID inside.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(raw.trim())
                    .map(Self)
                    .map_err(|_| IdError::NotUuid {
                        kind: $kind,
                        value: raw.chars().take(64).collect(),
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(ProjectId, "project id");
uuid_id!(EntryId, "entry id");
uuid_id!(UserId, "user id");
uuid_id!(GrantId, "grant id");

/// A type's `collectionName`: `^[a-z][a-z0-9_]{0,62}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CollectionName(String);

impl CollectionName {
    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CollectionName {
    type Err = IdError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let mut chars = raw.chars();
        let valid = raw.len() <= 63
            && chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdError::Collection(raw.chars().take(80).collect()))
        }
    }
}

impl<'de> Deserialize<'de> for CollectionName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for CollectionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_parses_into_an_entry_id() {
        let id: EntryId = "0190f5a8-7b1c-7cc2-9a51-2b0b7b4e6f10".parse().unwrap();
        assert_eq!(id.to_string(), "0190f5a8-7b1c-7cc2-9a51-2b0b7b4e6f10");
    }

    #[test]
    fn a_malformed_id_names_its_kind() {
        let err = "42".parse::<ProjectId>().unwrap_err();
        assert!(err.to_string().contains("project id"));
    }

    #[test]
    fn collection_names_follow_the_pattern() {
        for ok in ["a", "tasks", "order_items2", &"a".repeat(63)] {
            assert!(ok.parse::<CollectionName>().is_ok(), "{ok}");
        }
        for bad in ["", "Tasks", "1a", "_a", "a-b", "a b", "é", &"a".repeat(64)] {
            assert!(bad.parse::<CollectionName>().is_err(), "{bad}");
        }
    }
}
