import { z } from "zod";
import { Uuid, PageInput, EntityId } from "./common.ts";
import { ConversationStatus } from "./conversations.ts";
import { attributeKeyProblem, normalizeTag, tagProblem, ATTRIBUTE_KEY_PATTERN, MAX_ATTRIBUTE_VALUE_LENGTH, MAX_TAGS_PER_CONTACT } from "../domain/contact-fields.ts";

export const CONTACT_SOURCES_DOC = "inbound_message | new_follower | import | …: how the contact first reached the merchant";

export const AttributeValue = z.union([z.string(), z.number(), z.boolean()]);
export const Attributes = z.record(z.string(), AttributeValue).meta({ description: "custom attributes: JSON scalars by key" });

export const Contact = z.object({
  id: Uuid,
  accountId: Uuid,
  twitterUserId: z.string(),
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  profileImageUrl: z.string().nullable(),
  tags: z.array(z.string()),
  attributes: Attributes,
  source: z.string().meta({ description: CONTACT_SOURCES_DOC }),
  /** opted out of automated DMs (STOP); agents can still reply by hand */
  optedOut: z.boolean(),
  conversationCount: z.number().int(),
  firstInteractionAt: z.iso.datetime().nullable(),
  lastInteractionAt: z.iso.datetime().nullable(),
});
export type Contact = z.infer<typeof Contact>;

export const ContactEngagement = z.object({
  messagesSent: z.number().int().meta({ description: "outbound messages to the contact (failed sends not counted)" }),
  messagesReceived: z.number().int().meta({ description: "inbound messages from the contact" }),
  averageResponseTime: z
    .string()
    .nullable()
    .meta({ description: "mean time from the first message of each customer turn to the next reply in the same conversation, e.g. \"5m 30s\"; null when nothing was answered yet" }),
});

export const ContactDetails = Contact.extend({
  engagement: ContactEngagement,
  // consent state (admin contact panel)
  consentAt: z.iso.datetime().nullable().meta({ description: "when the person first wrote to the account: automated DMs need it when the account requires consent" }),
  optedOutAt: z.iso.datetime().nullable().meta({ description: "when the person opted out of automated DMs (null while opted in)" }),
});
export type ContactDetails = z.infer<typeof ContactDetails>;

export const ContactConversation = z.object({
  id: Uuid,
  contactId: Uuid,
  accountId: Uuid,
  status: ConversationStatus,
  messageCount: z.number().int(),
  startedAt: z.iso.datetime(),
  lastMessageAt: z.iso.datetime().nullable(),
  assignedToUserId: z.string().nullable(),
});
export type ContactConversation = z.infer<typeof ContactConversation>;

/** A tag as given: checked after normalizing (trimmed, lower-cased), which the service applies. */
export const TagInput = z.string().superRefine((raw, ctx) => {
  const problem = tagProblem(normalizeTag(raw));
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const AttributeKey = z.string().refine((k) => attributeKeyProblem(k) === null, { message: `attribute keys must match ${ATTRIBUTE_KEY_PATTERN.source}` });
/** Attributes to merge in: a JSON scalar sets a key, null deletes it. */
export const AttributesPatch = z
  .record(AttributeKey, z.union([z.string().max(MAX_ATTRIBUTE_VALUE_LENGTH, { message: `an attribute value is at most ${MAX_ATTRIBUTE_VALUE_LENGTH} characters` }), z.number(), z.boolean(), z.null()]), {
    error: (issue) => (issue.code === "invalid_key" ? `attribute keys must match ${ATTRIBUTE_KEY_PATTERN.source}` : undefined),
  })
  .meta({ description: "keys ^[A-Za-z_][A-Za-z0-9_]{0,63}$; values string (≤ 1,000 characters) | number | boolean, null deletes the key; at most 100 keys after the merge, and 500 distinct keys per account" });
export type AttributesPatch = z.infer<typeof AttributesPatch>;

export const ContactIdInput = z.object({ contactId: EntityId });

export const ListContactsInput = PageInput.extend({
  accountId: Uuid.optional(),
  tags: z.string().max(5_000).optional().meta({ description: "comma-separated tags, all of which a contact must have: vip,customer" }),
  search: z.string().trim().max(100).optional().meta({ description: "part of the username or display name, case-insensitive" }),
});
export type ListContactsInput = z.infer<typeof ListContactsInput>;

export const UpdateContactInput = ContactIdInput.extend({
  displayName: z.string().trim().min(1, { message: "displayName must not be empty" }).max(100).nullable().optional(),
  attributes: AttributesPatch.optional(),
}).strict();
export type UpdateContactInput = z.infer<typeof UpdateContactInput>;

export const AddContactTagsInput = ContactIdInput.extend({
  tags: z.array(TagInput).min(1, { message: "give at least one tag" }).max(MAX_TAGS_PER_CONTACT),
}).strict();

/** tagName is checked by the service, once decoded (the REST bridge passes path parameters percent-encoded). */
export const RemoveContactTagInput = ContactIdInput.extend({ tagName: z.string().min(1).max(1_000) });

export const UpdateContactAttributesInput = ContactIdInput.extend({ attributes: AttributesPatch }).strict();

export const ListContactConversationsInput = ContactIdInput.extend(PageInput.shape).extend({ status: ConversationStatus.optional() });
export type ListContactConversationsInput = z.infer<typeof ListContactConversationsInput>;

export const CsvImportRowError = z.object({
  row: z.number().int().meta({ description: "the record's position in the file, the header being row 1 (blank lines are not counted)" }),
  field: z.string().nullable(),
  reason: z.string(),
});

export const ContactsCsvImportResult = z.object({
  accountId: Uuid,
  rows: z.number().int().meta({ description: "data rows read" }),
  inserted: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  errors: z.array(CsvImportRowError).meta({ description: "one per failed row, in file order; the first 1,000 only" }),
  errorsTruncated: z.boolean(),
});
export type ContactsCsvImportResult = z.infer<typeof ContactsCsvImportResult>;

/** tRPC only (small files): the streaming REST route takes the CSV as the request body. */
export const ImportContactsCsvInput = z.object({
  accountId: EntityId,
  csv: z.string().max(900_000, { message: "csv is at most 900,000 characters here; stream bigger files to POST /contacts/import" }),
});

export const ExportContactsCsvInput = z.object({ accountId: EntityId });
export const ContactsCsvExport = z.object({ csv: z.string(), rows: z.number().int() });
