//! The arguments and the answer of `update_many` and `delete_many`: a preview to show the
//! person (nothing changed yet) or the entries a confirmation changed, each compact.

use domain::usecases::{BulkOutcome, BulkPreview, PREVIEW_TTL, Sample, SampleChange};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::untrusted::Untrusted;

/// Arguments of `update_many`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateManyArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// Which entries, as for query_data (e.g. {"status": "open", "due": {"$lt": "2026-01-01"}});
    /// {} matches every entry.
    pub filter: Map<String, Value>,
    /// MongoDB-style update operators applied to each entry, as for update_data.
    pub modifier: Map<String, Value>,
    /// The confirm token of the preview the person approved. Leave it out to get a preview.
    pub confirm: Option<String>,
}

/// Arguments of `delete_many`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteManyArgs {
    /// The project's id, from list_projects.
    pub project_id: String,
    /// The collection, from list_types.
    pub collection_name: String,
    /// Which entries, as for query_data; {} matches every entry.
    pub filter: Map<String, Value>,
    /// The confirm token of the preview the person approved. Leave it out to get a preview.
    pub confirm: Option<String>,
}

/// A previewed entry and what the change does to it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SampleOut {
    pub id: String,
    pub revision: i64,
    /// update_many: the top-level fields the update changes, as they are now (a field
    /// missing here is added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Map<String, Value>>,
    /// update_many: the same fields after the update (a field missing here is removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Map<String, Value>>,
    /// delete_many: the entry's own fields, which the delete hides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
}

/// A changed entry: where it is now.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedOut {
    pub id: String,
    pub revision: i64,
    pub updated_at: String,
}

/// Result of `update_many` and `delete_many`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkOut {
    /// True: nothing was changed, this is a preview to show the person. False: the change
    /// was applied.
    pub preview: bool,
    /// Preview: matching entries you may change (a confirmation changes exactly these).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<usize>,
    /// Preview: matching entries you may read but not change (left alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<usize>,
    /// Preview: up to 10 matched entries with their change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<Vec<SampleOut>>,
    /// Preview: pass this as confirm, with the same arguments, once the person approved.
    /// Absent when nothing would change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<String>,
    /// Preview: until when confirm is accepted (5 minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// What to do next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Applied: how many entries changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<usize>,
    /// Applied: each changed entry's id, new revision and updatedAt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<ChangedOut>>,
}

fn sample(s: Sample) -> SampleOut {
    let (before, after, data) = match s.change {
        SampleChange::Update { before, after } => (Some(before), Some(after), None),
        SampleChange::Delete { fields } => (None, None, Some(fields)),
    };
    SampleOut {
        id: s.id.to_string(),
        revision: s.revision,
        before,
        after,
        data,
    }
}

fn previewed(tool: &str, p: BulkPreview) -> BulkOut {
    let next = match &p.confirm {
        Some(_) => format!(
            "Nothing has changed yet. Show the person this preview ({} entries would change, {} \
             matching entries you may not change are left alone, with the samples) and ask \
             whether to go ahead. Only if they agree, call {tool} again with the same arguments \
             and confirm set to the token above, within {} minutes.",
            p.matched,
            p.skipped,
            PREVIEW_TTL.num_minutes()
        ),
        None => "Nothing matches that you may change, so there is nothing to confirm.".to_owned(),
    };
    let (confirm, expires_at) = match p.confirm {
        Some((token, at)) => (Some(token), Some(domain::model::format_time(at))),
        None => (None, None),
    };
    BulkOut {
        preview: true,
        matched: Some(p.matched),
        skipped: Some(p.skipped),
        samples: Some(p.samples.into_iter().map(sample).collect()),
        confirm,
        expires_at,
        next: Some(next),
        changed: None,
        entries: None,
    }
}

/// The entry content a bulk answer carries: a preview's samples, by their creators (a
/// confirmation lists ids only).
pub fn authors(outcome: &BulkOutcome) -> Option<Untrusted> {
    match outcome {
        BulkOutcome::Preview(p) => Untrusted::by(p.samples.iter().map(|s| s.created_by)),
        BulkOutcome::Applied(_) => None,
    }
}

/// The answer of `tool` (`update_many` or `delete_many`).
pub fn bulk_out(tool: &str, outcome: BulkOutcome) -> BulkOut {
    match outcome {
        BulkOutcome::Preview(p) => previewed(tool, p),
        BulkOutcome::Applied(entries) => BulkOut {
            preview: false,
            matched: None,
            skipped: None,
            samples: None,
            confirm: None,
            expires_at: None,
            next: None,
            changed: Some(entries.len()),
            entries: Some(
                entries
                    .into_iter()
                    .map(|e| ChangedOut {
                        id: e.id.to_string(),
                        revision: e.revision,
                        updated_at: domain::model::format_time(e.updated_at),
                    })
                    .collect(),
            ),
        },
    }
}
