import { FaqEntry, FaqIdInput } from "@mkt-x/core";
import { getFaq } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getFaqProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/ai/knowledge/faqs/{faqId}", tags: ["ai"], summary: "Get an FAQ entry", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "FAQ entry not found" } } })
  .input(FaqIdInput)
  .output(FaqEntry)
  .query(({ ctx, input }) => getFaq(ctx.db, { faqId: input.faqId }));
