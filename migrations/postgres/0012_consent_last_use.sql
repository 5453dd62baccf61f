-- When a client's access token last reached /mcp for the person (the connections page shows
-- it). Stamped by the bearer middleware at most once a minute per instance, off the
-- request's path; a re-consent keeps it.
ALTER TABLE oauth_consents ADD COLUMN last_used_at timestamptz NULL;
