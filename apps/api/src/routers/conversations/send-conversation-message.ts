import { IdempotencyKeyHeader, SendMessageInput, SentMessage } from "@mkt-x/core";
import { sendConversationMessage } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";
import { idempotencyKeyOf } from "./idempotency-key.ts";

const description = [
  "Queues an agent's reply (origin inbox, not automated: allowed even to a contact who opted out of automated DMs) and its send in one transaction, then runs the send pipeline on it at once (send windows, X's 429s and retries apply).",
  "The answer is the message: status `sent` with `twitterMessageId` and `sentAt` when X accepted it within 3 seconds; otherwise `queued` or `sending` (or `failed` with `error`), and the worker delivers it.",
  "`type` quick_reply lists `quickReplies` numbered under the content, card adds a line `label: url` per button (X's DM call carries text only).",
  "`attachments`: at most one image (JPEG, PNG, WebP; 5 MB), gif (15 MB) or video (MP4, MOV; 512 MB), by http(s) URL under the outgoing-webhook address rule. The URL is fetched before anything is queued: one that cannot be fetched, is not media of that type or is over X's limit is a 400. The worker uploads it to X as the sending account and sends it with the DM; the message's attachment then shows X's `mediaId`.",
  "Replying in a closed conversation reopens it (as Intercom and Front do); if the contact has opened another conversation since, the answer is 409 CONFLICT naming it.",
  "The account must be connected (400 otherwise).",
  "A `mention` conversation is answered in public (POST /2/tweets replying to the customer's latest post): plain text within X's weighted 280, no attachments, quick replies or buttons (400). Posts have X's own windows per X_TIER (POST_LIMIT_*), apart from the DM windows: while the account's post window is full, or X paused its posts after a 429 or an answer with x-rate-limit-remaining 0, the answer is 429 RATE_LIMIT_EXCEEDED with `details.retryAt`, `details.retryAfterSeconds` and Retry-After, and nothing is queued.",
  "Idempotency-Key: a retry with the same key from the same user answers the first message (200) and sends nothing more; the key reused for a different message is 409.",
].join(" ");

export const sendConversationMessageProcedure = inboxProcedure
  .meta({ openapi: { method: "POST", path: "/conversations/{conversationId}/messages", tags: ["conversations"], summary: "Send a message in a conversation", description, protect: true, requestHeaders: IdempotencyKeyHeader, errorResponses: { 400: "Invalid message (content 1 to 10,000 characters), an attachment that cannot be fetched, is not media of its type or is too large, or account not connected", 401: "Unauthorized", 403: "Forbidden", 404: "Conversation not found", 409: "The contact has another open conversation, or the Idempotency-Key was used for another message", 429: "A public reply while X's post window of the account is full (details.retryAt)" } } })
  .input(SendMessageInput)
  .output(SentMessage)
  .mutation(({ ctx, input }) => {
    const { conversationId, ...message } = input;
    return sendConversationMessage({
      db: ctx.db,
      queue: ctx.services.queue,
      merchantId: ctx.merchantId,
      userId: ctx.userId,
      conversationId,
      message,
      idempotencyKey: idempotencyKeyOf(ctx.req),
      deliverNow: ctx.services.deliverNow,
      mediaPolicy: ctx.services.webhookTargets,
      // null: windows off; absent: X_TIER's defaults
      postWindows: ctx.services.sendWindows === null ? null : ctx.services.sendWindows?.posts,
    });
  });
