-- X user ids are short (snowflakes of at most 20 digits). A webhook payload whose `id` is a huge
-- string put that string into the GIN index of user_ids, over the index row limit of PostgreSQL: the
-- insert failed and the delivery from X got a 500. Values longer than 64 characters are no user id
-- and are left out. Rows already stored were indexed under the old body, which only ever admitted
-- values small enough to index, so they need no rewrite.
CREATE OR REPLACE FUNCTION webhook_event_user_ids(payload JSONB) RETURNS TEXT[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT v #>> '{}') FILTER (WHERE length(v #>> '{}') <= 64), '{}')
  FROM jsonb_path_query(payload, 'lax $.** ? (@.type() == "object").keyvalue() ? (@.key like_regex "^(id|id_str|[a-z_]*_id)$" && (@.value.type() == "string" || @.value.type() == "number")).value') AS v
$$;
