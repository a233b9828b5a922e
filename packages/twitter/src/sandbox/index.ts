export { createXSandbox } from "./create-x-sandbox.ts";
export type { XSandbox, XSandboxControl, XSandboxOptions, InboundDmInput, CustomerDmInput, CustomerDmResult, FollowInput, ReadInput, TypingInput, RevokeInput, DeliveryResult, MentionInput, MentionResult, AccountPostInput } from "./x-sandbox-types.ts";
export type { AddUserInput, SandboxUser, SandboxDm, SandboxMediaView, SandboxPost, SandboxRequest, SandboxWebhook, SandboxDelivery, SandboxConfig } from "./sandbox-store.ts";
export { FAULT_STATUSES, type FaultInput, type FaultStatus, type SandboxFault } from "./faults.ts";
export { SandboxError } from "./sandbox-error.ts";
export {
  buildInboundDmPayload,
  buildFollowPayload,
  buildReadPayload,
  buildMentionPayload,
  buildXaaPostPayload,
  type MentionPayloadInput,
  signWebhookPayload,
  toWebhookUserObject,
  DEFAULT_PROFILE_IMAGE_URL,
  buildTypingPayload,
  buildXaaDmActivityPayload,
  type TypingPayloadInput,
  type AccountActivityPayload,
  type InboundDmPayloadInput,
  type FollowPayloadInput,
  type ReadPayloadInput,
  type SignedWebhookRequest,
  type WebhookUser,
  type XWebhookUserObject,
  type XDirectMessageEvent,
  type XFollowEvent,
  type XMarkReadEvent,
  type XMediaEntity,
  type InboundMediaKind,
} from "./payloads.ts";
export { verifyOAuth1, signatureBaseString, hmacSha1Signature, percentEncode, type OAuthResult, type OAuthFailure } from "./oauth1-verify.ts";
