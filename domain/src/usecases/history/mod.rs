//! Entry history for the person: an entry's revisions (`get_history`), putting an entry back
//! (`restore_data`), and a project's writes (`list_activity`).

mod activity;
mod get_history;
mod restore;
#[cfg(test)]
mod tests;

pub use activity::{ActivityPage, ActivityRequest, list_activity, parse_since};
pub use get_history::{HistoryPage, HistoryRequest, get_history};
pub use restore::{RestoreRequest, restore_data};
