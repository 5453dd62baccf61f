-- What the authorization server keeps between requests (domain::grants): OAuth clients,
-- authorization codes, refresh-token families, remembered consents, browser login sessions
-- and authorization requests waiting for a login. Same tables and columns as the
-- PostgreSQL schema; secrets are stored only as SHA-256 hashes, timestamps as fixed-width
-- UTC text (text order is time order), JSON as TEXT.
--
-- Expired rows are absent to every read (each statement compares expires_at with the
-- caller's clock) until purge_expired deletes them; the expires_at indexes serve that purge.

CREATE TABLE oauth_clients (
    client_id                  TEXT NOT NULL PRIMARY KEY,
    client_name                TEXT NOT NULL,
    redirect_uris              TEXT NOT NULL CHECK (json_valid(redirect_uris)),
    token_endpoint_auth_method TEXT NOT NULL,
    secret_hash                TEXT,
    source                     TEXT NOT NULL
        CHECK (source IN ('registered', 'operator', 'metadata_document')),
    created_at                 TEXT NOT NULL,
    -- NULL: kept until removed (operator clients).
    expires_at                 TEXT
) STRICT;
CREATE INDEX oauth_clients_expires_at ON oauth_clients (expires_at)
    WHERE expires_at IS NOT NULL;

-- No foreign key to oauth_clients: a client record may be a cache (metadata documents)
-- that expires while grants made to it live on.
CREATE TABLE oauth_codes (
    code_hash      TEXT NOT NULL PRIMARY KEY,
    client_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scopes         TEXT NOT NULL CHECK (json_valid(scopes)),
    resource       TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    family         TEXT NOT NULL,
    -- Set once, by the one redemption that succeeds.
    used_at        TEXT
) STRICT;
CREATE INDEX oauth_codes_expires_at ON oauth_codes (expires_at);
CREATE INDEX oauth_codes_user_id ON oauth_codes (user_id);

-- A family is the chain of refresh tokens one authorization started; its current token is
-- the one neither rotated nor revoked.
CREATE TABLE oauth_refresh_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    family     TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL CHECK (json_valid(scopes)),
    resource   TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    rotated_at TEXT,
    revoked_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX oauth_refresh_tokens_family ON oauth_refresh_tokens (family);
CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (user_id, client_id);
CREATE INDEX oauth_refresh_tokens_expires_at ON oauth_refresh_tokens (expires_at);

CREATE TABLE oauth_consents (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL CHECK (json_valid(scopes)),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, client_id)
) STRICT;

CREATE TABLE oauth_sessions (
    id_hash    TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX oauth_sessions_expires_at ON oauth_sessions (expires_at);
CREATE INDEX oauth_sessions_user_id ON oauth_sessions (user_id);

CREATE TABLE oauth_pending (
    id         TEXT NOT NULL PRIMARY KEY,
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX oauth_pending_expires_at ON oauth_pending (expires_at);
