-- What a DM carried beside its text: the quick-reply options or card buttons an outbound message
-- offered, the option an inbound answer chose. NULL for plain text.
ALTER TABLE "messages" ADD COLUMN "metadata" JSONB;
