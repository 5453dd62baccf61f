//! Subjects: who an access list names. `user:<id>`, `role:<r>`, `members`, and `creator`
//! (only inside a type's `defaultAccess`, replaced by `user:<creator id>` at creation).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ids::UserId;
use super::role::Role;

/// One entry of an access list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    User(UserId),
    Role(Role),
    Members,
    Creator,
}

/// The subject text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a subject; use \"user:<user id>\", \"role:owner|admin|editor|viewer\", \"members\" or (in defaultAccess) \"creator\""
)]
pub struct SubjectError(pub String);

impl FromStr for Subject {
    type Err = SubjectError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = || SubjectError(raw.chars().take(80).collect());
        match raw {
            "members" => Ok(Subject::Members),
            "creator" => Ok(Subject::Creator),
            _ => {
                if let Some(id) = raw.strip_prefix("user:") {
                    id.parse().map(Subject::User).map_err(|_| err())
                } else if let Some(role) = raw.strip_prefix("role:") {
                    role.parse().map(Subject::Role).map_err(|_| err())
                } else {
                    Err(err())
                }
            }
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::User(id) => write!(f, "user:{id}"),
            Subject::Role(role) => write!(f, "role:{role}"),
            Subject::Members => f.write_str("members"),
            Subject::Creator => f.write_str("creator"),
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subject_form_round_trips_through_text() {
        for raw in [
            "user:0190f5a8-7b1c-7cc2-9a51-2b0b7b4e6f10",
            "role:viewer",
            "members",
            "creator",
        ] {
            assert_eq!(raw.parse::<Subject>().unwrap().to_string(), raw);
        }
    }

    #[test]
    fn unknown_subjects_are_refused() {
        for raw in ["everyone", "user:bob", "role:god", "", "Members"] {
            assert!(raw.parse::<Subject>().is_err(), "{raw}");
        }
    }
}
