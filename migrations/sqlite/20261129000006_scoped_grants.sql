-- Grants that give less (#13); see migrations/postgres/0013_scoped_grants.sql.
-- oauth_consents.grant_id: the grant an access token names (a new id for every approval the
-- person gives); projects: NULL for every project, else a JSON array of the chosen ids.
-- personal_tokens: stored hashed; id is the grant the token acts under.

ALTER TABLE oauth_consents ADD COLUMN grant_id TEXT NULL;
ALTER TABLE oauth_consents ADD COLUMN projects TEXT NULL
    CHECK (projects IS NULL OR json_valid(projects));
UPDATE oauth_consents SET grant_id = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
    || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2)
    || '-' || hex(randomblob(6)))
    WHERE grant_id IS NULL;
CREATE UNIQUE INDEX oauth_consents_grant ON oauth_consents (grant_id);

CREATE TABLE personal_tokens (
    id           TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    projects     TEXT NULL CHECK (projects IS NULL OR json_valid(projects)),
    read_only    INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT NULL
) STRICT;
CREATE INDEX personal_tokens_user ON personal_tokens (user_id, created_at DESC);
CREATE INDEX personal_tokens_expires_at ON personal_tokens (expires_at);
