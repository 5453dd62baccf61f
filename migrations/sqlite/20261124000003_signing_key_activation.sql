-- A signing key is published (verifies) from the moment it is stored, and signs only from
-- activates_at (see `admin keys rotate`). Existing keys have been active since they were
-- created; a missing value reads as created_at.
ALTER TABLE signing_keys ADD COLUMN activates_at TEXT;
UPDATE signing_keys SET activates_at = created_at;
