//! `count_data`: how many readable entries match a filter.

use serde_json::Value;

use crate::error::UseCaseError;
use crate::model::{CollectionName, Principal, ProjectId};
use crate::query::Filter;

use super::{
    Ports,
    common::{caller, found, refuse_nul},
};

/// What to count.
#[derive(Debug, Clone, PartialEq)]
pub struct CountRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    /// The filter as the caller sent it (`None`: everything).
    pub filter: Option<Value>,
}

/// The number of readable, not deleted entries matching the filter.
///
/// # Errors
/// `InvalidArgument` for a bad filter; `NotFound` for an unknown project or collection.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case count_data", code.function.name = "count_data"))]
pub async fn count_data(
    ports: &Ports,
    principal: &Principal,
    req: CountRequest,
) -> Result<u64, UseCaseError> {
    refuse_nul(req.filter.as_ref(), "filter")?;
    let filter = match &req.filter {
        Some(raw) => Filter::parse(raw)?,
        None => Filter::All,
    };
    let caller = caller(principal, req.project)?;
    let scoped = ports
        .entries
        .count(caller, &req.collection, &filter)
        .await?;
    let (_, n) = found(scoped, req.project, Some(&req.collection))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::usecases::fixtures::*;
    use serde_json::json;

    #[tokio::test]
    async fn counts_through_storage_with_the_parsed_filter() {
        let mut f = Fixture::new();
        f.member(Role::Viewer);
        f.has_type(tasks_type());
        let s = f.scope();
        f.entries
            .expect_count()
            .withf(|_, _, filter| *filter != Filter::All)
            .return_once(move |_, _, _| Ok(s.of(7)));
        let req = CountRequest {
            project: project(),
            collection: tasks(),
            filter: Some(json!({"done": true})),
        };
        assert_eq!(count_data(&f.ports(), &principal(), req).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_bad_filter_is_an_invalid_argument_before_any_storage_call() {
        let f = Fixture::new();
        let req = CountRequest {
            project: project(),
            collection: tasks(),
            filter: Some(json!({"$where": "1"})),
        };
        let err = count_data(&f.ports(), &principal(), req).await.unwrap_err();
        assert!(matches!(err, UseCaseError::InvalidArgument { .. }));
    }
}
