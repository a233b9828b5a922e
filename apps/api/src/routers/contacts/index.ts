import { router } from "../../trpc/init.ts";
import { listContactsProcedure } from "./list-contacts.ts";
import { importContactsCsvProcedure } from "./import-contacts-csv.ts";
import { exportContactsCsvProcedure } from "./export-contacts-csv.ts";
import { getContactProcedure } from "./get-contact.ts";
import { updateContactProcedure } from "./update-contact.ts";
import { addContactTagsProcedure } from "./add-contact-tags.ts";
import { removeContactTagProcedure } from "./remove-contact-tag.ts";
import { updateContactAttributesProcedure } from "./update-contact-attributes.ts";
import { listContactConversationsProcedure } from "./list-contact-conversations.ts";
import { deleteContactProcedure } from "./delete-contact.ts";

// static REST paths before the /{contactId} ones
export const contactsRouter = router({
  list: listContactsProcedure,
  importCsv: importContactsCsvProcedure,
  exportCsv: exportContactsCsvProcedure,
  get: getContactProcedure,
  update: updateContactProcedure,
  addTags: addContactTagsProcedure,
  removeTag: removeContactTagProcedure,
  updateAttributes: updateContactAttributesProcedure,
  conversations: listContactConversationsProcedure,
  delete: deleteContactProcedure,
});
