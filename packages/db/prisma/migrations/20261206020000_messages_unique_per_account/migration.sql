-- A DM between two connected accounts is one X event seen from both sides: the sender's outbound
-- copy and the recipient's inbound one. X's id is unique per account, not across the service.
DROP INDEX "messages_twitter_message_id_key";
CREATE UNIQUE INDEX "messages_account_id_twitter_message_id_key" ON "messages"("account_id", "twitter_message_id");
