import type { ContactDetails } from "../../../contract/contacts.ts";
import { mergeAttributes, type ContactAttributesPatch } from "../../../domain/contact-fields.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { changeContact } from "./change-contact.ts";
import { getContact } from "./get-contact.ts";

/** Merges attributes in: a value sets its key, null deletes it, keys not named stay. */
export async function updateContactAttributes(db: ScopedDb, opts: { merchantId: string; contactId: string; attributes: ContactAttributesPatch }): Promise<ContactDetails> {
  await changeContact(db, opts, (current) => ({ attributes: mergeAttributes(current.attributes, opts.attributes) }));
  return getContact(db, opts);
}
