import { AppError, notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import {
  MAX_ATTRIBUTE_KEYS_PER_ACCOUNT,
  MAX_ATTRIBUTES_PER_CONTACT,
  tooManyAccountAttributeKeys,
  MAX_TAGS_PER_CONTACT,
  toAttributes,
  tooManyAttributes,
  tooManyTags,
  type ContactAttributes,
} from "../../../domain/contact-fields.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { emitContactEvents } from "../../events/emit-events.ts";

export interface ContactFields {
  displayName: string | null;
  tags: string[];
  attributes: ContactAttributes;
}

/**
 * Read-modify-write of a contact's editable fields under a row lock, so two concurrent tag or
 * attribute merges never lose one another; the limits are checked on the merged result.
 */
export async function changeContact(
  db: ScopedDb,
  opts: { merchantId: string; contactId: string },
  change: (current: ContactFields) => Partial<ContactFields>,
): Promise<void> {
  if (!isUuid(opts.contactId)) throw notFound("Contact", opts.contactId);
  await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ account_id: string; display_name: string | null; tags: string[]; attributes: unknown }[]>`
      SELECT account_id, display_name, tags, attributes FROM contacts
      WHERE id = ${opts.contactId}::uuid AND merchant_id = ${opts.merchantId}
      FOR UPDATE`;
    const row = rows[0];
    if (!row) throw notFound("Contact", opts.contactId);
    const next = change({ displayName: row.display_name, tags: row.tags, attributes: toAttributes(row.attributes) });
    if (next.tags && next.tags.length > MAX_TAGS_PER_CONTACT) {
      throw new AppError("VALIDATION_ERROR", "Too many tags", [{ field: "tags", message: tooManyTags(next.tags.length) }]);
    }
    const attributeCount = next.attributes ? Object.keys(next.attributes).length : 0;
    if (attributeCount > MAX_ATTRIBUTES_PER_CONTACT) {
      throw new AppError("VALIDATION_ERROR", "Too many attributes", [{ field: "attributes", message: tooManyAttributes(attributeCount) }]);
    }
    if (next.attributes && attributeCount > 0) await recordAttributeKeys(tx, row.account_id, Object.keys(next.attributes));
    await tx.contact.updateMany({
      where: { id: opts.contactId },
      data: {
        ...(next.displayName !== undefined ? { displayName: next.displayName } : {}),
        ...(next.tags ? { tags: next.tags } : {}),
        ...(next.attributes ? { attributes: next.attributes } : {}),
      },
    });
    await emitContactEvents(tx, "contact.updated", [opts.contactId]);
  });
}

/**
 * Records an account's attribute keys (the CSV export's columns), refusing what would take the
 * account past MAX_ATTRIBUTE_KEYS_PER_ACCOUNT distinct keys.
 */
async function recordAttributeKeys(tx: Parameters<Parameters<ScopedDb["$transaction"]>[0]>[0], accountId: string, keys: string[]): Promise<void> {
  const [known] = await tx.$queryRaw<{ total: number; fresh: string[] }[]>`
    SELECT (SELECT count(*)::int FROM account_attribute_keys WHERE account_id = ${accountId}::uuid) AS total,
           ARRAY(SELECT k FROM unnest(${keys}::text[]) AS k WHERE NOT EXISTS (SELECT 1 FROM account_attribute_keys a WHERE a.account_id = ${accountId}::uuid AND a.key = k)) AS fresh`;
  const fresh = known?.fresh ?? [];
  if (fresh.length === 0) return;
  const total = (known?.total ?? 0) + fresh.length;
  if (total > MAX_ATTRIBUTE_KEYS_PER_ACCOUNT) {
    throw new AppError("VALIDATION_ERROR", "Too many attribute keys in this account", [{ field: "attributes", message: tooManyAccountAttributeKeys(total) }]);
  }
  await tx.$executeRaw`INSERT INTO account_attribute_keys (account_id, key) SELECT ${accountId}::uuid, unnest(${fresh}::text[]) ON CONFLICT DO NOTHING`;
}
