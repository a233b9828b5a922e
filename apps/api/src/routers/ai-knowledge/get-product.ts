import { Product, ProductIdInput } from "@mkt-x/core";
import { getProduct } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getProductProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/ai/knowledge/products/{productId}", tags: ["ai"], summary: "Get a product", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Product not found" } } })
  .input(ProductIdInput)
  .output(Product)
  .query(({ ctx, input }) => getProduct(ctx.db, { productId: input.productId }));
