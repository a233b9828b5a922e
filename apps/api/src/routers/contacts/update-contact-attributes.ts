import { ContactDetails, UpdateContactAttributesInput } from "@mkt-x/core";
import { updateContactAttributes } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const updateContactAttributesProcedure = inboxProcedure
  .meta({ openapi: { method: "PUT", path: "/contacts/{contactId}/attributes", tags: ["contacts"], summary: "Merge custom attributes into a contact", description: "A value sets its key, null deletes it, keys not named stay. Keys ^[A-Za-z_][A-Za-z0-9_]{0,63}$, values JSON scalars, at most 100 keys.", protect: true, errorResponses: { 400: "Invalid attributes or too many", 401: "Unauthorized", 403: "Forbidden", 404: "Contact not found" } } })
  .input(UpdateContactAttributesInput)
  .output(ContactDetails)
  .mutation(({ ctx, input }) => updateContactAttributes(ctx.db, { merchantId: ctx.merchantId, contactId: input.contactId, attributes: input.attributes }));
