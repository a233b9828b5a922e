-- The X user ids a stored webhook event names (any `id`, `id_str` or `*_id` key at any depth, as
-- text), kept by the database itself and indexed: a GDPR erasure finds a person's raw events by
-- index instead of scanning every stored event of the merchant with a jsonpath.
CREATE FUNCTION webhook_event_user_ids(payload JSONB) RETURNS TEXT[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT v #>> '{}'), '{}')
  FROM jsonb_path_query(payload, 'lax $.** ? (@.type() == "object").keyvalue() ? (@.key like_regex "^(id|id_str|[a-z_]*_id)$" && (@.value.type() == "string" || @.value.type() == "number")).value') AS v
$$;

ALTER TABLE "webhook_events" ADD COLUMN "user_ids" TEXT[] GENERATED ALWAYS AS (webhook_event_user_ids("payload")) STORED;

CREATE INDEX "webhook_events_user_ids_idx" ON "webhook_events" USING GIN ("user_ids");
