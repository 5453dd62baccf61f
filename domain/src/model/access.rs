//! Access lists: who may read, update and delete an entry, and a type's creation rule.

use serde::{Deserialize, Serialize};

use super::ids::UserId;
use super::subject::Subject;

/// An entry's `access`, or a type's `defaultAccess` (which may name `creator`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    pub read: Vec<Subject>,
    pub update: Vec<Subject>,
    pub delete: Vec<Subject>,
}

/// The three operations an access list governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Read,
    Update,
    Delete,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 3] = [Operation::Read, Operation::Update, Operation::Delete];
}

impl Access {
    /// The list that governs `op`.
    #[must_use]
    pub fn list(&self, op: Operation) -> &[Subject] {
        match op {
            Operation::Read => &self.read,
            Operation::Update => &self.update,
            Operation::Delete => &self.delete,
        }
    }

    /// A type's `defaultAccess` when none is given: members read; the creator and admins
    /// update and delete.
    #[must_use]
    pub fn default_for_type() -> Self {
        let writers = vec![Subject::Creator, Subject::Role(super::Role::Admin)];
        Self {
            read: vec![Subject::Members],
            update: writers.clone(),
            delete: writers,
        }
    }

    /// This access with `creator` replaced by `user:<creator>` (and duplicates removed), as a
    /// new entry receives it.
    #[must_use]
    pub fn resolve_creator(&self, creator: UserId) -> Self {
        let resolve = |list: &[Subject]| {
            let mut out: Vec<Subject> = Vec::with_capacity(list.len());
            for s in list {
                let s = match s {
                    Subject::Creator => Subject::User(creator),
                    other => *other,
                };
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            out
        };
        Self {
            read: resolve(&self.read),
            update: resolve(&self.update),
            delete: resolve(&self.delete),
        }
    }

    /// True when `creator` appears anywhere (it may only appear in a `defaultAccess`).
    #[must_use]
    pub fn mentions_creator(&self) -> bool {
        Operation::ALL
            .iter()
            .any(|op| self.list(*op).contains(&Subject::Creator))
    }
}

/// A type's `creationAccess`: the subjects that may create entries (default `role:editor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreationAccess(pub Vec<Subject>);

impl Default for CreationAccess {
    fn default() -> Self {
        Self(vec![Subject::Role(super::Role::Editor)])
    }
}
