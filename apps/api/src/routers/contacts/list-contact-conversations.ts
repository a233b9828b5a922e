import { ContactConversation, ListContactConversationsInput, paginated } from "@mkt-x/core";
import { listContactConversations } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listContactConversationsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/contacts/{contactId}/conversations", tags: ["contacts"], summary: "List a contact's conversations", description: "Newest first, optionally only open or closed ones.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden", 404: "Contact not found" } } })
  .input(ListContactConversationsInput)
  .output(paginated(ContactConversation))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listContactConversations(ctx.db, input);
  });
