import { z } from "zod";
import { EntityId, PageInput, Uuid } from "./common.ts";
import { Attributes } from "./contacts.ts";
import { MAX_SEGMENT_CONDITIONS, SEGMENT_MATCH_MODES, SEGMENT_OPERATORS, validateSegmentConditions } from "../domain/segment-conditions.ts";

export * from "../domain/segment-conditions.ts";

export const PREVIEW_DEFAULT_LIMIT = 10;
export const PREVIEW_MAX_LIMIT = 50;
export const MAX_SEGMENT_NAME = 100;

export const SEGMENT_CONDITIONS_DOC = [
  "Each condition is { field, operator, value }; they are AND-ed (match \"all\", the default) or OR-ed (match \"any\"). No conditions: every contact.",
  "Fields and operators: tags (contains, notContains: a tag; containsAny, containsAll: an array of tags);",
  "username, displayName, source (equals, notEquals, contains, notContains, startsWith: a string; in: an array of strings; exists, notExists: no value);",
  "accountId (equals, notEquals: a UUID; in: an array of UUIDs); conversationCount (equals, notEquals, greaterThan, lessThan, greaterOrEqual, lessOrEqual: a whole number; between: [min, max] inclusive);",
  "firstInteractionAt, lastInteractionAt (before, after: an ISO 8601 date; between: [from, to] inclusive; withinLastDays: whole days, 1 to 36500);",
  "optedOut (equals, notEquals: true or false);",
  "attributes.<key> (key ^[A-Za-z_][A-Za-z0-9_]{0,63}$): the text operators on string values, the number operators on number values (a JSON number, not a numeric string), the date operators on ISO 8601 strings, equals/notEquals with true/false on boolean values; exists/notExists: any string, number or boolean.",
  "Semantics: equals, notEquals and in are exact; contains, notContains and startsWith ignore ASCII case; tags are lower-cased like stored tags.",
  "Negations (notEquals, notContains, notExists) match exactly the contacts the positive form does not, including contacts without the value (no display name, no such attribute, an attribute of another type).",
  "Dates are YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM[:SS[.sss]] with Z or ±HH:MM; before/after are strict.",
  "A faulty condition is a 400 whose details.issues name each one: [{ index, field, reason }].",
].join(" ");

export const SegmentConditionValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.array(z.number())]);

/** A condition as stored and answered: normalized (tags lower-cased, ids lower-cased, lists without duplicates). */
export const SegmentCondition = z.object({
  field: z.string().meta({ description: "tags | username | displayName | source | accountId | conversationCount | firstInteractionAt | lastInteractionAt | optedOut | attributes.<key>" }),
  operator: z.enum(SEGMENT_OPERATORS),
  value: SegmentConditionValue.optional().meta({ description: "absent for exists / notExists" }),
});
export type SegmentCondition = z.infer<typeof SegmentCondition>;

/**
 * Conditions read back from storage (or from anywhere untrusted), checked by the same rules as the
 * API: the normalized conditions, or an issue per faulty condition at its index.
 */
export const SegmentConditions = z.array(z.unknown()).transform((raw, ctx) => {
  const check = validateSegmentConditions(raw);
  if (check.ok) return check.conditions;
  for (const e of check.errors) ctx.addIssue({ code: "custom", path: [e.index], message: e.reason, input: raw[e.index] });
  return z.NEVER;
});

export const SegmentMatchMode = z.enum(SEGMENT_MATCH_MODES);

// Conditions are taken as they come and checked by the service, so that every faulty condition is
// reported with its index (details [{ index, field, reason }]) rather than as a zod path.
const ConditionsInput = z
  .array(z.unknown().meta({ description: "{ field, operator, value }" }))
  .max(MAX_SEGMENT_CONDITIONS, { message: `at most ${MAX_SEGMENT_CONDITIONS} conditions` })
  .meta({
    description: SEGMENT_CONDITIONS_DOC,
    example: [
      { field: "tags", operator: "contains", value: "vip" },
      { field: "attributes.purchaseCount", operator: "greaterThan", value: 5 },
      { field: "lastInteractionAt", operator: "after", value: "2026-01-01T00:00:00Z" },
    ],
  });

const SegmentName = z
  .string()
  .trim()
  .min(1, { message: "name is required" })
  .max(MAX_SEGMENT_NAME, { message: `name is at most ${MAX_SEGMENT_NAME} characters` });

export const Segment = z.object({
  id: Uuid,
  merchantId: z.string(),
  name: z.string(),
  conditions: z.array(SegmentCondition),
  match: SegmentMatchMode,
  /** counted when the segment is read */
  contactCount: z.number().int().meta({ description: "contacts matching now: counted afresh whenever the segment is read" }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Segment = z.infer<typeof Segment>;

export const CreateSegmentInput = z
  .object({
    name: SegmentName,
    conditions: ConditionsInput,
    match: SegmentMatchMode.default("all").meta({ description: "all (AND, the default) or any (OR)" }),
  })
  .strict();
export type CreateSegmentInput = z.infer<typeof CreateSegmentInput>;

export const SegmentIdInput = z.object({ segmentId: EntityId });

export const UpdateSegmentBody = z
  .object({
    name: SegmentName.optional(),
    conditions: ConditionsInput.optional(),
    match: SegmentMatchMode.optional(),
  })
  .strict();
export type UpdateSegmentBody = z.infer<typeof UpdateSegmentBody>;
export const UpdateSegmentInput = SegmentIdInput.extend(UpdateSegmentBody.shape).strict();

export const ListSegmentsInput = PageInput;
export type ListSegmentsInput = z.infer<typeof ListSegmentsInput>;

export const PreviewLimit = z
  .number({ message: `limit must be a whole number from 1 to ${PREVIEW_MAX_LIMIT}` })
  .int({ message: `limit must be a whole number from 1 to ${PREVIEW_MAX_LIMIT}` })
  .min(1, { message: `limit must be a whole number from 1 to ${PREVIEW_MAX_LIMIT}` })
  .max(PREVIEW_MAX_LIMIT, { message: `limit is at most ${PREVIEW_MAX_LIMIT}` });

export const PreviewSegmentInput = SegmentIdInput.extend({
  limit: PreviewLimit.optional().meta({ description: `how many contacts to show, 1 to ${PREVIEW_MAX_LIMIT} (default ${PREVIEW_DEFAULT_LIMIT}): the seed gives it as the query parameter ?limit=, which REST accepts as well as this body field` }),
}).strict();

export const SegmentPreviewContact = z.object({
  id: Uuid,
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  tags: z.array(z.string()),
  attributes: Attributes,
});

export const SegmentPreview = z.object({
  totalMatches: z.number().int(),
  preview: z.array(SegmentPreviewContact),
});
export type SegmentPreview = z.infer<typeof SegmentPreview>;
