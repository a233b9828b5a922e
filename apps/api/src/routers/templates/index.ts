import { router } from "../../trpc/init.ts";
import { createTemplateProcedure } from "./create-template.ts";
import { listTemplatesProcedure } from "./list-templates.ts";
import { getTemplateProcedure } from "./get-template.ts";
import { updateTemplateProcedure } from "./update-template.ts";
import { deleteTemplateProcedure } from "./delete-template.ts";
import { previewTemplateProcedure } from "./preview-template.ts";

// static paths (/templates) before the /{templateId} ones
export const templatesRouter = router({
  create: createTemplateProcedure,
  list: listTemplatesProcedure,
  get: getTemplateProcedure,
  update: updateTemplateProcedure,
  delete: deleteTemplateProcedure,
  preview: previewTemplateProcedure,
});
