-- Idempotent creates: what a create_data or create_many call made with an idempotency key
-- answered, kept per person, project and key for 24 hours, so a retry (after a timeout)
-- is answered from it instead of creating the entries again.
--
-- The record is written by the same statement as the entries (adapters/src/postgres/
-- bulk_insert.rs: a data-modifying CTE inserting the record, then the entries only if it
-- did), so no crash leaves entries without their record or the reverse. The primary key
-- makes two racing calls with one key create once: the second waits on the first's row,
-- finds it and inserts nothing. A record older than the window (the server's clock decides:
-- created_at < the cutoff the call passes) is replaced by the same INSERT … ON CONFLICT DO
-- UPDATE … WHERE, atomically. The periodic purge deletes expired ones (the owner's pool).
CREATE TABLE idempotency_keys (
    tenant_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    -- A digest of the call's arguments (tool, collection, data); a retry must match it.
    digest text NOT NULL,
    -- The call's answer, replayed as it was.
    result jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- A person's call sees, writes and replaces only their own records in the project of the
-- call's context; nothing ever deletes one but the owner's purge.
GRANT SELECT, INSERT, UPDATE ON idempotency_keys TO platform_mcp_app;
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_own ON idempotency_keys TO platform_mcp_app
    USING (tenant_id = app_tenant_id() AND user_id = app_user_id())
    WITH CHECK (tenant_id = app_tenant_id() AND user_id = app_user_id());
CREATE POLICY idempotency_keys_purge ON idempotency_keys TO CURRENT_USER
    USING (true) WITH CHECK (true);
