// The rules of a contact's tags and custom attributes, shared by the API inputs, the services and
// the CSV import so that every way in enforces the same limits.
export const MAX_TAG_LENGTH = 50;
export const MAX_TAGS_PER_CONTACT = 100;
export const MAX_ATTRIBUTES_PER_CONTACT = 100;
/** characters of a string attribute value */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 1_000;
/** distinct attribute keys an account may use (the CSV export has a column per key) */
export const MAX_ATTRIBUTE_KEYS_PER_ACCOUNT = 500;
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/**
 * `,` separates tags in the list filter, `|` and `;` in CSV cells: a tag holding one could not be
 * filtered on or exported faithfully, so they are refused rather than silently split.
 */
const TAG_SEPARATORS = /[,;|]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export type ContactAttributeValue = string | number | boolean;
export type ContactAttributes = Record<string, ContactAttributeValue>;
/** An attribute update: `null` deletes the key. */
export type ContactAttributesPatch = Record<string, ContactAttributeValue | null>;

/** Trimmed, Unicode-composed (NFC) and lower-cased: "  VIP " and "vip" are one tag. */
export const normalizeTag = (raw: string): string => raw.normalize("NFC").trim().toLowerCase();

/** Why an already normalized tag is refused, or null when it is fine. */
export function tagProblem(tag: string): string | null {
  const length = [...tag].length;
  if (length === 0) return "a tag must not be empty";
  if (length > MAX_TAG_LENGTH) return `a tag is at most ${MAX_TAG_LENGTH} characters`;
  if (TAG_SEPARATORS.test(tag)) return "a tag must not contain , ; or |";
  if (CONTROL_CHARS.test(tag)) return "a tag must not contain control characters";
  return null;
}

/** The current tags followed by the new ones not already there, in order of first appearance. */
export function mergeTags(current: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...current, ...added])];
}

export const attributeKeyProblem = (key: string): string | null =>
  ATTRIBUTE_KEY_PATTERN.test(key) ? null : "an attribute key starts with a letter or _, then letters, digits or _, 64 characters at most";

export const isAttributeValue = (v: unknown): v is ContactAttributeValue =>
  typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

/** Set the patch's keys over the current ones; a `null` removes the key. */
export function mergeAttributes(current: ContactAttributes, patch: ContactAttributesPatch): ContactAttributes {
  const merged: ContactAttributes = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** A stored attributes document as the API shows it: only its scalar values (the only kind ever written). */
export function toAttributes(json: unknown): ContactAttributes {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return {};
  const out: ContactAttributes = {};
  for (const [key, value] of Object.entries(json)) if (isAttributeValue(value)) out[key] = value;
  return out;
}

export const tooManyTags = (count: number) => `a contact has at most ${MAX_TAGS_PER_CONTACT} tags; this would make ${count}`;
export const tooManyAttributes = (count: number) => `a contact has at most ${MAX_ATTRIBUTES_PER_CONTACT} attributes; this would make ${count}`;
export const attributeValueProblem = (value: ContactAttributeValue): string | null =>
  typeof value === "string" && value.length > MAX_ATTRIBUTE_VALUE_LENGTH ? `an attribute value is at most ${MAX_ATTRIBUTE_VALUE_LENGTH} characters` : null;
export const tooManyAccountAttributeKeys = (count: number) =>
  `an account uses at most ${MAX_ATTRIBUTE_KEYS_PER_ACCOUNT} distinct attribute keys; this would make ${count}`;
