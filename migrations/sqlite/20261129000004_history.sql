-- Entry history: one record per write of an entry (create, update, delete, restore),
-- appended by the write's own transaction, so there is never an entry write without its
-- record nor a record without its write. `at` is the time text every table uses
-- (2026-01-02T03:04:05.123456Z), so text order is time order; `change` is what the write
-- changed and `data` the entry's own fields after it, both JSON text.
--
-- Records are append-only: the trigger below refuses every UPDATE. A DELETE is allowed,
-- because the operator's purge of records past the retention (`purge_history`, `at` before
-- a time) needs it; nothing else in the server deletes from this table.
CREATE TABLE entry_history (
    tenant_id  TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    collection TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    at         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    tool       TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
    change     TEXT NOT NULL CHECK (json_valid(change)),
    data       TEXT NOT NULL CHECK (json_valid(data)),
    PRIMARY KEY (tenant_id, entry_id, revision)
) STRICT;

-- A project's activity, newest first by (at, entry_id, revision), with the keyset `after`.
CREATE INDEX entry_history_activity ON entry_history (tenant_id, at, entry_id, revision);
-- A person's recent writes through one client (the connections page).
CREATE INDEX entry_history_writes ON entry_history (user_id, client_id, at);
-- The purge of records older than the retention.
CREATE INDEX entry_history_age ON entry_history (at);

CREATE TRIGGER entry_history_append_only BEFORE UPDATE ON entry_history
BEGIN
    SELECT RAISE(ABORT, 'entry_history is append-only: a record is never changed');
END;
