-- Segments: a date kept in a custom attribute is an ISO 8601 string. Casting arbitrary text to
-- timestamptz would raise on the first malformed value (and read zone-less times in the session's
-- time zone), so segment conditions go through this parser instead: it answers the instant of a
-- strict ISO string, or NULL for anything else, and never raises. The in-memory evaluator
-- (packages/core/src/domain/segment-conditions.ts, parseIsoInstant) implements the same grammar:
--   YYYY-MM-DD                                   midnight UTC
--   YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|+HH:MM|-HH:MM)   the zone is required, fractions beyond ms are truncated
-- Years 0001-9999, and the calendar is checked (no 2026-02-30, no 24:00, no leap seconds).
-- One SQL statement without semicolons inside: the migration runner splits scripts at every one.
-- CASE arms run in order, so make_date only ever sees a valid year and month.
CREATE FUNCTION "mktx_iso_instant"(v text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE
    WHEN m IS NULL THEN NULL
    WHEN m[1]::int < 1 OR m[2]::int < 1 OR m[2]::int > 12 OR m[3]::int < 1 THEN NULL
    WHEN m[3]::int > extract(day FROM make_date(m[1]::int, m[2]::int, 1) + interval '1 month' - interval '1 day') THEN NULL
    WHEN coalesce(m[4]::int, 0) > 23 OR coalesce(m[5]::int, 0) > 59 OR coalesce(m[6]::int, 0) > 59 THEN NULL
    WHEN coalesce(m[10]::int, 0) > 23 OR coalesce(m[11]::int, 0) > 59 THEN NULL
    -- built in UTC, then moved back by the offset: nothing depends on the session's TimeZone
    ELSE (make_timestamp(m[1]::int, m[2]::int, m[3]::int, coalesce(m[4]::int, 0), coalesce(m[5]::int, 0),
                         coalesce(m[6]::int, 0) + coalesce(rpad(left(m[7], 3), 3, '0')::int, 0) / 1000.0) AT TIME ZONE 'UTC')
         - make_interval(mins => coalesce((m[10]::int * 60 + m[11]::int) * CASE WHEN m[9] = '-' THEN -1 ELSE 1 END, 0))
  END
  FROM regexp_match(v, '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|([+-])([0-9]{2}):([0-9]{2})))?$') AS m
$$;
