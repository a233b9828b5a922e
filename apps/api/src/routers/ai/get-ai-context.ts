import { AiContext, AiConversationIdInput } from "@mkt-x/core";
import { getAiContext } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

// reading the context is a read: every role, viewer included (CONTRACT: viewer reads only)
export const getAiContextProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/ai/conversations/{conversationId}/context", tags: ["ai"], summary: "Get the AI context of a conversation", description: "The conversation's AI session: turns, current intent, slots and escalation. A conversation without a session yet answers an empty context with sessionId null.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Conversation not found" } } })
  .input(AiConversationIdInput)
  .output(AiContext)
  .query(({ ctx, input }) => getAiContext(ctx.db, { conversationId: input.conversationId }));
