import { CreatedTeamUser, CreateTeamUserInput } from "@mkt-x/core";
import { createTeamUser } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const createTeamUserProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/team/users", tags: ["team"], summary: "Add a user (with a password, or invited)", description: "With `password` (12 to 1,024 bytes) the user can sign in at once. Without one the answer carries a one-time `inviteToken` (valid 7 days) for POST /api/v1/auth/accept-invite, shown this once. Only an owner may create an owner. Emails are unique across the service, case-insensitively.", protect: true, errorResponses: { 400: "Invalid input", 401: "Unauthorized", 403: "Forbidden (an admin creating an owner)", 409: "A user with this email already exists" } } })
  .input(CreateTeamUserInput)
  .output(CreatedTeamUser)
  .mutation(({ ctx, input }) => createTeamUser(ctx.db, { merchantId: ctx.merchantId, actorRole: ctx.role, input }));
