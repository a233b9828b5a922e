import type { ContactDetails } from "../../../contract/contacts.ts";
import { mergeTags, normalizeTag } from "../../../domain/contact-fields.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { changeContact } from "./change-contact.ts";
import { getContact } from "./get-contact.ts";

/** Adds tags, normalized; ones the contact already has change nothing (idempotent). */
export async function addContactTags(db: ScopedDb, opts: { merchantId: string; contactId: string; tags: string[] }): Promise<ContactDetails> {
  const added = opts.tags.map(normalizeTag);
  await changeContact(db, opts, (current) => ({ tags: mergeTags(current.tags, added) }));
  return getContact(db, opts);
}
