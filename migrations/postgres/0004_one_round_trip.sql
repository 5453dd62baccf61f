-- One round trip per call, from a login role that owns nothing.
--
-- 1. platform_mcp_login: the role the server's data pool logs in as. It owns nothing, has
--    no privilege on any table and does not inherit platform_mcp_app's (NOINHERIT): all it
--    can do is take platform_mcp_app for one transaction. RESET ROLE on such a connection
--    goes back to a role that reads nothing. (The tables' owner is kept for the migrations
--    and the operator's path: the admin CLI, the login flow, signing keys.) It is created
--    without a password: give it one (ALTER ROLE platform_mcp_login PASSWORD '…') or a
--    certificate and put it in database.app_url when PostgreSQL does not trust the host.
-- 2. app_enter(): a person's whole context, set in the current transaction: take
--    platform_mcp_app, check the feature flag, find the membership and its role, set the
--    tenant and the subjects of that role (passed in by the server for every role, from the
--    domain's rules), find the type. A read is one prepared statement whose first step
--    (a MATERIALIZED CTE) calls it and whose entries part runs after it, as a LATERAL
--    subquery of its result (see adapters/src/postgres/call.rs); app_call() does the same for
--    a write and for statements answering one JSON value. Either way a call is one round
--    trip (a write two), in the statement's implicit transaction, so the settings end with
--    it; read before they are set they read as empty, which matches no row.
-- 3. Policies that mirror the domain's rules exactly: an update needs access.update, a
--    soft delete access.delete (besides access.read), a creation the type's creationAccess;
--    the person's own feature flags are readable to them.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'platform_mcp_login') THEN
        BEGIN
            CREATE ROLE platform_mcp_login LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created meanwhile by a concurrent migration
        END;
    END IF;
    IF NOT pg_has_role('platform_mcp_login', 'platform_mcp_app', 'MEMBER') THEN
        BEGIN
            GRANT platform_mcp_app TO platform_mcp_login;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;


-- The person's own flags, for the flag check inside app_call().
GRANT SELECT ON feature_flags TO platform_mcp_app;
ALTER TABLE feature_flags ENABLE ROW LEVEL SECURITY;
ALTER TABLE feature_flags FORCE ROW LEVEL SECURITY;
CREATE POLICY feature_flags_read ON feature_flags FOR SELECT TO platform_mcp_app
    USING (user_id = app_user_id());
CREATE POLICY feature_flags_directory ON feature_flags TO CURRENT_USER USING (true) WITH CHECK (true);

-- An update or delete touches only rows the person may read and either update or delete
-- (USING sees the old row, which cannot tell the two apart); the new row then says which it
-- was: access.update for an update (deleted_at stays NULL), access.delete for a soft delete.
-- access never changes in a call, so the new row's lists are the old row's. Admins and
-- owners may do everything.
DROP POLICY entries_change ON entries;
CREATE POLICY entries_change ON entries FOR UPDATE TO platform_mcp_app
    USING (
        tenant_id = app_tenant_id()
        AND (
            (SELECT app_administers())
            OR (
                access -> 'read' ?| (SELECT app_subjects())
                AND (
                    access -> 'update' ?| (SELECT app_subjects())
                    OR access -> 'delete' ?| (SELECT app_subjects())
                )
            )
        )
    )
    WITH CHECK (
        tenant_id = app_tenant_id()
        AND (
            (SELECT app_administers())
            OR (
                access -> 'read' ?| (SELECT app_subjects())
                AND CASE WHEN deleted_at IS NULL
                    THEN access -> 'update' ?| (SELECT app_subjects())
                    ELSE access -> 'delete' ?| (SELECT app_subjects())
                END
            )
        )
    );

-- What no call may do to an entry, whoever runs it: change its identity, project,
-- collection, access list, creation time or creator, or change its data while deleting it
-- (a delete right is not an update right).
CREATE FUNCTION entries_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.collection <> OLD.collection OR NEW.access <> OLD.access
       OR NEW.created_at <> OLD.created_at OR NEW.created_by <> OLD.created_by THEN
        RAISE EXCEPTION 'an entry''s id, collection, access, createdAt and creator never change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL AND NEW.data <> OLD.data THEN
        RAISE EXCEPTION 'a delete does not change an entry''s data'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER entries_guard BEFORE UPDATE ON entries
    FOR EACH ROW EXECUTE FUNCTION entries_guard();

-- A new entry: in the context's project, created by the person, of a type whose
-- creationAccess names one of their subjects (or they administer the project).
DROP POLICY entries_create ON entries;
CREATE POLICY entries_create ON entries FOR INSERT TO platform_mcp_app
    WITH CHECK (
        tenant_id = app_tenant_id()
        AND created_by = app_user_id()
        AND (
            (SELECT app_administers())
            OR EXISTS (
                SELECT 1 FROM types t
                WHERE t.tenant_id = entries.tenant_id
                  AND t.collection = entries.collection
                  AND t.creation_access ?| (SELECT app_subjects())
            )
        )
    );

-- A call's context, in the current transaction: take platform_mcp_app, check the feature
-- flag, find the membership and its role, set the tenant and the subjects of that role
-- (p_subjects maps each role to its subjects, {"editor": ["user:…", "role:editor",
-- "role:viewer", "members"], …}, as the domain's rules give them), find the type (its row
-- when p_want_type, else '{}' when it exists). Outputs stay NULL past the first check that
-- fails: flag_on false (flag off), member_role NULL (not a member; or no project asked),
-- type_row NULL (no such collection; or none asked).
CREATE FUNCTION app_enter(
    p_user uuid,
    p_flag text,
    p_tenant uuid,
    p_collection text,
    p_want_type boolean,
    p_subjects jsonb,
    OUT flag_on boolean,
    OUT member_role text,
    OUT type_row json
)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    PERFORM set_config('role', 'platform_mcp_app', true),
            set_config('app.user_id', p_user::text, true),
            set_config('app.tenant_id', '', true),
            set_config('app.subjects', '', true);
    SELECT COALESCE(bool_or(f.enabled), false) INTO flag_on
        FROM feature_flags f WHERE f.user_id = p_user AND f.flag = p_flag;
    IF NOT flag_on OR p_tenant IS NULL THEN
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

-- True when app_enter's outputs let the call's statement run.
CREATE FUNCTION app_entered(flag_on boolean, member_role text, type_row json,
                            p_tenant uuid, p_collection text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
    SELECT flag_on
       AND (p_tenant IS NULL OR member_role IS NOT NULL)
       AND (p_collection IS NULL OR type_row IS NOT NULL)
$$;

-- The call (see app_enter for the context). p_sql is the call's statement with one
-- parameter, $1 = p_args (a JSON array the statement reads its values from); it returns one
-- json value (the types or memberships through json_agg), or, with p_dml, it is a write whose
-- row count is returned as {"rows": n, "then": …}, "then" being p_then's json value when
-- nothing was written. Nothing runs unless the context was found.
CREATE FUNCTION app_call(
    p_user uuid,
    p_flag text,
    p_tenant uuid,
    p_collection text,
    p_want_type boolean,
    p_subjects jsonb,
    p_sql text,
    p_args jsonb,
    p_dml boolean,
    p_then text,
    OUT flag_on boolean,
    OUT member_role text,
    OUT type_row json,
    OUT result json
)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    written bigint;
BEGIN
    SELECT e.flag_on, e.member_role, e.type_row INTO flag_on, member_role, type_row
        FROM app_enter(p_user, p_flag, p_tenant, p_collection, p_want_type, p_subjects) e;
    IF NOT app_entered(flag_on, member_role, type_row, p_tenant, p_collection) THEN
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
