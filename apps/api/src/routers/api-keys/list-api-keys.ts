import { ApiKey, PageInput, paginated } from "@mkt-x/core";
import { listApiKeys } from "@mkt-x/core/server";
import { adminProcedure, markPaginated } from "../../trpc/init.ts";

export const listApiKeysProcedure = adminProcedure
  .meta({ openapi: { method: "GET", path: "/api-keys", tags: ["api-keys"], summary: "List the merchant's API keys", description: "Live keys, newest first: name, role, the key's `prefix` and when it was last used (to the minute). Never the key itself.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(PageInput)
  .output(paginated(ApiKey))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listApiKeys(ctx.db, { merchantId: ctx.merchantId, page: input });
  });
