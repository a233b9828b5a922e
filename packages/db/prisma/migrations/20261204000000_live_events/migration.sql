-- Live events: the outbox of changes a person or an integration wants to hear about. Written in the
-- same transaction as the change (so never for a rollback, never lost for a commit), the writing
-- transaction also NOTIFYs channel mktx_events, delivered by PostgreSQL only at commit. Readers (SSE
-- on every API instance, the outgoing-webhook relay) follow the id sequence, `tx_id` lets a reader
-- hold back rows of transactions still in flight (ids are taken before commit, so they can commit
-- out of order): read only rows whose tx_id is below the snapshot's xmin.
CREATE TABLE "live_events" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "tx_id" XID8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT "live_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "live_events_merchant_id_id_idx" ON "live_events" ("merchant_id", "id");
CREATE INDEX "live_events_at_idx" ON "live_events" ("at");

-- Where each durable reader of live_events is (the outgoing-webhook relay): the retention sweep
-- never deletes a row a reader has not passed.
CREATE TABLE "live_event_cursors" (
    "name" TEXT NOT NULL,
    "last_id" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "live_event_cursors_pkey" PRIMARY KEY ("name")
);
