import { AiMessageInput, AiMessageResult } from "@mkt-x/core";
import { sendAiMessage } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const sendAiMessageProcedure = inboxProcedure
  .meta({ openapi: { method: "POST", path: "/ai/conversations/{conversationId}/message", tags: ["ai"], summary: "Send a message to the AI chatbot", description: "The AI classifies the message (intent, confidence), extracts slots (e.g. orderId from \"#12345\") and proposes a response; the turn is kept in the conversation's AI session (last 50 turns). `requiresEscalation` is true when confidence is below the merchant's autoEscalationThreshold, when the customer asks for a human, or when the session was already escalated. Product, price, shipping, return and other FAQ questions are answered from the merchant's knowledge (`/ai/knowledge`), prices and stock as they are now; an order question with an order id asks the shop's `orderLookupUrl` and, without one or when it fails, says a person will answer and escalates. `sources` names the FAQ entries, products and orders the response used. Answered whether or not AI is enabled (the flag gates automatic replies).", protect: true, errorResponses: { 400: "Invalid message", 401: "Unauthorized", 403: "Forbidden", 404: "Conversation not found", 502: "AI provider failed" } } })
  .input(AiMessageInput)
  .output(AiMessageResult)
  .mutation(({ ctx, input }) =>
    sendAiMessage(ctx.db, ctx.services.ai, { merchantId: ctx.merchantId, conversationId: input.conversationId, message: input.message, orderLookup: { cipher: ctx.services.cipher, policy: ctx.services.webhookTargets } }),
  );
