import { Product, UpdateProductInput } from "@mkt-x/core";
import { updateProduct } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateProductProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/ai/knowledge/products/{productId}", tags: ["ai"], summary: "Update a product", description: "Any field of the create; the others keep their value. New variants without a stock: the stock becomes their sum.", protect: true, errorResponses: { 400: "Invalid product", 401: "Unauthorized", 403: "Forbidden", 404: "Product not found", 409: "SKU already used" } } })
  .input(UpdateProductInput)
  .output(Product)
  .mutation(({ ctx, input }) => updateProduct(ctx.db, { input }));
