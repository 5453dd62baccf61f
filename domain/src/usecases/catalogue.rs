//! The one list of use cases and what each does to data. Everything that needs to know
//! which operations write derives from it: the scope check of the use cases here, the bearer
//! middleware's refusal of write tools to read-only tokens, the tools' annotations (a test in
//! `app` ties them to this list) and the end-to-end clients (the harness passes them the
//! list).

/// What a use case does to stored entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads only.
    Reads,
    /// Adds new entries, never changing an existing one.
    Adds,
    /// Changes or removes existing entries.
    Changes,
}

/// A use case, named as its function and as the MCP tool that runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseCase {
    ListProjects,
    ListTypes,
    QueryData,
    CountData,
    AggregateData,
    GetData,
    CreateData,
    CreateMany,
    UpdateData,
    DeleteData,
    UpdateMany,
    DeleteMany,
    GetHistory,
    RestoreData,
    ListActivity,
}

impl UseCase {
    /// Every use case, in the order tools are listed.
    pub const ALL: [Self; 15] = [
        Self::ListProjects,
        Self::ListTypes,
        Self::QueryData,
        Self::CountData,
        Self::AggregateData,
        Self::GetData,
        Self::CreateData,
        Self::CreateMany,
        Self::UpdateData,
        Self::DeleteData,
        Self::UpdateMany,
        Self::DeleteMany,
        Self::GetHistory,
        Self::RestoreData,
        Self::ListActivity,
    ];

    /// The use case's name (its function's, and its tool's).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::ListProjects => "list_projects",
            Self::ListTypes => "list_types",
            Self::QueryData => "query_data",
            Self::CountData => "count_data",
            Self::AggregateData => "aggregate_data",
            Self::GetData => "get_data",
            Self::CreateData => "create_data",
            Self::CreateMany => "create_many",
            Self::UpdateData => "update_data",
            Self::DeleteData => "delete_data",
            Self::UpdateMany => "update_many",
            Self::DeleteMany => "delete_many",
            Self::GetHistory => "get_history",
            Self::RestoreData => "restore_data",
            Self::ListActivity => "list_activity",
        }
    }

    /// The use case called `name`, if there is one.
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.name() == name)
    }

    /// What it does to stored entries.
    #[must_use]
    pub const fn effect(self) -> Effect {
        match self {
            Self::ListProjects
            | Self::ListTypes
            | Self::QueryData
            | Self::CountData
            | Self::AggregateData
            | Self::GetData
            | Self::GetHistory
            | Self::ListActivity => Effect::Reads,
            Self::CreateData | Self::CreateMany => Effect::Adds,
            Self::UpdateData
            | Self::DeleteData
            | Self::UpdateMany
            | Self::DeleteMany
            | Self::RestoreData => Effect::Changes,
        }
    }

    /// True when it changes data, so a token needs `data:write` to run it.
    #[must_use]
    pub const fn writes(self) -> bool {
        !matches!(self.effect(), Effect::Reads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_use_case_is_found_by_its_name_and_only_it() {
        for use_case in UseCase::ALL {
            assert_eq!(UseCase::named(use_case.name()), Some(use_case));
        }
        assert_eq!(UseCase::named("drop_everything"), None);
    }

    #[test]
    fn exactly_the_creating_updating_and_deleting_use_cases_write() {
        let writes: Vec<&str> = UseCase::ALL
            .into_iter()
            .filter(|u| u.writes())
            .map(UseCase::name)
            .collect();
        assert_eq!(
            writes,
            [
                "create_data",
                "create_many",
                "update_data",
                "delete_data",
                "update_many",
                "delete_many",
                "restore_data"
            ]
        );
    }

    #[test]
    fn a_read_only_token_may_run_exactly_the_use_cases_that_do_not_write() {
        let read_only = crate::usecases::fixtures::principal_with(&["data:read"]);
        for use_case in UseCase::ALL {
            let allowed = crate::usecases::common::require_write(&read_only, use_case).is_ok();
            assert_eq!(allowed, !use_case.writes(), "{}", use_case.name());
        }
    }
}
