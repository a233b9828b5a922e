import type { ContactDetails, UpdateContactInput } from "../../../contract/contacts.ts";
import { mergeAttributes } from "../../../domain/contact-fields.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { changeContact } from "./change-contact.ts";
import { getContact } from "./get-contact.ts";

/** The display name (null clears it) and attributes merged in (null deletes a key). */
export async function updateContact(
  db: ScopedDb,
  opts: { merchantId: string; contactId: string; displayName?: string | null; attributes?: UpdateContactInput["attributes"] },
): Promise<ContactDetails> {
  await changeContact(db, opts, (current) => ({
    ...(opts.displayName !== undefined ? { displayName: opts.displayName } : {}),
    ...(opts.attributes ? { attributes: mergeAttributes(current.attributes, opts.attributes) } : {}),
  }));
  return getContact(db, opts);
}
