export { createTwitterXClient, type TwitterXClient, type TwitterXClientOptions } from "./x-client.ts";
export { crcResponseToken, parseCrcToken, signWebhookBody, verifyWebhookSignature, type CrcToken } from "./webhook-crypto.ts";
export { kindForStatus } from "./x-error-mapping.ts";
