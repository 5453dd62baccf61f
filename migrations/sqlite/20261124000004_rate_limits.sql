-- Rate-limit counters: hits per key (a person and client, or an address) per fixed window
-- (app/src/limits.rs). Times are RFC 3339 text, as everywhere in this schema.
CREATE TABLE rate_limits (
    key TEXT NOT NULL,
    window_start TEXT NOT NULL,
    hits INTEGER NOT NULL CHECK (hits >= 0),
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
