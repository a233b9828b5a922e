import { z } from "zod";
import { ContactIdInput } from "@mkt-x/core";
import { deleteContact } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";

export const deleteContactProcedure = inboxProcedure
  .meta({ openapi: { method: "DELETE", path: "/contacts/{contactId}", tags: ["contacts"], summary: "Delete a contact and all their data (GDPR)", description: "Erases the contact, their conversations, messages, campaign deliveries, flow executions, AI sessions and the stored X events that name them. A later DM from them starts afresh.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Contact not found" } } })
  .input(ContactIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => deleteContact(ctx.db, { merchantId: ctx.merchantId, contactId: input.contactId }));
