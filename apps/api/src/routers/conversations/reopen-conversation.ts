import { Conversation, ReopenConversationInput } from "@mkt-x/core";
import { reopenConversation } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const reopenConversationProcedure = inboxProcedure
  .meta({ openapi: { method: "PUT", path: "/conversations/{conversationId}/reopen", tags: ["conversations"], summary: "Reopen a conversation", description: "No body. Clears the close time and reason. Idempotent: reopening an open conversation changes nothing and answers it. At most one conversation per contact is open: when the contact has started another since, 409 names it in `details.openConversationId`.", protect: true, errorResponses: { 400: "Invalid request", 401: "Unauthorized", 403: "Forbidden", 404: "Conversation not found", 409: "The contact has another open conversation" } } })
  .input(ReopenConversationInput)
  .output(Conversation)
  .mutation(({ ctx, input }) => reopenConversation(ctx.db, { conversationId: input.conversationId }));
