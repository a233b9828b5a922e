import { KnowledgeSearchInput, Product, paginated } from "@mkt-x/core";
import { listProducts } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listProductsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/ai/knowledge/products", tags: ["ai"], summary: "List products", description: "Newest first; with `search`, the best matches first (name, SKU, tags, description; accents and small typos forgiven).", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(KnowledgeSearchInput)
  .output(paginated(Product))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listProducts(ctx.db, { merchantId: ctx.merchantId, input });
  });
