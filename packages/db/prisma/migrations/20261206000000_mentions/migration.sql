-- Mentions and replies on X as conversations of channel 'mention': one per thread (X's
-- conversation_id of the post) and person, with the link of the post that opened it. The rule of
-- one open conversation per contact now holds for DMs only: a person can be in a DM and in threads.
ALTER TABLE "conversations" ADD COLUMN "thread_id" TEXT;
ALTER TABLE "conversations" ADD COLUMN "post_url" TEXT;

DROP INDEX "conversations_one_open_per_contact_key";
CREATE UNIQUE INDEX "conversations_one_open_per_contact_key" ON "conversations" ("contact_id") WHERE "status" = 'open' AND "channel" = 'direct_message';
CREATE UNIQUE INDEX "conversations_one_per_thread_key" ON "conversations" ("account_id", "thread_id", "contact_id") WHERE "channel" = 'mention';
CREATE INDEX "conversations_merchant_id_channel_idx" ON "conversations" ("merchant_id", "channel");
