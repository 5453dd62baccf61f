-- Idempotent creates: what a create_data or create_many call made with an idempotency key
-- answered, per person, project and key, for 24 hours (see the PostgreSQL migration
-- 0009_idempotency.sql). Written in the same transaction as the entries, on the single
-- writer connection (adapters/src/sqlite/bulk_insert.rs). Times are fixed-width RFC 3339
-- text, as everywhere in this schema, so their text order is time order.
CREATE TABLE idempotency_keys (
    tenant_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    digest     TEXT NOT NULL,
    result     TEXT NOT NULL CHECK (json_valid(result)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, key)
) STRICT;
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
