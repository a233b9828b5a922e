// Server entry: application services, crypto and the queue. Never imported by browser code.
export * from "./server/token-cipher.ts";
export * from "./server/scoped-db.ts";
export * from "./server/jobs/registry.ts";
export * from "./server/jobs/queue.ts";
export { connectAccount } from "./server/services/accounts/connect-account.ts";
export { listAccounts } from "./server/services/accounts/list-accounts.ts";
export { getAccount } from "./server/services/accounts/get-account.ts";
export { updateAccountSettings } from "./server/services/accounts/update-account-settings.ts";
export { disconnectAccount } from "./server/services/accounts/disconnect-account.ts";
export type { AccountDeps } from "./server/services/accounts/deps.ts";
export { splitWebhookDelivery, type SplitEvent } from "./server/services/webhooks/split-webhook-delivery.ts";
export { ingestWebhookDelivery, type IngestResult } from "./server/services/webhooks/ingest-webhook-delivery.ts";
export { enqueueOutboundMessage, type OutboundMessageInput } from "./server/services/messages/enqueue-outbound-message.ts";
export { toMessageDto } from "./server/services/messages/message-dto.ts";
export { sendMessage, backoffMs, type SendPipelineDeps, type SendOutcome } from "./server/services/messages/send-message.ts";
export { reserveSendSlot, sweepSendCounters, DEFAULT_SEND_WINDOWS, type SendWindowLimits, type Reservation } from "./server/services/messages/send-windows.ts";
