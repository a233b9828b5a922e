import { CreateApiKeyInput, CreatedApiKey } from "@mkt-x/core";
import { createApiKey } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const createApiKeyProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/api-keys", tags: ["api-keys"], summary: "Create an API key", description: "The answer's `key` (`mktx_…`) is shown this once and stored only as a hash. Use it like a JWT: `Authorization: Bearer mktx_…`, with the key's role and the merchant's rate limit. An admin cannot create an `owner` key.", protect: true, errorResponses: { 400: "Invalid input", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(CreateApiKeyInput)
  .output(CreatedApiKey)
  .mutation(({ ctx, input }) => createApiKey(ctx.db, { merchantId: ctx.merchantId, userId: ctx.userId, actorRole: ctx.role, input }));
