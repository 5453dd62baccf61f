//! `query_data`: a page of readable entries, filtered, sorted, projected, with a keyset
//! cursor to the next page.

use serde_json::{Map, Value};

use crate::error::UseCaseError;
use crate::model::{CollectionName, Principal, ProjectId, UserId};
use crate::ports::EntryQuery;
use crate::query::{Cursor, Filter, Projection, Sort, fingerprint};

use super::{
    Ports,
    common::{caller, found, refuse_nul},
};

/// How many entries one page holds: 1..=100, 50 when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(u32);

impl Limit {
    /// The page size when the caller gives none.
    pub const DEFAULT: u32 = 50;
    /// The largest page.
    pub const MAX: u32 = 100;

    /// Parses the caller's `limit`.
    ///
    /// # Errors
    /// A value outside 1..=100, with a message that says so.
    pub fn parse(raw: Option<i64>) -> Result<Self, UseCaseError> {
        match raw {
            None => Ok(Self(Self::DEFAULT)),
            Some(n) if (1..=i64::from(Self::MAX)).contains(&n) => {
                Ok(Self(u32::try_from(n).unwrap_or(Self::DEFAULT)))
            }
            Some(n) => Err(UseCaseError::invalid(
                "limit",
                format!(
                    "{n} is out of range; use 1 to 100 (default 50) and page on with nextCursor"
                ),
            )),
        }
    }

    /// The value.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

/// What to list. The structured arguments arrive as the caller's JSON and are parsed here,
/// so every mistake comes back as an `InvalidArgument` naming the argument.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRequest {
    pub project: ProjectId,
    pub collection: CollectionName,
    pub filter: Option<Value>,
    pub sort: Option<Value>,
    /// The data paths to return (and any system field named); every data field when `None`.
    pub fields: Option<Value>,
    /// System fields to return beyond `id`, `revision` and `updatedAt`.
    pub include: Option<Value>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// The most JSON bytes the page's entries may take (a model's context window is the
    /// reader); whole entries past it are left for the next page. `None`: no budget.
    pub max_bytes: Option<usize>,
}

/// One page.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPage {
    /// The entries in their flat form, projected: the data fields `fields` asks for (all by
    /// default), `id`, `revision`, `updatedAt` and the system fields asked for.
    pub entries: Vec<Map<String, Value>>,
    /// Pass this as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// True when the size budget ended the page before `limit` entries.
    pub truncated: bool,
    /// Each entry's JSON (compact, as `serde_json` writes it), written once to measure the
    /// page against its budget and kept so that a transport need not write it again.
    pub texts: Vec<String>,
    /// Who created each entry, in the same order: the authors of the data the page shows.
    pub authors: Vec<UserId>,
}

/// A page of the caller's readable, not deleted entries.
///
/// # Errors
/// `InvalidArgument` for a bad limit, filter, sort, fields or cursor (the field named);
/// `NotFound` for an unknown project or collection.
#[tracing::instrument(name = "use_case", skip_all, fields(otel.name = "use case query_data", code.function.name = "query_data"))]
pub async fn query_data(
    ports: &Ports,
    principal: &Principal,
    req: QueryRequest,
) -> Result<QueryPage, UseCaseError> {
    let limit = Limit::parse(req.limit)?;
    refuse_nul(req.filter.as_ref(), "filter")?;
    refuse_nul(req.sort.as_ref(), "sort")?;
    refuse_nul(req.fields.as_ref(), "fields")?;
    refuse_nul(req.include.as_ref(), "include")?;
    let filter = req.filter.as_ref().map_or(Ok(Filter::All), Filter::parse)?;
    let sort = req.sort.as_ref().map_or(Ok(Sort::default()), Sort::parse)?;
    let projection = req
        .fields
        .as_ref()
        .map_or(Ok(Projection::default()), Projection::parse)?;
    let projection = match &req.include {
        Some(include) => projection.include(include)?,
        None => projection,
    };
    let shape = fingerprint(&[
        &Value::String(req.project.to_string()),
        &Value::String(req.collection.to_string()),
        req.filter.as_ref().unwrap_or(&Value::Null),
        req.sort.as_ref().unwrap_or(&Value::Null),
    ]);
    let after = req
        .cursor
        .as_deref()
        .map(|raw| Cursor::decode(raw, shape))
        .transpose()?;
    if let Some(cursor) = &after {
        cursor.check(&sort)?;
    }

    let caller = caller(principal, req.project)?;
    let query = EntryQuery {
        filter,
        sort: sort.clone(),
        after,
        limit: limit.get() + 1,
    };
    let scoped = ports.entries.query(caller, &req.collection, &query).await?;
    let (_, mut entries) = found(scoped, req.project, Some(&req.collection))?;
    let mut more = entries.len() > limit.get() as usize;
    entries.truncate(limit.get() as usize);
    // Each entry's keyset position (for the cursor), then its flat form, projected: the
    // entries are moved into their output, never copied.
    let mut positions = Vec::with_capacity(entries.len());
    let mut flat: Vec<Map<String, Value>> = Vec::with_capacity(entries.len());
    let mut authors = Vec::with_capacity(entries.len());
    for entry in entries {
        let id = entry.id.as_uuid();
        let author = entry.created_by;
        let whole = Value::Object(entry.into_json());
        let key = sort.key(&whole);
        let Value::Object(whole) = whole else {
            continue;
        };
        positions.push((key, id));
        authors.push(author);
        flat.push(projection.apply(whole));
    }
    let mut texts = flat
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| UseCaseError::Unexpected(format!("writing an entry's JSON: {e}")))?;
    let kept = within_budget(&texts, req.max_bytes);
    let truncated = kept < flat.len();
    if truncated {
        flat.truncate(kept);
        positions.truncate(kept);
        texts.truncate(kept);
        authors.truncate(kept);
        more = true;
    }
    let next_cursor = match positions.pop() {
        Some((sort_value, id)) if more => Some(Cursor { sort_value, id }.encode(shape)),
        _ => None,
    };
    Ok(QueryPage {
        entries: flat,
        next_cursor,
        truncated,
        texts,
        authors,
    })
}

/// How many leading entries (given as their JSON) fit in `budget` bytes: whole entries
/// only, and always at least one (a single entry larger than the budget is still returned,
/// alone, so no entry becomes unreachable through paging).
fn within_budget(texts: &[String], budget: Option<usize>) -> usize {
    let Some(budget) = budget else {
        return texts.len();
    };
    let mut used = 0usize;
    for (i, text) in texts.iter().enumerate() {
        used = used.saturating_add(text.len() + 1);
        if used > budget && i > 0 {
            return i;
        }
    }
    texts.len()
}

#[cfg(test)]
mod tests;
