-- The storage of platform-mcp: people, projects (tenants), members, types, entries and
-- feature flags, with row-level security enforced by PostgreSQL itself.
--
-- Every tenant-scoped table carries tenant_id and its primary, unique and foreign keys
-- include it, so the schema can be distributed by tenant (Citus) without a redesign.
--
-- Who runs what:
-- - The connecting role (the owner of these tables, which also runs this migration) does
--   the operator's writes (the Directory: users, projects, members, types, flags).
-- - Every read and write a person's tool call makes (projects, types, entries) runs under
--   the NOLOGIN role platform_mcp_app, which the adapter takes per transaction with
--   set_config('role', 'platform_mcp_app', true) next to the person's context:
--     app.user_id    the person's user id
--     app.tenant_id  the project the call is about
--     app.subjects   the person's subjects there, a text[] literal such as
--                    {user:<id>,role:editor,role:viewer,members}
--   The policies below read these transaction-local settings; superusers and table
--   owners bypass row-level security, platform_mcp_app never does.

-- The application role. Roles are cluster-wide: several databases of one cluster (one per
-- test, or several deployments) may run this concurrently, so creating it tolerates a
-- concurrent creator. A migrating role that may not create roles needs it created
-- beforehand: CREATE ROLE platform_mcp_app NOLOGIN; GRANT platform_mcp_app TO <owner>;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'platform_mcp_app') THEN
        BEGIN
            CREATE ROLE platform_mcp_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created meanwhile by a concurrent migration
        END;
    END IF;
    -- The connecting role must be a member to take the role (superusers always may).
    IF NOT pg_has_role(current_user, 'platform_mcp_app', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT platform_mcp_app TO %I', current_user);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    BEGIN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO platform_mcp_app', current_schema());
    EXCEPTION WHEN insufficient_privilege THEN
        NULL; -- not the schema's owner: PUBLIC's default USAGE on public must do
    END;
END
$$;

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    display_name text NOT NULL DEFAULT '',
    issuer text NULL,
    subject text NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_identity_key UNIQUE (issuer, subject)
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE projects (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE members (
    tenant_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX members_user_id ON members (user_id);

-- Collection names are compared and ordered by their bytes ("C"), whatever the database's
-- default collation, as the SQLite adapter does.
CREATE TABLE types (
    tenant_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    collection text COLLATE "C" NOT NULL,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    schema jsonb NULL,
    default_access jsonb NOT NULL,
    creation_access jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, collection)
);

CREATE TABLE entries (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    collection text COLLATE "C" NOT NULL,
    data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    access jsonb NOT NULL CHECK (jsonb_typeof(access) = 'object'),
    revision bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL,
    created_by uuid NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, collection) REFERENCES types (tenant_id, collection)
);
-- Keyset listing in the default order (createdAt, then id) of one collection.
CREATE INDEX entries_listing ON entries (tenant_id, collection, created_at, id)
    WHERE deleted_at IS NULL;
-- Containment (data @> '{"status": "open"}'): what equality filters on data fields use.
CREATE INDEX entries_data ON entries USING gin (data jsonb_path_ops);

CREATE TABLE feature_flags (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    flag text NOT NULL,
    enabled boolean NOT NULL,
    PRIMARY KEY (user_id, flag)
);

-- The person's context. Inlined into the policies by the planner (simple STABLE SQL
-- functions); an unset or reset setting reads as NULL or '' and matches nothing.
CREATE FUNCTION app_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE FUNCTION app_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION app_subjects() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT COALESCE(NULLIF(current_setting('app.subjects', true), '')::text[], '{}') $$;

-- Owners and admins may do everything in their project (an owner's subjects include
-- role:admin, as every role includes the ones after it).
CREATE FUNCTION app_administers() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT app_subjects() && ARRAY['role:owner', 'role:admin'] $$;

GRANT SELECT ON projects, members, types TO platform_mcp_app;
GRANT SELECT, INSERT, UPDATE ON entries TO platform_mcp_app;
-- No DELETE: entries are deleted softly (deleted_at), through UPDATE.

-- Entries: visible in the context's project when the person administers it or one of
-- their subjects is in access.read. `(SELECT …)` makes the subject list an InitPlan,
-- computed once per statement instead of once per row.
ALTER TABLE entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE entries FORCE ROW LEVEL SECURITY;

CREATE POLICY entries_read ON entries FOR SELECT TO platform_mcp_app
    USING (
        tenant_id = app_tenant_id()
        AND ((SELECT app_administers()) OR access -> 'read' ?| (SELECT app_subjects()))
    );

-- The second wall of update_data and delete_data (a soft delete is an UPDATE): the row must
-- be visible and the person must be named in access.update or access.delete; the new row
-- stays in the same project.
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
    WITH CHECK (tenant_id = app_tenant_id());

CREATE POLICY entries_create ON entries FOR INSERT TO platform_mcp_app
    WITH CHECK (tenant_id = app_tenant_id());

-- Types: those of the context's project.
ALTER TABLE types ENABLE ROW LEVEL SECURITY;
ALTER TABLE types FORCE ROW LEVEL SECURITY;
CREATE POLICY types_read ON types FOR SELECT TO platform_mcp_app
    USING (tenant_id = app_tenant_id());

-- Members: the person's own memberships.
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY members_read ON members FOR SELECT TO platform_mcp_app
    USING (user_id = app_user_id());

-- Projects: those the person is a member of (the subquery is itself filtered by
-- members_read).
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
CREATE POLICY projects_read ON projects FOR SELECT TO platform_mcp_app
    USING (id IN (SELECT m.tenant_id FROM members m WHERE m.user_id = app_user_id()));

-- The operator's path (the Directory port: the admin CLI and the login flow) runs as the
-- owner, the role running this migration. FORCE makes the owner subject to the policies
-- too, so its access is stated here rather than implied. Entries have no such policy:
-- nothing but a person's call touches them (a data migration on entries must run as a
-- superuser).
CREATE POLICY types_directory ON types TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY members_directory ON members TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY projects_directory ON projects TO CURRENT_USER USING (true) WITH CHECK (true);

-- Under row-level security PostgreSQL uses a query's own condition as an index condition
-- only when its operator is LEAKPROOF (else it could see rows the policies hide before
-- they are filtered). jsonb containment (@>) is not marked so, although it raises no
-- data-dependent error, so equality filters on data fields could never use entries_data.
-- Marking it needs a superuser; without one the filters still work, by scanning the
-- collection's rows. The flag lives in this database's catalog only.
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION pg_catalog.jsonb_contains(jsonb, jsonb) LEAKPROOF;
    ELSE
        RAISE NOTICE 'not a superuser: jsonb_contains stays non-LEAKPROOF; run ALTER FUNCTION pg_catalog.jsonb_contains(jsonb, jsonb) LEAKPROOF as a superuser so data filters can use the GIN index';
    END IF;
END
$$;
