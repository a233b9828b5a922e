import { AiContext, AiEscalateInput } from "@mkt-x/core";
import { escalateAiConversation } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const escalateAiConversationProcedure = inboxProcedure
  .meta({ openapi: { method: "POST", path: "/ai/conversations/{conversationId}/escalate", tags: ["ai"], summary: "Escalate an AI conversation to a human", description: "Marks the conversation's AI session escalated with the reason (optional, 1 to 200 characters; without one escalationReason is null; the body may be left out) and answers the session. The conversation's assignment is unchanged.", protect: true, errorResponses: { 400: "Invalid reason", 401: "Unauthorized", 403: "Forbidden", 404: "Conversation not found" } } })
  .input(AiEscalateInput)
  .output(AiContext)
  .mutation(({ ctx, input }) => escalateAiConversation(ctx.db, { merchantId: ctx.merchantId, conversationId: input.conversationId, reason: input.reason ?? null }));
