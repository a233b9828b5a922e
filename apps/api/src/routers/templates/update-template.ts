import { Template, UpdateTemplateInput } from "@mkt-x/core";
import { updateTemplate } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateTemplateProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/templates/{templateId}", tags: ["templates"], summary: "Update a template", description: "Any of name, type, content, variables, quickReplies, buttons; the template that results is validated as on create (new content must match the stored variables unless new ones are given; a new type needs its own options).", protect: true, errorResponses: { 400: "Invalid template", 401: "Unauthorized", 403: "Forbidden", 404: "Template not found" } } })
  .input(UpdateTemplateInput)
  .output(Template)
  .mutation(({ ctx, input }) => {
    const { templateId, ...changes } = input;
    return updateTemplate(ctx.db, { merchantId: ctx.merchantId, templateId, changes, mediaPolicy: ctx.services.webhookTargets });
  });
