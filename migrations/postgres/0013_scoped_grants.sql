-- Grants that give less (#13): a person's approval of an application names the projects it
-- reaches, and personal access tokens do the same for scripts; every call checks its grant
-- in the same round trip as the rest of its context, so a revoked grant ends its tokens on
-- their next call, on every instance.
--
-- 1. oauth_consents.grant_id: the grant an access token names (its `grant` claim). A new id
--    for every approval the person gives on the consent page, so tokens of an earlier
--    choice (or of a revoked consent) never come back. oauth_consents.projects: NULL for
--    every project (including ones joined later), else the chosen ids.
-- 2. personal_tokens: stored hashed; id is the grant the token acts under.
-- 3. app_enter(…, p_grant): checks the grant first (revoked or expired: grant_live false and
--    nothing else is set), then that it reaches the project (else no membership is found),
--    and leaves the projects it reaches in app.grant_projects ('' for all) for the person's
--    own listing (app_grant_reaches).
-- 4. The app role reads only its own person's grants' ids and projects (RLS), nothing else of
--    those tables.

ALTER TABLE oauth_consents ADD COLUMN grant_id uuid NULL, ADD COLUMN projects uuid[] NULL;
UPDATE oauth_consents SET grant_id = gen_random_uuid() WHERE grant_id IS NULL;
ALTER TABLE oauth_consents ALTER COLUMN grant_id SET NOT NULL;
CREATE UNIQUE INDEX oauth_consents_grant ON oauth_consents (grant_id);

CREATE TABLE personal_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   text NOT NULL UNIQUE,
    projects     uuid[] NULL,
    read_only    boolean NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz NULL
);
CREATE INDEX personal_tokens_user ON personal_tokens (user_id, created_at DESC);
CREATE INDEX personal_tokens_expires_at ON personal_tokens (expires_at);
REVOKE ALL ON personal_tokens FROM PUBLIC;

GRANT SELECT (grant_id, user_id, projects) ON oauth_consents TO platform_mcp_app;
ALTER TABLE oauth_consents ENABLE ROW LEVEL SECURITY;
CREATE POLICY oauth_consents_own_grants ON oauth_consents FOR SELECT TO platform_mcp_app
    USING (user_id = app_user_id());
GRANT SELECT (id, user_id, projects, expires_at) ON personal_tokens TO platform_mcp_app;
ALTER TABLE personal_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY personal_tokens_own_grants ON personal_tokens FOR SELECT TO platform_mcp_app
    USING (user_id = app_user_id());

-- True when the grant of the current call reaches project p (app.grant_projects: '' for
-- every project, else an array of ids; unset reaches nothing).
CREATE FUNCTION app_grant_reaches(p uuid) RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT COALESCE(
        current_setting('app.grant_projects', true) = ''
        OR p = ANY (NULLIF(current_setting('app.grant_projects', true), '')::uuid[]),
        false)
$$;

DROP FUNCTION app_call(uuid, text, uuid, text, boolean, jsonb, text, jsonb, boolean, text);
DROP FUNCTION app_enter(uuid, text, uuid, text, boolean, jsonb);

-- A call's context (see 0004_one_round_trip.sql), now under a grant: p_grant NULL is the
-- operator's own call (no grant to check).
CREATE FUNCTION app_enter(
    p_user uuid,
    p_flag text,
    p_tenant uuid,
    p_collection text,
    p_want_type boolean,
    p_subjects jsonb,
    p_grant uuid,
    OUT flag_on boolean,
    OUT member_role text,
    OUT type_row json,
    OUT grant_live boolean
)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    reach uuid[];
BEGIN
    PERFORM set_config('role', 'platform_mcp_app', true),
            set_config('app.user_id', p_user::text, true),
            set_config('app.tenant_id', '', true),
            set_config('app.subjects', '', true),
            set_config('app.grant_projects', '{}', true);
    grant_live := true;
    IF p_grant IS NOT NULL THEN
        SELECT g.projects INTO reach FROM (
            SELECT c.projects FROM oauth_consents c
                WHERE c.grant_id = p_grant AND c.user_id = p_user
            UNION ALL
            SELECT t.projects FROM personal_tokens t
                WHERE t.id = p_grant AND t.user_id = p_user AND t.expires_at > now()
        ) g;
        IF NOT FOUND THEN
            grant_live := false;
            flag_on := false;
            RETURN;
        END IF;
    END IF;
    PERFORM set_config('app.grant_projects', COALESCE(reach::text, ''), true);
    SELECT COALESCE(bool_or(f.enabled), false) INTO flag_on
        FROM feature_flags f WHERE f.user_id = p_user AND f.flag = p_flag;
    IF NOT flag_on OR p_tenant IS NULL OR NOT app_grant_reaches(p_tenant) THEN
        RETURN;
    END IF;
    SELECT m.role INTO member_role
        FROM members m WHERE m.tenant_id = p_tenant AND m.user_id = p_user;
    IF member_role IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('app.tenant_id', p_tenant::text, true),
            set_config('app.subjects',
                ARRAY(SELECT jsonb_array_elements_text(p_subjects -> member_role))::text,
                true);
    IF p_collection IS NULL THEN
        RETURN;
    END IF;
    IF p_want_type THEN
        SELECT row_to_json(t) INTO type_row FROM (
            SELECT tenant_id, collection, title, description, schema,
                   default_access, creation_access
            FROM types WHERE tenant_id = p_tenant AND collection = p_collection
        ) t;
    ELSE
        SELECT '{}'::json INTO type_row
            FROM types WHERE tenant_id = p_tenant AND collection = p_collection;
    END IF;
END
$$;

-- The call (see 0004_one_round_trip.sql), under a grant.
CREATE FUNCTION app_call(
    p_user uuid,
    p_flag text,
    p_tenant uuid,
    p_collection text,
    p_want_type boolean,
    p_subjects jsonb,
    p_grant uuid,
    p_sql text,
    p_args jsonb,
    p_dml boolean,
    p_then text,
    OUT flag_on boolean,
    OUT member_role text,
    OUT type_row json,
    OUT grant_live boolean,
    OUT result json
)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    written bigint;
BEGIN
    SELECT e.flag_on, e.member_role, e.type_row, e.grant_live
        INTO flag_on, member_role, type_row, grant_live
        FROM app_enter(p_user, p_flag, p_tenant, p_collection, p_want_type, p_subjects, p_grant) e;
    IF NOT COALESCE(app_entered(flag_on, member_role, type_row, p_tenant, p_collection), false) THEN
        RETURN;
    END IF;
    IF p_dml THEN
        EXECUTE p_sql USING p_args;
        GET DIAGNOSTICS written = ROW_COUNT;
        IF written = 0 AND p_then IS NOT NULL THEN
            EXECUTE p_then INTO result USING p_args;
        END IF;
        result := json_build_object('rows', written, 'then', result);
    ELSIF p_sql IS NOT NULL THEN
        EXECUTE p_sql INTO result USING p_args;
    END IF;
END
$$;
