import { ContactDetails, ContactIdInput } from "@mkt-x/core";
import { getContact } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getContactProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/contacts/{contactId}", tags: ["contacts"], summary: "Get contact details with engagement", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Contact not found" } } })
  .input(ContactIdInput)
  .output(ContactDetails)
  .query(({ ctx, input }) => getContact(ctx.db, { merchantId: ctx.merchantId, contactId: input.contactId }));
