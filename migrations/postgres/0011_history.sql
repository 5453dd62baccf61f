-- Entry history: one record per write of an entry, appended by the very statement that
-- writes the entry (adapters/src/postgres/entries.rs, bulk_insert.rs, bulk.rs: a
-- data-modifying CTE, or app_bulk_apply below), so an entry never changes without its
-- record and a record that cannot be stored undoes the write. A person's call may only
-- append records (of their own writes, in the project of their call) and read those of
-- the entries they may read; nothing but the operator's purge past the retention ever
-- removes one, and nothing changes one.
--
-- Restoring: restore_data undeletes an entry through the same compare-and-swap as any
-- write (deleted or not, the revision decides). An undelete needs access.delete, not
-- access.update; the entries_change policy cannot see the old row, so the statement that
-- undeletes names the entry in the transaction-local setting app.undelete and the policy
-- admits a row going live with access.delete only for that entry; entries_guard makes
-- sure such a write is an undelete and changes nothing but the deletion, revision and time.

CREATE TABLE entry_history (
    tenant_id  uuid NOT NULL,
    entry_id   uuid NOT NULL,
    collection text COLLATE "C" NOT NULL,
    -- The revision the write produced.
    revision   bigint NOT NULL,
    at         timestamptz NOT NULL,
    user_id    uuid NOT NULL,
    client_id  text NOT NULL,
    tool       text NOT NULL,
    action     text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
    -- What changed (see domain/src/model/history.rs).
    change     jsonb NOT NULL,
    -- The entry's own fields after the write: what a restore to this revision sets back.
    data       jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    PRIMARY KEY (tenant_id, entry_id, revision)
);
-- A project's activity, newest first (list_activity, the admin CLI).
CREATE INDEX entry_history_activity
    ON entry_history (tenant_id, at DESC, entry_id DESC, revision DESC);
-- A person's recent writes through one client (the connections page).
CREATE INDEX entry_history_recent ON entry_history (user_id, client_id, at DESC);
-- The purge past the retention.
CREATE INDEX entry_history_at ON entry_history (at);

-- Append and read only: no UPDATE, no DELETE for a person's call.
GRANT SELECT, INSERT ON entry_history TO platform_mcp_app;
ALTER TABLE entry_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE entry_history FORCE ROW LEVEL SECURITY;

-- A record is readable exactly when its entry is, deleted or not: the subquery on entries
-- is itself filtered by entries_read.
CREATE POLICY entry_history_read ON entry_history FOR SELECT TO platform_mcp_app
    USING (
        tenant_id = app_tenant_id()
        AND EXISTS (
            SELECT 1 FROM entries e
            WHERE e.tenant_id = entry_history.tenant_id AND e.id = entry_history.entry_id
        )
    );
-- A person's call records its own writes, in the project of the call.
CREATE POLICY entry_history_append ON entry_history FOR INSERT TO platform_mcp_app
    WITH CHECK (tenant_id = app_tenant_id() AND user_id = app_user_id());
-- The operator's path (the activity log, the purge) runs as the owner.
CREATE POLICY entry_history_directory ON entry_history TO CURRENT_USER
    USING (true) WITH CHECK (true);

-- A row going live passes with access.update (an update of a live entry) or, for the one
-- entry the statement named in app.undelete, with access.delete (an undelete). A row that
-- is or stays deleted needs access.delete, as before.
ALTER POLICY entries_change ON entries
    WITH CHECK (
        tenant_id = app_tenant_id()
        AND (
            (SELECT app_administers())
            OR (
                access -> 'read' ?| (SELECT app_subjects())
                AND CASE WHEN deleted_at IS NULL
                    THEN access -> 'update' ?| (SELECT app_subjects())
                        OR (
                            current_setting('app.undelete', true) = id::text
                            AND access -> 'delete' ?| (SELECT app_subjects())
                        )
                    ELSE access -> 'delete' ?| (SELECT app_subjects())
                END
            )
        )
    );

-- What no call may do to an entry, whoever runs it: change its identity, project,
-- collection, access list, creation time or creator; change its data while deleting it or
-- while it stays deleted (a delete right is not an update right, and a deleted entry's data
-- is what its history says it was); or use app.undelete (which lets access.delete make a
-- row live) for anything but an undelete: the entry must be deleted and keep its data. A
-- row made live without app.undelete passed entries_change with access.update.
CREATE OR REPLACE FUNCTION entries_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.collection <> OLD.collection OR NEW.access <> OLD.access
       OR NEW.created_at <> OLD.created_at OR NEW.created_by <> OLD.created_by THEN
        RAISE EXCEPTION 'an entry''s id, collection, access, createdAt and creator never change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.deleted_at IS NOT NULL AND NEW.data <> OLD.data THEN
        RAISE EXCEPTION 'a delete does not change an entry''s data, nor does anything while it is deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF current_setting('app.undelete', true) = OLD.id::text
       AND (OLD.deleted_at IS NULL OR NEW.data <> OLD.data) THEN
        RAISE EXCEPTION 'an undelete brings back a deleted entry as it was'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

-- A confirmed bulk change (see 0010_bulk_previews.sql), now with the history records of
-- its writes: p_history is a JSON array of records ({"tenant_id", "entry_id", "collection",
-- "revision", "at", "user_id", "client_id", "tool", "action", "change", "data"}), one per
-- planned entry, appended in the same block after the entries are written. A record that
-- cannot be stored raises, and the whole statement (the preview's removal, the entries)
-- is undone with it.
DROP FUNCTION app_bulk_apply(uuid, text, text, jsonb);
CREATE FUNCTION app_bulk_apply(p_tenant uuid, p_collection text, p_token text,
                               p_planned jsonb, p_history jsonb)
RETURNS json
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    used bigint;
    written bigint;
    recorded bigint;
BEGIN
    DELETE FROM bulk_previews
        WHERE token_hash = p_token AND user_id = app_user_id() AND tenant_id = p_tenant;
    GET DIAGNOSTICS used = ROW_COUNT;
    IF used <> 1 THEN
        RETURN '"used"'::json;
    END IF;
    UPDATE entries e
        SET data = p.data, updated_at = p.updated_at, deleted_at = p.deleted_at,
            revision = p.revision
        FROM jsonb_to_recordset(p_planned) AS p(id uuid, data jsonb,
            updated_at timestamptz, deleted_at timestamptz, revision bigint, expected bigint)
        WHERE e.tenant_id = p_tenant AND e.collection = p_collection AND e.id = p.id
          AND e.revision = p.expected AND e.deleted_at IS NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    IF written <> jsonb_array_length(p_planned) THEN
        RAISE EXCEPTION 'previewed entries changed' USING ERRCODE = 'PMSTL';
    END IF;
    INSERT INTO entry_history (tenant_id, entry_id, collection, revision, at, user_id,
                               client_id, tool, action, change, data)
        SELECT h.tenant_id, h.entry_id, h.collection, h.revision, h.at, h.user_id,
               h.client_id, h.tool, h.action, h.change, h.data
        FROM jsonb_to_recordset(p_history) AS h(tenant_id uuid, entry_id uuid,
            collection text, revision bigint, at timestamptz, user_id uuid, client_id text,
            tool text, action text, change jsonb, data jsonb);
    GET DIAGNOSTICS recorded = ROW_COUNT;
    IF recorded <> written THEN
        RAISE EXCEPTION 'a bulk change needs one history record per entry (% entries, % records)',
            written, recorded;
    END IF;
    RETURN '"done"'::json;
EXCEPTION WHEN SQLSTATE 'PMSTL' THEN
    -- Everything this block did (the preview's removal, the updates) is undone.
    RETURN '"stale"'::json;
END
$$;
