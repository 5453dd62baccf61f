-- Previews of bulk changes (update_many, delete_many) waiting for the person's confirmation:
-- the confirm token's SHA-256 (the token itself is never stored), whose preview it is, what
-- it confirms (the tool and arguments as one digest, the entries and the revisions the
-- preview saw, as [{"id", "revision"}]) and until when. A confirmation removes it in the
-- statement that writes the entries (adapters/src/postgres/bulk.rs); saving a preview
-- forgets the person's expired ones.
CREATE TABLE bulk_previews (
    token_hash text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    tenant_id  uuid NOT NULL REFERENCES projects (id),
    client_id  text NOT NULL,
    collection text NOT NULL,
    digest     text NOT NULL,
    entries    jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX bulk_previews_expiry ON bulk_previews (user_id, expires_at);

-- A person's own previews, in the project of their call, and nobody else's.
GRANT SELECT, INSERT, DELETE ON bulk_previews TO platform_mcp_app;
ALTER TABLE bulk_previews ENABLE ROW LEVEL SECURITY;
ALTER TABLE bulk_previews FORCE ROW LEVEL SECURITY;
CREATE POLICY bulk_previews_own ON bulk_previews TO platform_mcp_app
    USING (user_id = app_user_id() AND tenant_id = app_tenant_id())
    WITH CHECK (user_id = app_user_id() AND tenant_id = app_tenant_id());
CREATE POLICY bulk_previews_directory ON bulk_previews TO CURRENT_USER
    USING (true) WITH CHECK (true);

-- A confirmed bulk change, called as app_call's statement (so under the person's context
-- and the entries policies): uses the person's preview p_token up and writes every planned
-- entry with a compare-and-swap on its revision, all or nothing. p_planned is a JSON array
-- of {"id", "data", "updated_at", "deleted_at", "revision", "expected"}. Answers "done";
-- "used" when the preview is gone (nothing written); "stale" when an entry was not at its
-- expected revision, deleted or not changeable by the person (everything undone). A new row
-- the policies refuse raises insufficient_privilege, as a single write does.
CREATE FUNCTION app_bulk_apply(p_tenant uuid, p_collection text, p_token text, p_planned jsonb)
RETURNS json
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    used bigint;
    written bigint;
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
    RETURN '"done"'::json;
EXCEPTION WHEN SQLSTATE 'PMSTL' THEN
    -- Everything this block did (the preview's removal, the updates) is undone.
    RETURN '"stale"'::json;
END
$$;
