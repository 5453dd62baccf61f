-- Previews of bulk changes (update_many, delete_many) waiting for the person's confirmation:
-- the confirm token's SHA-256 (the token itself is never stored), whose preview it is, what
-- it confirms (the tool and arguments as one digest, the entries and the revisions the
-- preview saw, as JSON [{"id", "revision"}]) and until when. A confirmation removes it in
-- the transaction that writes the entries; saving a preview forgets the person's expired ones.
CREATE TABLE bulk_previews (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    tenant_id  TEXT NOT NULL REFERENCES projects (id),
    client_id  TEXT NOT NULL,
    collection TEXT NOT NULL,
    digest     TEXT NOT NULL,
    entries    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX bulk_previews_expiry ON bulk_previews (user_id, expires_at);
