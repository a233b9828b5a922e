import { z } from "zod";
import { EntityId, PageInput, Uuid } from "./common.ts";
import { OutgoingAttachment } from "./media.ts";
import { MAX_TEMPLATE_VARIABLE_CHARS, TEMPLATE_VARIABLE_PATTERN } from "../domain/render-template.ts";

export const TEMPLATE_TYPES = ["text", "quick_reply", "card"] as const;
export const TemplateType = z.enum(TEMPLATE_TYPES);
export type TemplateType = z.infer<typeof TemplateType>;

export const MAX_TEMPLATE_NAME_CHARS = 100;
export const MAX_TEMPLATE_CONTENT_CHARS = 10_000;
export const MAX_TEMPLATE_VARIABLES = 100;
// X's limits for DM quick replies (options) and call-to-action buttons
export const MAX_QUICK_REPLIES = 20;
export const MAX_QUICK_REPLY_LABEL_CHARS = 36;
export const MAX_QUICK_REPLY_DESCRIPTION_CHARS = 72;
export const MAX_QUICK_REPLY_METADATA_CHARS = 1_000;
export const MAX_CARD_BUTTONS = 3;
export const MAX_BUTTON_LABEL_CHARS = 36;
export const MAX_BUTTON_URL_CHARS = 2_048;
export const MAX_PREVIEW_VARIABLES = 100;
export const MAX_PREVIEW_VALUE_CHARS = 10_000;

export const QuickReply = z.object({
  label: z.string().trim().min(1, { message: "label is required" }).max(MAX_QUICK_REPLY_LABEL_CHARS),
  description: z.string().trim().max(MAX_QUICK_REPLY_DESCRIPTION_CHARS).optional(),
  metadata: z.string().max(MAX_QUICK_REPLY_METADATA_CHARS).optional().meta({ description: "opaque to X, returned with the customer's choice" }),
});
export type QuickReply = z.infer<typeof QuickReply>;

export const CardButton = z.object({
  label: z.string().trim().min(1, { message: "label is required" }).max(MAX_BUTTON_LABEL_CHARS),
  url: z.url({ protocol: /^https?$/, message: "url must be an http(s) URL" }).max(MAX_BUTTON_URL_CHARS),
});
export type CardButton = z.infer<typeof CardButton>;

export const QuickReplies = z
  .array(QuickReply.strict())
  .max(MAX_QUICK_REPLIES, { message: `at most ${MAX_QUICK_REPLIES} quick replies (X's limit)` })
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.forEach((option, i) => {
      if (seen.has(option.label)) ctx.addIssue({ code: "custom", path: [i, "label"], message: `duplicate label "${option.label}": quick reply labels must be unique` });
      seen.add(option.label);
    });
  })
  .meta({ description: `quick_reply only: up to ${MAX_QUICK_REPLIES} options with unique labels` });

export const CardButtons = z
  .array(CardButton.strict())
  .max(MAX_CARD_BUTTONS, { message: `at most ${MAX_CARD_BUTTONS} buttons` })
  .meta({ description: `card only: up to ${MAX_CARD_BUTTONS} call-to-action URL buttons` });

/** The template as the API shows it. quickReplies/buttons are null for the types that have none. */
export const Template = z.object({
  id: Uuid,
  merchantId: z.string(),
  name: z.string(),
  type: TemplateType,
  content: z.string(),
  variables: z.array(z.string()),
  quickReplies: z.array(QuickReply).nullable().meta({ description: "the options of a quick_reply template, else null" }),
  buttons: z.array(CardButton).nullable().meta({ description: "the buttons of a card template, else null" }),
  attachment: OutgoingAttachment.nullable().meta({ description: "one image, GIF or video sent with every DM made from the template (uploaded to X once per account), else null" }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Template = z.infer<typeof Template>;

const TemplateName = z.string().trim().min(1, { message: "name is required" }).max(MAX_TEMPLATE_NAME_CHARS);
const TemplateContent = z
  .string()
  .min(1, { message: "content is required", abort: true })
  .max(MAX_TEMPLATE_CONTENT_CHARS, { message: `content exceeds ${MAX_TEMPLATE_CONTENT_CHARS} characters` })
  .refine((s) => s.trim().length > 0, { message: "content must not be blank" })
  .meta({ description: "text with {{name}} or {{name|default}} placeholders" });
const VariableName = z
  .string()
  .max(MAX_TEMPLATE_VARIABLE_CHARS)
  .regex(TEMPLATE_VARIABLE_PATTERN, { message: "a variable name starts with a letter or _, then letters, digits, _ or ." });
const TemplateVariables = z
  .array(VariableName)
  .max(MAX_TEMPLATE_VARIABLES)
  .meta({ description: "exactly the placeholder names used in content, each once, in any order" });

/** The type-specific parts of a template, as written or as they result from an update. */
export interface TemplateShape {
  type: TemplateType;
  quickReplies?: readonly unknown[] | null | undefined;
  buttons?: readonly unknown[] | null | undefined;
}

/**
 * Whether the options fit the type: quickReplies only on quick_reply, buttons only on card. Both
 * may be left out (up to X's limits, none included): such a message goes out as its text.
 */
export function templateShapeIssues(t: TemplateShape): Array<{ field: string; message: string }> {
  const present = (v: readonly unknown[] | null | undefined) => v !== undefined && v !== null;
  const issues: Array<{ field: string; message: string }> = [];
  if (t.type !== "quick_reply" && present(t.quickReplies)) issues.push({ field: "quickReplies", message: "quickReplies is only allowed on a quick_reply template" });
  if (t.type !== "card" && present(t.buttons)) issues.push({ field: "buttons", message: "buttons is only allowed on a card template" });
  return issues;
}

const TEMPLATE_FIELDS = {
  name: TemplateName,
  type: TemplateType,
  content: TemplateContent,
  variables: TemplateVariables,
  // null is accepted as "none" so that a template read from the API can be sent back as it is
  quickReplies: QuickReplies.nullable().optional(),
  buttons: CardButtons.nullable().optional(),
  attachment: OutgoingAttachment.strict()
    .nullable()
    .optional()
    .meta({ description: "one image (5 MB), gif (15 MB) or video (512 MB) by http(s) URL, fetched and checked when saved (400 otherwise), sent with each DM; null removes it" }),
};

export const CreateTemplateInput = z
  .object({ ...TEMPLATE_FIELDS, variables: TemplateVariables.optional().meta({ description: "the placeholder names used in content; when left out, taken from the content" }) })
  .strict()
  .superRefine((t, ctx) => {
    // the type may itself be invalid (already reported): check the shape only against a real one
    const type = TemplateType.safeParse(t.type);
    if (!type.success) return;
    for (const issue of templateShapeIssues({ type: type.data, quickReplies: t.quickReplies, buttons: t.buttons }))
      ctx.addIssue({ code: "custom", path: [issue.field], message: issue.message });
  });
export type CreateTemplateInput = z.infer<typeof CreateTemplateInput>;

export const TemplateIdInput = z.object({ templateId: EntityId });

/** Every field optional; the result of the update is validated as a whole by the service. */
export const UpdateTemplateInput = TemplateIdInput.extend({
  name: TEMPLATE_FIELDS.name.optional(),
  type: TEMPLATE_FIELDS.type.optional(),
  content: TEMPLATE_FIELDS.content.optional(),
  variables: TEMPLATE_FIELDS.variables.optional().meta({ description: "when left out with new content, taken from the new content" }),
  quickReplies: TEMPLATE_FIELDS.quickReplies,
  buttons: TEMPLATE_FIELDS.buttons,
  attachment: TEMPLATE_FIELDS.attachment,
}).strict();
export type UpdateTemplateInput = z.infer<typeof UpdateTemplateInput>;
export type TemplateChanges = Omit<UpdateTemplateInput, "templateId">;

export const ListTemplatesInput = PageInput.extend({
  type: TemplateType.optional(),
  search: z.string().trim().max(MAX_TEMPLATE_NAME_CHARS).optional().meta({ description: "part of the template name, case-insensitive" }),
});
export type ListTemplatesInput = z.infer<typeof ListTemplatesInput>;

export const PreviewVariableValue = z.union([z.string().max(MAX_PREVIEW_VALUE_CHARS), z.number(), z.literal([true, false])]);
export const PreviewVariables = z
  .record(z.string().max(MAX_TEMPLATE_VARIABLE_CHARS), PreviewVariableValue)
  .refine((v) => Object.keys(v).length <= MAX_PREVIEW_VARIABLES, { message: `at most ${MAX_PREVIEW_VARIABLES} variables` })
  .meta({ description: "values by variable name (strings, numbers or booleans); they come before the contact's attributes and the built-ins" });
export type PreviewVariables = z.infer<typeof PreviewVariables>;

export const PreviewTemplateInput = TemplateIdInput.extend({
  variables: PreviewVariables.optional(),
  contactId: Uuid.optional().meta({ description: "render for this contact: its attributes by key, then name, first_name, username" }),
}).strict();
export type PreviewTemplateInput = z.infer<typeof PreviewTemplateInput>;

export const TemplatePreview = z.object({
  rendered: z.string().meta({ description: "the content with its placeholders filled" }),
  message: z.string().optional().meta({ description: "quick_reply and card only: the DM's text as the customer gets it, the options or buttons listed under the content" }),
});
export type TemplatePreview = z.infer<typeof TemplatePreview>;
