import { AssignConversationInput, Conversation } from "@mkt-x/core";
import { assignConversation } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const assignConversationProcedure = inboxProcedure
  .meta({ openapi: { method: "POST", path: "/conversations/{conversationId}/assign", tags: ["conversations"], summary: "Assign a conversation", description: "`userId` is a user id as in the tokens' `sub` (1 to 128 characters); null unassigns.", protect: true, errorResponses: { 400: "Invalid userId", 401: "Unauthorized", 403: "Forbidden", 404: "Conversation not found" } } })
  .input(AssignConversationInput)
  .output(Conversation)
  .mutation(({ ctx, input }) => assignConversation(ctx.db, { conversationId: input.conversationId, userId: input.userId }));
