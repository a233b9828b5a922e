import { FaqEntry, KnowledgeSearchInput, paginated } from "@mkt-x/core";
import { listFaqs } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listFaqsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/ai/knowledge/faqs", tags: ["ai"], summary: "List FAQ entries", description: "Newest first; with `search`, the best matches first (full text and trigrams over accent-folded text: Vietnamese with or without diacritics, small typos forgiven).", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(KnowledgeSearchInput)
  .output(paginated(FaqEntry))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listFaqs(ctx.db, { merchantId: ctx.merchantId, input });
  });
