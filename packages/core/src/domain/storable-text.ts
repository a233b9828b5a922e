// Text PostgreSQL cannot store: the NUL character (not in text, not in jsonb) and UTF-16
// surrogates without their pair (not valid Unicode, refused by jsonb). Requests carrying such text
// are refused with a 400 naming the field; X's webhook payloads are stored with U+FFFD in their place.

// eslint-disable-next-line no-control-regex -- NUL is precisely what PostgreSQL cannot store
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");
const MAX_DEPTH = 64;

/** JSON's own shapes only: a stream, a buffer or any class instance is not walked. */
const isPlainContainer = (v: unknown): v is Record<string, unknown> | unknown[] => {
  if (Array.isArray(v)) return true;
  if (typeof v !== "object" || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export const isStorableText = (s: string): boolean => !UNSTORABLE.test(s);

/** The path (`a.b.0`) of the first string or key in `value` PostgreSQL cannot store, else null. */
export function findUnstorableText(value: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof value === "string") return isStorableText(value) ? null : path.join(".") || "(value)";
  if (!isPlainContainer(value) || depth > MAX_DEPTH) return null;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, v] of entries) {
    if (!isStorableText(key)) return [...path, toStorableText(key)].join(".");
    const found = findUnstorableText(v, [...path, key], depth + 1);
    if (found !== null) return found;
  }
  return null;
}

export const toStorableText = (s: string): string => s.replace(UNSTORABLE_ALL, "\uFFFD");

/** A copy of a JSON value with every string and key made storable. */
export function toStorableJson(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return toStorableText(value);
  if (!isPlainContainer(value) || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => toStorableJson(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [toStorableText(k), toStorableJson(v, depth + 1)]));
}
