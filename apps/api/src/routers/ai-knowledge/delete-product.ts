import { z } from "zod";
import { ProductIdInput } from "@mkt-x/core";
import { deleteProduct } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const deleteProductProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/ai/knowledge/products/{productId}", tags: ["ai"], summary: "Delete a product", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Product not found" } } })
  .input(ProductIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => deleteProduct(ctx.db, { productId: input.productId }));
