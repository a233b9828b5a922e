-- The send pipeline settles a campaign recipient by its message, and the dispatcher counts a
-- campaign's DMs in flight: both were scans over every recipient or message without these.
-- (No semicolons in comments: the migration runner splits the script at each one.)
CREATE INDEX "campaign_recipients_message_id_idx" ON "campaign_recipients"("message_id");
CREATE INDEX "messages_campaign_id_status_idx" ON "messages"("campaign_id", "status");
