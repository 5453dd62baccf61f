-- What the authorization server keeps between requests (domain::grants): OAuth clients,
-- authorization codes, refresh-token families, remembered consents, browser login sessions
-- and authorization requests waiting for a login. Secrets are stored only as SHA-256 hashes.
--
-- These are the operator's tables, not people's data: the adapter reads and writes them as
-- the connecting (owner) role, and nobody else, in particular not platform_mcp_app, which
-- runs people's data statements, has any privilege on them.
--
-- Expired rows are absent to every read (each statement compares expires_at with the
-- caller's clock) until purge_expired deletes them; the expires_at indexes serve that purge.

CREATE TABLE oauth_clients (
    client_id                  text COLLATE "C" PRIMARY KEY,
    client_name                text NOT NULL,
    redirect_uris              jsonb NOT NULL,
    token_endpoint_auth_method text NOT NULL,
    secret_hash                text NULL,
    source                     text NOT NULL
        CHECK (source IN ('registered', 'operator', 'metadata_document')),
    created_at                 timestamptz NOT NULL,
    -- NULL: kept until removed (operator clients).
    expires_at                 timestamptz NULL
);
CREATE INDEX oauth_clients_expires_at ON oauth_clients (expires_at)
    WHERE expires_at IS NOT NULL;

-- No foreign key to oauth_clients: a client record may be a cache (metadata documents)
-- that expires while grants made to it live on.
CREATE TABLE oauth_codes (
    code_hash      text PRIMARY KEY,
    client_id      text NOT NULL,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri   text NOT NULL,
    code_challenge text NOT NULL,
    scopes         jsonb NOT NULL,
    resource       text NOT NULL,
    expires_at     timestamptz NOT NULL,
    family         uuid NOT NULL,
    -- Set once, by the one redemption that succeeds.
    used_at        timestamptz NULL
);
CREATE INDEX oauth_codes_expires_at ON oauth_codes (expires_at);
CREATE INDEX oauth_codes_user_id ON oauth_codes (user_id);

-- A family is the chain of refresh tokens one authorization started; its current token is
-- the one neither rotated nor revoked.
CREATE TABLE oauth_refresh_tokens (
    token_hash text PRIMARY KEY,
    family     uuid NOT NULL,
    client_id  text NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes     jsonb NOT NULL,
    resource   text NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz NULL,
    revoked_at timestamptz NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX oauth_refresh_tokens_family ON oauth_refresh_tokens (family);
CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (user_id, client_id);
CREATE INDEX oauth_refresh_tokens_expires_at ON oauth_refresh_tokens (expires_at);

CREATE TABLE oauth_consents (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  text COLLATE "C" NOT NULL,
    scopes     jsonb NOT NULL,
    granted_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

CREATE TABLE oauth_sessions (
    id_hash    text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_sessions_expires_at ON oauth_sessions (expires_at);
CREATE INDEX oauth_sessions_user_id ON oauth_sessions (user_id);

-- The payload is opaque to storage and never queried: json (not jsonb) keeps it exactly as
-- written, including strings jsonb cannot hold (U+0000).
CREATE TABLE oauth_pending (
    id         text PRIMARY KEY,
    payload    json NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_pending_expires_at ON oauth_pending (expires_at);

REVOKE ALL ON oauth_clients, oauth_codes, oauth_refresh_tokens, oauth_consents,
    oauth_sessions, oauth_pending FROM PUBLIC;
