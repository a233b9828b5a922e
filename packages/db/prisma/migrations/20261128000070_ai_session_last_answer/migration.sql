-- The inbound DM the AI last answered automatically, and that answer: a retried auto-reply finds
-- its turn already recorded and reuses the answer instead of asking the model and appending again.
ALTER TABLE "ai_sessions" ADD COLUMN "last_message_id" UUID;
ALTER TABLE "ai_sessions" ADD COLUMN "last_answer" JSONB;
