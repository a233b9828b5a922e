import { z } from "zod";
import { ApiKeyIdInput } from "@mkt-x/core";
import { revokeApiKey } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const revokeApiKeyProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/api-keys/{id}", tags: ["api-keys"], summary: "Revoke an API key", description: "The key answers 401 from the next request on, on every API instance (keys are checked in the database on every request).", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "API key not found" } } })
  .input(ApiKeyIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => revokeApiKey(ctx.db, { merchantId: ctx.merchantId, id: input.id }));
