-- aggregate_data's date buckets over a data value: the local calendar date starting the
-- bucket, or NULL for anything that is not a timestamp in the one syntax every store
-- accepts (domain::query::aggregate::parse_moment): 'YYYY-MM-DD' (year 0001-9999, a real
-- date), or 'YYYY-MM-DDTHH:MM:SS', an optional fraction (ignored), and 'Z' or an offset
-- '+HH:MM' of at most 15:59. The text is checked before any cast, so no stored value can
-- make the statement raise: a bad value falls in the NULL bucket. A bare date is that date
-- in every time zone. Simple SQL functions, inlined by the planner; neither is LEAKPROOF,
-- so row-level security still evaluates the read rule first.

CREATE FUNCTION app_valid_date(y integer, m integer, d integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT y >= 1 AND m BETWEEN 1 AND 12 AND d >= 1 AND d <= CASE
            WHEN m = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0
                                 THEN 29 ELSE 28 END
            WHEN m IN (4, 6, 9, 11) THEN 30
            ELSE 31 END
    $$;

CREATE FUNCTION app_bucket_date(v jsonb, unit text, tz text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE
            WHEN v IS NULL OR jsonb_typeof(v) <> 'string' THEN NULL
            WHEN NOT ((v #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
                      OR (v #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-](0[0-9]|1[0-5]):[0-5][0-9])$')
                THEN NULL
            WHEN NOT app_valid_date(substr(v #>> '{}', 1, 4)::integer,
                                    substr(v #>> '{}', 6, 2)::integer,
                                    substr(v #>> '{}', 9, 2)::integer)
                THEN NULL
            WHEN length(v #>> '{}') = 10
                THEN to_char(date_trunc(unit, (v #>> '{}')::timestamp), 'YYYY-MM-DD')
            ELSE to_char(date_trunc(unit,
                    (substr(v #>> '{}', 1, 19)
                     || substring(v #>> '{}' from '(Z|[+-][0-9]{2}:[0-9]{2})$'))::timestamptz
                    AT TIME ZONE tz), 'YYYY-MM-DD')
        END
    $$;
