import { CreateTemplateInput, Template } from "@mkt-x/core";
import { createTemplate } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const createTemplateProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/templates", tags: ["templates"], summary: "Create a template", description: "Types: `text`; `quick_reply` with `quickReplies` (1 to 20 options: label ≤ 36 characters, unique; description ≤ 72; metadata ≤ 1000); `card` with `buttons` (1 to 3: label ≤ 36, http(s) url). Placeholders `{{name}}` or `{{name|default}}`; `variables` must list exactly the names used (else 400 with `details.missing` and `details.unused`). `attachment`: one image, gif or video by URL, fetched and checked now (400 when it cannot be fetched, is not media of that type or is over X's limit), sent with every DM made from the template.", protect: true, errorResponses: { 400: "Invalid template", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(CreateTemplateInput)
  .output(Template)
  .mutation(({ ctx, input }) => createTemplate(ctx.db, { merchantId: ctx.merchantId, template: input, mediaPolicy: ctx.services.webhookTargets }));
