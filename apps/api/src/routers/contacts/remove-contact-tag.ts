import { ContactDetails, RemoveContactTagInput } from "@mkt-x/core";
import { removeContactTag } from "@mkt-x/core/server";
import { inboxProcedure } from "../../trpc/init.ts";
import { pathParam } from "../../rest/path-param.ts";

export const removeContactTagProcedure = inboxProcedure
  .meta({ openapi: { method: "DELETE", path: "/contacts/{contactId}/tags/{tagName}", tags: ["contacts"], summary: "Remove a tag from a contact", description: "Matched after trimming and lower-casing; removing a tag the contact does not have is no error.", protect: true, errorResponses: { 400: "Invalid tag", 401: "Unauthorized", 403: "Forbidden", 404: "Contact not found" } } })
  .input(RemoveContactTagInput)
  .output(ContactDetails)
  .mutation(({ ctx, input }) => removeContactTag(ctx.db, { merchantId: ctx.merchantId, contactId: input.contactId, tag: pathParam(ctx.req, input.tagName) }));
