import type { ContactDetails } from "../../../contract/contacts.ts";
import { AppError } from "../../../errors.ts";
import { normalizeTag, tagProblem } from "../../../domain/contact-fields.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { changeContact } from "./change-contact.ts";
import { getContact } from "./get-contact.ts";

/** Removes a tag (matched normalized); removing one the contact does not have is fine (idempotent). */
export async function removeContactTag(db: ScopedDb, opts: { merchantId: string; contactId: string; tag: string }): Promise<ContactDetails> {
  const tag = normalizeTag(opts.tag);
  const problem = tagProblem(tag);
  if (problem) throw new AppError("VALIDATION_ERROR", "Invalid tag", [{ field: "tagName", message: problem }]);
  await changeContact(db, opts, (current) => ({ tags: current.tags.filter((t) => t !== tag) }));
  return getContact(db, opts);
}
