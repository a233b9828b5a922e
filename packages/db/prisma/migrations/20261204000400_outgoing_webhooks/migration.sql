-- Outgoing webhooks: merchants' subscriptions to live event types, and one delivery per event and
-- subscription with its attempts. The relay (worker) follows live_events and creates deliveries.
CREATE TABLE "webhook_subscriptions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "merchant_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[] NOT NULL,
    "description" TEXT,
    "secret_enc" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "disabled_reason" TEXT,
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "webhook_subscriptions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_subscriptions_merchant_id_created_at_idx" ON "webhook_subscriptions" ("merchant_id", "created_at");
-- the relay's lookup: the active subscriptions of a merchant
CREATE INDEX "webhook_subscriptions_active_merchant_idx" ON "webhook_subscriptions" ("merchant_id") WHERE "active";

CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "merchant_id" TEXT NOT NULL,
    "subscription_id" UUID NOT NULL,
    "event_id" BIGINT NOT NULL,
    "event_type" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "response_code" INTEGER,
    "response_body" TEXT,
    "duration_ms" INTEGER,
    "error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) DEFAULT now(),
    "retry_until" TIMESTAMPTZ(3) NOT NULL,
    "last_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('pending', 'succeeded', 'failed')),
    CONSTRAINT "webhook_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- one delivery per event and subscription, whatever happens to the relay
CREATE UNIQUE INDEX "webhook_deliveries_subscription_id_event_id_key" ON "webhook_deliveries" ("subscription_id", "event_id");
CREATE INDEX "webhook_deliveries_merchant_id_subscription_id_created_at_idx" ON "webhook_deliveries" ("merchant_id", "subscription_id", "created_at");

-- The relay reads live_events in commit-safe order: (tx_id, id) for rows whose transaction is older
-- than every transaction still running. Following ids alone would skip a row whose transaction took
-- its id first but commits after a younger id's transaction. Its position is kept beside last_id.
-- last_id stays what the retention sweep reads: every visible row at or below it has been relayed.
CREATE INDEX "live_events_tx_id_id_idx" ON "live_events" ("tx_id", "id");
ALTER TABLE "live_event_cursors" ADD COLUMN "last_tx_id" XID8;
ALTER TABLE "live_event_cursors" ADD COLUMN "last_tx_event_id" BIGINT;
