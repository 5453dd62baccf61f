-- Rate-limit counters shared by every instance: hits per key (a person and client, or an
-- address) per fixed window. Each instance adds what it admitted and reads the totals a few
-- times a second (app/src/limits.rs). Operator data: only the owner reads it.
CREATE TABLE rate_limits (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    hits bigint NOT NULL CHECK (hits >= 0),
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
REVOKE ALL ON rate_limits FROM PUBLIC;
