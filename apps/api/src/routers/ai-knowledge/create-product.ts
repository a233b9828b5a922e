import { CreateProductInput, Product } from "@mkt-x/core";
import { createProduct } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const createProductProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/ai/knowledge/products", tags: ["ai"], summary: "Create a product", description: "sku (unique per merchant: 409 CONFLICT), name, price (≥ 0, 2 decimals), currency (ISO 4217), description, variants `[{ size?, color?, stock }]` (≤ 100), stock (without it, the variants' sum), url, imageUrl (http(s)), tags. The bot quotes price and stock from here as they are when it answers.", protect: true, errorResponses: { 400: "Invalid product", 401: "Unauthorized", 403: "Forbidden", 409: "SKU already used" } } })
  .input(CreateProductInput)
  .output(Product)
  .mutation(({ ctx, input }) => createProduct(ctx.db, { merchantId: ctx.merchantId, input }));
