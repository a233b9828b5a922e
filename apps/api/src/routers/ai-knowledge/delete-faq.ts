import { z } from "zod";
import { FaqIdInput } from "@mkt-x/core";
import { deleteFaq } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const deleteFaqProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/ai/knowledge/faqs/{faqId}", tags: ["ai"], summary: "Delete an FAQ entry", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "FAQ entry not found" } } })
  .input(FaqIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => deleteFaq(ctx.db, { faqId: input.faqId }));
