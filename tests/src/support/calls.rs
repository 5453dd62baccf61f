//! The eight tools' use cases as `World` methods: a call names the person, the project and
//! the collection, and gets the use case's own result.

use domain::UseCaseError;
use domain::model::{Entry, EntryId, ProjectId};
use domain::usecases::{
    CountRequest, CreateRequest, DeleteRequest, GetRequest, QueryPage, QueryRequest, UpdateRequest,
    count_data, create_data, delete_data, get_data, query_data, update_data,
};
use serde_json::Value;

use super::Store;
use super::world::{Q, Who, World, coll};

impl<S: Store> World<S> {
    pub async fn create(
        &self,
        who: Who,
        project: ProjectId,
        collection: &str,
        data: Value,
    ) -> Result<Entry, UseCaseError> {
        let req = CreateRequest {
            project,
            collection: coll(collection),
            data,
            idempotency_key: None,
        };
        create_data(&self.ports, &self.principal(who), req).await
    }

    pub async fn get(
        &self,
        who: Who,
        project: ProjectId,
        collection: &str,
        id: EntryId,
    ) -> Result<Entry, UseCaseError> {
        let req = GetRequest {
            project,
            collection: coll(collection),
            id,
        };
        get_data(&self.ports, &self.principal(who), req).await
    }

    pub async fn update(
        &self,
        who: Who,
        project: ProjectId,
        collection: &str,
        id: EntryId,
        modifier: Value,
        expected_revision: Option<i64>,
    ) -> Result<Entry, UseCaseError> {
        let req = UpdateRequest {
            project,
            collection: coll(collection),
            id,
            modifier,
            expected_revision,
        };
        update_data(&self.ports, &self.principal(who), req).await
    }

    pub async fn delete(
        &self,
        who: Who,
        project: ProjectId,
        collection: &str,
        id: EntryId,
        expected_revision: Option<i64>,
    ) -> Result<Entry, UseCaseError> {
        let req = DeleteRequest {
            project,
            collection: coll(collection),
            id,
            expected_revision,
        };
        delete_data(&self.ports, &self.principal(who), req).await
    }

    pub async fn query(
        &self,
        who: Who,
        project: ProjectId,
        collection: &str,
        q: Q,
    ) -> Result<QueryPage, UseCaseError> {
        let req = QueryRequest {
            project,
            collection: coll(collection),
            filter: q.filter,
            sort: q.sort,
            fields: q.fields,
            include: q.include,
            limit: q.limit,
            cursor: q.cursor,
            max_bytes: None,
        };
        query_data(&self.ports, &self.principal(who), req).await
    }

    pub async fn count(
        &self,
        who: Who,
        project: ProjectId,
        collection: &str,
        filter: Option<Value>,
    ) -> Result<u64, UseCaseError> {
        let req = CountRequest {
            project,
            collection: coll(collection),
            filter,
        };
        count_data(&self.ports, &self.principal(who), req).await
    }
}
