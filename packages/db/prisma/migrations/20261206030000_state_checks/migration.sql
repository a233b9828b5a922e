-- The states and kinds the contract names (packages/core/src/contract: MESSAGE_*, CAMPAIGN_*,
-- FLOW_*, CONVERSATION_STATUSES), held by the database too: a write outside them fails at once
-- instead of showing clients a value no list has. A test compares these lists with the contract's.
ALTER TABLE "messages" ADD CONSTRAINT "messages_direction_check" CHECK ("direction" IN ('inbound', 'outbound'));
ALTER TABLE "messages" ADD CONSTRAINT "messages_type_check" CHECK ("type" IN ('text', 'quick_reply', 'card'));
ALTER TABLE "messages" ADD CONSTRAINT "messages_status_check" CHECK ("status" IN ('received', 'queued', 'sending', 'sent', 'failed'));
ALTER TABLE "messages" ADD CONSTRAINT "messages_origin_check" CHECK ("origin" IN ('customer', 'inbox', 'campaign', 'flow', 'ai', 'system', 'test', 'x_app'));
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_status_check" CHECK ("status" IN ('open', 'closed'));
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_status_check" CHECK ("status" IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'));
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_type_check" CHECK ("type" IN ('promotional', 'transactional', 'engagement'));
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_status_check" CHECK ("status" IN ('pending', 'queued', 'sent', 'failed', 'skipped'));
ALTER TABLE "flows" ADD CONSTRAINT "flows_status_check" CHECK ("status" IN ('draft', 'active', 'inactive'));
ALTER TABLE "flow_executions" ADD CONSTRAINT "flow_executions_status_check" CHECK ("status" IN ('running', 'completed', 'failed', 'cancelled'));
