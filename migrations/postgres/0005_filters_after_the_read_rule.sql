-- A filter's conditions on entry data run only on rows the read rule admitted.
--
-- 0001 marked jsonb_contains LEAKPROOF so that a GIN index on data could answer equality
-- filters under row-level security. That let PostgreSQL run the caller's operand against
-- rows the policies hide (in the index scan and its recheck), and the cost of a call then
-- told whether such a row held a value. Without LEAKPROOF, PostgreSQL evaluates every
-- policy qualifier before the filter, so nothing the caller cannot read meets their
-- operand. The index has no use then (no filter condition may become an index condition)
-- and only slows writes: dropped. Filters run over the collection's rows the caller may
-- read, reached through entries_listing; README "PostgreSQL in production" says what that
-- costs and why it is safe.
DROP INDEX IF EXISTS entries_data;

DO $$
BEGIN
    IF (SELECT proleakproof FROM pg_proc
        WHERE oid = 'pg_catalog.jsonb_contains(jsonb, jsonb)'::regprocedure) THEN
        IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            ALTER FUNCTION pg_catalog.jsonb_contains(jsonb, jsonb) NOT LEAKPROOF;
        ELSE
            RAISE WARNING 'jsonb_contains is LEAKPROOF in this database: the server no longer needs it; a superuser should run ALTER FUNCTION pg_catalog.jsonb_contains(jsonb, jsonb) NOT LEAKPROOF';
        END IF;
    END IF;
END
$$;
