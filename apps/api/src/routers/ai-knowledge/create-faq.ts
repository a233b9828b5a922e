import { CreateFaqInput, FaqEntry } from "@mkt-x/core";
import { createFaq } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const createFaqProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/ai/knowledge/faqs", tags: ["ai"], summary: "Create an FAQ entry", description: "question (≤ 1,000 characters), answer (≤ 5,000), tags (≤ 20), language (e.g. en, vi). The bot answers matching questions from it and cites it in `sources`.", protect: true, errorResponses: { 400: "Invalid entry", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(CreateFaqInput)
  .output(FaqEntry)
  .mutation(({ ctx, input }) => createFaq(ctx.db, { merchantId: ctx.merchantId, input }));
