import { CloseConversationInput, Conversation } from "@mkt-x/core";
import { closeConversation } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const closeConversationProcedure = inboxProcedure
  .meta({ openapi: { method: "PUT", path: "/conversations/{conversationId}/close", tags: ["conversations"], summary: "Close a conversation", description: "The body is optional: `{ \"reason\": \"resolved\" }` (up to 200 characters). Idempotent: closing a closed conversation changes nothing and answers it. A reply from an agent reopens it; a new DM from the customer starts a new conversation.", protect: true, errorResponses: { 400: "Invalid reason", 401: "Unauthorized", 403: "Forbidden", 404: "Conversation not found" } } })
  .input(CloseConversationInput)
  .output(Conversation)
  .mutation(({ ctx, input }) => closeConversation(ctx.db, { conversationId: input.conversationId, reason: input.reason }));
