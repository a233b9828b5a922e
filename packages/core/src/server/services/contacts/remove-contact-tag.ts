import type { ContactDetails } from "../../../contract/contacts.ts";
import { normalizeTag } from "../../../domain/contact-fields.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { changeContact } from "./change-contact.ts";
import { getContact } from "./get-contact.ts";

/** Removes a tag (matched normalized); removing one the contact does not have is fine (idempotent). */
export async function removeContactTag(db: ScopedDb, opts: { merchantId: string; contactId: string; tag: string }): Promise<ContactDetails> {
  const tag = normalizeTag(opts.tag);
  await changeContact(db, opts, (current) => ({ tags: current.tags.filter((t) => t !== tag) }));
  return getContact(db, opts);
}
