import { ContactDetails, UpdateContactInput } from "@mkt-x/core";
import { updateContact } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const updateContactProcedure = inboxProcedure
  .meta({ openapi: { method: "PUT", path: "/contacts/{contactId}", tags: ["contacts"], summary: "Update a contact", description: "displayName (null clears it) and attributes merged in (null deletes a key).", protect: true, errorResponses: { 400: "Invalid contact fields", 401: "Unauthorized", 403: "Forbidden", 404: "Contact not found" } } })
  .input(UpdateContactInput)
  .output(ContactDetails)
  .mutation(({ ctx, input }) => updateContact(ctx.db, { merchantId: ctx.merchantId, contactId: input.contactId, displayName: input.displayName, attributes: input.attributes }));
