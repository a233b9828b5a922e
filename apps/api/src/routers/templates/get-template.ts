import { Template, TemplateIdInput } from "@mkt-x/core";
import { getTemplate } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getTemplateProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/templates/{templateId}", tags: ["templates"], summary: "Get a template", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Template not found" } } })
  .input(TemplateIdInput)
  .output(Template)
  .query(({ ctx, input }) => getTemplate(ctx.db, { templateId: input.templateId }));
