-- Token-signing keys, shared by every process on this database file.
CREATE TABLE signing_keys (
    kid         TEXT NOT NULL PRIMARY KEY,
    private_pem TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
