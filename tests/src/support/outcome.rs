//! Reading use-case results: the access outcome of a call, and the labels of a page.

use domain::rules::Decision;
use domain::usecases::QueryPage;
use domain::{Resource, UseCaseError};

/// What a call on an existing entry came to, in the terms of the access rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    /// "Not found" for the entry: the caller may not know it exists.
    Hidden,
    /// "Permission denied": readable, not changeable by the caller.
    Denied,
    /// "Not found" for the project: the caller is not a member.
    NoProject,
    /// Any other answer: always a failure of the adapter or the scenario.
    Other(String),
}

impl From<Decision> for Outcome {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Allowed => Self::Allowed,
            Decision::Hidden => Self::Hidden,
            Decision::Denied => Self::Denied,
        }
    }
}

/// The outcome of a use-case result.
pub fn outcome<T>(result: &Result<T, UseCaseError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Allowed,
        Err(UseCaseError::NotFound {
            resource: Resource::Entry,
            ..
        }) => Outcome::Hidden,
        Err(UseCaseError::NotFound {
            resource: Resource::Project,
            ..
        }) => Outcome::NoProject,
        Err(UseCaseError::PermissionDenied(_)) => Outcome::Denied,
        Err(other) => Outcome::Other(format!("{other:?}")),
    }
}

/// Asserts that `result` is "not found" for `resource`.
#[track_caller]
pub fn expect_not_found<T: std::fmt::Debug>(result: Result<T, UseCaseError>, resource: Resource) {
    match result {
        Err(UseCaseError::NotFound { resource: r, .. }) if r == resource => {}
        other => panic!("expected NotFound({resource:?}), got {other:?}"),
    }
}

/// The `label` field of each entry of a page, in page order.
pub fn labels(page: &QueryPage) -> Vec<String> {
    page.entries
        .iter()
        .map(|e| {
            e.get("label")
                .and_then(|l| l.as_str())
                .unwrap_or("<no label>")
                .to_owned()
        })
        .collect()
}
