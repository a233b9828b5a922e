import { PreviewTemplateInput, TemplatePreview } from "@mkt-x/core";
import { previewTemplate } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const previewTemplateProcedure = readProcedure
  .meta({ openapi: { method: "POST", path: "/templates/{templateId}/preview", tags: ["templates"], summary: "Preview a rendered template", description: "Values in this order: `variables`, then (with `contactId`) the contact's attributes by key, then the built-ins name, first_name, username and shop_name; then a placeholder's own default. Plain text: nothing is escaped. A placeholder with no value and no default → 422 with `details.missing`.", protect: true, errorResponses: { 400: "Invalid variables", 401: "Unauthorized", 403: "Forbidden", 404: "Template or contact not found", 422: "A variable has no value" } } })
  .input(PreviewTemplateInput)
  .output(TemplatePreview)
  .mutation(({ ctx, input }) => previewTemplate(ctx.db, { merchantId: ctx.merchantId, templateId: input.templateId, variables: input.variables, contactId: input.contactId }));
