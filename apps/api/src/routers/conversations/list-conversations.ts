import { ConversationSummary, ListConversationsInput, paginated } from "@mkt-x/core";
import { listConversations } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listConversationsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/conversations", tags: ["conversations"], summary: "List conversations", description: "Most recent activity first (lastMessageAt, conversations without messages last). Filters: accountId, status (open|closed), assignedTo (a user id).", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized" } } })
  .input(ListConversationsInput)
  .output(paginated(ConversationSummary))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listConversations(ctx.db, input);
  });
