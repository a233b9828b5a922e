// The rules a template as a whole must satisfy, checked by create and by update on the result.
import { AppError } from "../../../errors.ts";
import { templateShapeIssues, type CardButton, type QuickReply, type TemplateType } from "../../../contract/templates.ts";
import { variableListProblems } from "../../../domain/render-template.ts";

interface TemplateOptions {
  type: TemplateType;
  quickReplies?: QuickReply[] | null | undefined;
  buttons?: CardButton[] | null | undefined;
}

/** `variables` lists exactly the placeholders of `content`: else 400 with the difference. */
export function assertVariablesMatch(content: string, variables: readonly string[]): void {
  const problems = variableListProblems(content, variables);
  if (!problems) return;
  const { missing, unused, duplicates } = problems;
  throw new AppError("VALIDATION_ERROR", "variables must list exactly the placeholders used in content, each once", {
    missing,
    unused,
    ...(duplicates.length > 0 ? { duplicates } : {}),
  });
}

/** quickReplies exactly on quick_reply, buttons exactly on card: else 400 naming the fields. */
export function assertShape(t: TemplateOptions): void {
  const issues = templateShapeIssues(t);
  if (issues.length > 0) throw new AppError("VALIDATION_ERROR", "Request validation failed", issues);
}

/** What the options column stores for a template of this type. */
export function optionsOf(t: TemplateOptions): QuickReply[] | CardButton[] {
  if (t.type === "quick_reply") return t.quickReplies ?? [];
  if (t.type === "card") return t.buttons ?? [];
  return [];
}
