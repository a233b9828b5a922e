import { ListTemplatesInput, Template, paginated } from "@mkt-x/core";
import { listTemplates } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listTemplatesProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/templates", tags: ["templates"], summary: "List templates", description: "Newest first. Filters: type (text|quick_reply|card), search (part of the name, case-insensitive).", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(ListTemplatesInput)
  .output(paginated(Template))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listTemplates(ctx.db, input);
  });
