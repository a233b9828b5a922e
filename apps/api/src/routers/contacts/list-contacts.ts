import { Contact, ListContactsInput, paginated } from "@mkt-x/core";
import { listContacts } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listContactsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/contacts", tags: ["contacts"], summary: "List contacts", description: "Filter by account, by tags (comma-separated, all must match) and by a search in username or display name (case-insensitive); most recent interaction first.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(ListContactsInput)
  .output(paginated(Contact))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listContacts(ctx.db, input);
  });
