export { createTwitterXClient, type TwitterXClient, type TwitterXClientOptions } from "./x-client.ts";
export { crcResponseToken, signWebhookBody, verifyWebhookSignature } from "./webhook-crypto.ts";
export { kindForStatus } from "./x-error-mapping.ts";
