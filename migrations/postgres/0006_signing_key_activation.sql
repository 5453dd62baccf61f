-- A signing key is published (in the JWKS, and verifies) from the moment it is stored, and
-- signs only from activates_at: `admin keys rotate` stores the next key ahead of time, so
-- that every instance has reloaded it before any instance signs with it. Existing keys
-- have been active since they were created.
ALTER TABLE signing_keys ADD COLUMN activates_at timestamptz;
UPDATE signing_keys SET activates_at = created_at;
ALTER TABLE signing_keys
    ALTER COLUMN activates_at SET NOT NULL,
    ALTER COLUMN activates_at SET DEFAULT now();
