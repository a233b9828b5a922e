-- Public replies (POST /2/tweets) have X limits of their own: a 429 there, or an answer whose
-- x-rate-limit-remaining says 0, pauses the account's posts until X's reset, never its DMs.
ALTER TABLE "x_accounts" ADD COLUMN "post_paused_until" TIMESTAMPTZ(3);

-- X's replay of webhook events after downtime (POST /2/webhooks/replay): per webhook, how far the
-- catch-up has asked X to redeliver, so the next job starts where the last one ended.
CREATE TABLE "x_webhook_replays" (
    "webhook_id" TEXT NOT NULL,
    "replayed_until" TIMESTAMPTZ(3) NOT NULL,
    "last_job_id" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "x_webhook_replays_pkey" PRIMARY KEY ("webhook_id")
);
