import { ConversationListItem, ListConversationsInput, paginated } from "@mkt-x/core";
import { listConversations } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listConversationsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/conversations", tags: ["conversations"], summary: "List conversations", description: "Most recent activity first (lastMessageAt, conversations without messages last). Filters: accountId, status (open|closed), assignedTo (a user id), unassigned, escalated (the AI handed it to a person), search (the contact's username or display name). Each item adds `unreadCount` (the customer's messages since the latest reply by an agent, the AI, a flow or X's app; campaigns and system notices are not replies) and `escalated`.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized" } } })
  .input(ListConversationsInput)
  .output(paginated(ConversationListItem))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listConversations(ctx.db, input);
  });
