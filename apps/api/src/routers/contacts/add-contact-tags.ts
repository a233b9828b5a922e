import { AddContactTagsInput, ContactDetails } from "@mkt-x/core";
import { addContactTags } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const addContactTagsProcedure = inboxProcedure
  .meta({ openapi: { method: "POST", path: "/contacts/{contactId}/tags", tags: ["contacts"], summary: "Add tags to a contact", description: "Tags are trimmed and lower-cased; ones already there change nothing. 1–50 characters, no , ; or |; at most 100 per contact.", protect: true, errorResponses: { 400: "Invalid tags or too many", 401: "Unauthorized", 403: "Forbidden", 404: "Contact not found" } } })
  .input(AddContactTagsInput)
  .output(ContactDetails)
  .mutation(({ ctx, input }) => addContactTags(ctx.db, { merchantId: ctx.merchantId, contactId: input.contactId, tags: input.tags }));
