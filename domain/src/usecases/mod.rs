//! The use cases, one per tool, each a function of the ports and the caller.

mod aggregate_data;
mod bulk;
mod catalogue;
mod change;
mod common;
mod count_data;
mod create_data;
mod create_many;
mod creation;
mod delete_data;
mod get_data;
pub mod grants;
mod history;
mod idempotency;
mod list_projects;
mod list_types;
mod query_data;
mod update_data;

#[cfg(test)]
mod fixtures;

pub use aggregate_data::{AggregatePage, AggregateRequest, MAX_GROUPS, aggregate_data};
pub use bulk::{
    BulkChange, BulkOutcome, BulkPreview, BulkRequest, MAX_BULK, PREVIEW_TTL, SAMPLES, Sample,
    SampleChange, delete_many, update_many,
};
pub use catalogue::{Effect, UseCase};
pub use common::{MAX_DOCUMENT_BYTES, Ports};
pub use count_data::{CountRequest, count_data};
pub use create_data::{CreateRequest, create_data};
pub use create_many::{CreateManyRequest, Created, CreatedMany, MAX_CREATE_MANY, create_many};
pub use delete_data::{DeleteRequest, delete_data};
pub use get_data::{GetRequest, get_data};
pub use history::{
    ActivityPage, ActivityRequest, HistoryPage, HistoryRequest, RestoreRequest, get_history,
    list_activity, parse_since, restore_data,
};
pub use idempotency::IDEMPOTENCY_WINDOW;
pub use list_projects::list_projects;
pub use list_types::list_types;
pub use query_data::{Limit, QueryPage, QueryRequest, query_data};
pub use update_data::{UpdateRequest, update_data};
