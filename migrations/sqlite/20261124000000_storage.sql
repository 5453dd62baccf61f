-- The storage of the embedded default (SQLite): people, projects, members, types, entries,
-- feature flags. Same tables and columns as the PostgreSQL schema, in SQLite's types:
-- ids are lowercase hyphenated UUID text (whose text order is the UUIDs' byte order),
-- timestamps are UTC text in the fixed-width form 2026-01-02T03:04:05.123456Z (text order
-- is time order), JSON is TEXT read with SQLite's JSON functions. STRICT tables refuse a
-- value of the wrong type instead of converting it.

CREATE TABLE users (
    id           TEXT PRIMARY KEY NOT NULL,
    email        TEXT NOT NULL,
    -- The email lowercased by the adapter (Unicode-aware, unlike SQLite's lower()), so the
    -- uniqueness and the lookup are case-insensitive.
    email_lower  TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    issuer       TEXT,
    subject      TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (issuer, subject)
) STRICT;

CREATE TABLE projects (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE members (
    tenant_id TEXT NOT NULL REFERENCES projects (id),
    user_id   TEXT NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    PRIMARY KEY (tenant_id, user_id)
) STRICT;

CREATE INDEX members_by_user ON members (user_id);

CREATE TABLE types (
    tenant_id       TEXT NOT NULL REFERENCES projects (id),
    collection      TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    schema          TEXT CHECK (schema IS NULL OR json_valid(schema)),
    default_access  TEXT NOT NULL CHECK (json_valid(default_access)),
    creation_access TEXT NOT NULL CHECK (json_valid(creation_access)),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, collection)
) STRICT;

CREATE TABLE entries (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    collection TEXT NOT NULL,
    data       TEXT NOT NULL CHECK (json_valid(data)),
    access     TEXT NOT NULL CHECK (json_valid(access)),
    revision   INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    created_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, collection) REFERENCES types (tenant_id, collection)
) STRICT;

-- Keyset listing in the default order (createdAt, then id) of the live entries of one
-- collection: `(created_at, id) > (?, ?)` is a range scan of this index.
CREATE INDEX entries_listing ON entries (tenant_id, collection, created_at, id)
    WHERE deleted_at IS NULL;

CREATE TABLE feature_flags (
    user_id TEXT NOT NULL REFERENCES users (id),
    flag    TEXT NOT NULL,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (user_id, flag)
) STRICT;
