//! Idempotent creates: a call carrying an idempotency key is answered from the record of
//! an earlier call with the same key by the same person in the same project within
//! [`IDEMPOTENCY_WINDOW`], and writes nothing; with other arguments it is refused. The
//! record is stored in the same transaction as the entries (`EntryStore::insert_many`),
//! so no crash leaves one without the other, and of two racing calls one creates.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::UseCase;
use super::common::{compute, found};
use super::{Ports, creation};
use crate::error::UseCaseError;
use crate::model::{CollectionName, Entry, EntryId, IdempotencyKey, ProjectId, UserId};
use crate::ports::{Caller, IdempotencyRecord, NewIdempotencyRecord};
use crate::query::fingerprint;

/// How long a key's first answer is replayed; after it the key is free again.
pub const IDEMPOTENCY_WINDOW: TimeDelta = TimeDelta::hours(24);

/// A call made with an idempotency key: the key, its arguments' digest and its time.
pub(crate) struct Keyed {
    key: IdempotencyKey,
    digest: String,
    now: DateTime<Utc>,
}

impl Keyed {
    /// Digests the arguments (the use case, the collection and the data, as canonical
    /// JSON; through the `Compute` port, as they may be large) and hands `data` back.
    ///
    /// # Errors
    /// `Unexpected` when the computation did not finish.
    pub(crate) async fn new<T: Send + 'static>(
        ports: &Ports,
        key: IdempotencyKey,
        use_case: UseCase,
        collection: &CollectionName,
        data: T,
        as_json: impl FnOnce(&T) -> Value + Send + 'static,
    ) -> Result<(Self, T), UseCaseError> {
        let collection = Value::String(collection.to_string());
        let (digest, data) = compute(ports, move || {
            let name = Value::String(use_case.name().to_owned());
            let digest = format!(
                "{:016x}",
                fingerprint(&[&name, &collection, &as_json(&data)])
            );
            (digest, data)
        })
        .await?;
        let keyed = Self {
            key,
            digest,
            now: ports.clock.now(),
        };
        Ok((keyed, data))
    }

    /// When the call happens (every time it stores is this one).
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The answer of an earlier call with this key that still counts, if any.
    ///
    /// # Errors
    /// `KeyReused` when that call had other arguments; `NotFound` for a non-member.
    pub(crate) async fn earlier(
        &self,
        ports: &Ports,
        caller: Caller,
    ) -> Result<Option<Value>, UseCaseError> {
        let scoped = ports.entries.idempotent(caller, &self.key).await?;
        let (_, record) = found(scoped, caller.project, None)?;
        match record {
            Some(record) if record.created_at >= self.expired_before() => {
                self.replay(record).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The earlier call's answer, if it had the same arguments.
    ///
    /// # Errors
    /// `KeyReused` when it had other arguments.
    pub(crate) fn replay(&self, record: IdempotencyRecord) -> Result<Value, UseCaseError> {
        if record.digest == self.digest {
            return Ok(record.result);
        }
        Err(UseCaseError::KeyReused(format!(
            "the idempotencyKey \"{}\" was used at {} with other arguments, so nothing was \
             written; send a new key for a new request (resending exactly the first call's \
             arguments with this key returns its result)",
            self.key,
            crate::model::format_time(record.created_at)
        )))
    }

    /// The record to store with the entries, answering `result`.
    pub(crate) fn record(&self, result: Value) -> NewIdempotencyRecord {
        NewIdempotencyRecord {
            record: IdempotencyRecord {
                key: self.key.clone(),
                digest: self.digest.clone(),
                result,
                created_at: self.now,
            },
            expired_before: self.expired_before(),
        }
    }

    fn expired_before(&self) -> DateTime<Utc> {
        self.now - IDEMPOTENCY_WINDOW
    }
}

/// The entry a `create_data` answered, from its record (the flat form `Entry::to_json`
/// wrote). The record is the caller's own, so its creator is the caller.
///
/// # Errors
/// `Unexpected` when the record does not hold an entry.
pub(crate) fn entry_of_record(
    result: Value,
    project: ProjectId,
    collection: CollectionName,
    creator: UserId,
) -> Result<Entry, UseCaseError> {
    let broken =
        |what: &str| UseCaseError::Unexpected(format!("an idempotency record's entry: {what}"));
    let mut flat =
        creation::object_fields(result, "record").map_err(|_| broken("not an object"))?;
    let mut take = |name: &str| flat.remove(name).ok_or_else(|| broken(name));
    let text = |v: Value, name: &str| v.as_str().map(str::to_owned).ok_or_else(|| broken(name));
    let time = |v: Value, name: &str| -> Result<DateTime<Utc>, UseCaseError> {
        DateTime::parse_from_rfc3339(&text(v, name)?)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| broken(name))
    };
    let id: EntryId = text(take("id")?, "id")?.parse().map_err(|_| broken("id"))?;
    let tenant: ProjectId = text(take("tenantId")?, "tenantId")?
        .parse()
        .map_err(|_| broken("tenantId"))?;
    let created_at = time(take("createdAt")?, "createdAt")?;
    let updated_at = time(take("updatedAt")?, "updatedAt")?;
    let deleted_at = match take("deletedAt")? {
        Value::Null => None,
        t => Some(time(t, "deletedAt")?),
    };
    let revision = take("revision")?
        .as_i64()
        .ok_or_else(|| broken("revision"))?;
    let access = serde_json::from_value(take("access")?).map_err(|_| broken("access"))?;
    if tenant != project {
        return Err(broken("of another project"));
    }
    let fields: Map<String, Value> = flat;
    Ok(Entry {
        id,
        tenant_id: tenant,
        collection,
        fields,
        created_at,
        updated_at,
        deleted_at,
        revision,
        access,
        created_by: creator,
    })
}
