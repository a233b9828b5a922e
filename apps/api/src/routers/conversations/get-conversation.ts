import { ConversationDetails, GetConversationInput } from "@mkt-x/core";
import { getConversation } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getConversationProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/conversations/{conversationId}", tags: ["conversations"], summary: "Get a conversation with its messages", description: "A page of messages: the newest `messagesLimit` (default 50, at most 200), shown oldest first; `messagesCursor` passed back as `messagesBefore` gives the page before (null when there is none). includeMessages=false leaves `messages` out.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 404: "Conversation not found" } } })
  .input(GetConversationInput)
  .output(ConversationDetails)
  .query(({ ctx, input }) => getConversation(ctx.db, { conversationId: input.conversationId, includeMessages: input.includeMessages, messagesLimit: input.messagesLimit, ...(input.messagesBefore !== undefined ? { messagesBefore: input.messagesBefore } : {}) }));
