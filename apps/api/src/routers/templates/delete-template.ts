import { z } from "zod";
import { TemplateIdInput } from "@mkt-x/core";
import { deleteTemplate } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const deleteTemplateProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/templates/{templateId}", tags: ["templates"], summary: "Delete a template", description: "Refused (409, `details.campaignIds`) while a scheduled, running or paused campaign uses it; draft, completed and cancelled campaigns that reference it are left without a template.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Template not found", 409: "Template is being used by active campaigns" } } })
  .input(TemplateIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => deleteTemplate(ctx.db, { merchantId: ctx.merchantId, templateId: input.templateId }));
