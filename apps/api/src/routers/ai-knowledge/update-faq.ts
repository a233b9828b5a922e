import { FaqEntry, UpdateFaqInput } from "@mkt-x/core";
import { updateFaq } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateFaqProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/ai/knowledge/faqs/{faqId}", tags: ["ai"], summary: "Update an FAQ entry", description: "Any of question, answer, tags, language; the others keep their value.", protect: true, errorResponses: { 400: "Invalid entry", 401: "Unauthorized", 403: "Forbidden", 404: "FAQ entry not found" } } })
  .input(UpdateFaqInput)
  .output(FaqEntry)
  .mutation(({ ctx, input }) => updateFaq(ctx.db, { input }));
