import { TeamUser, UpdateTeamUserInput } from "@mkt-x/core";
import { updateTeamUser } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateTeamUserProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/team/users/{userId}", tags: ["team"], summary: "Change a user's role or name", description: "A new role applies from the user's next refresh: access tokens already issued keep their role until they expire (ACCESS_TOKEN_TTL). An admin cannot demote an owner nor make one; the last owner is never demoted (409).", protect: true, errorResponses: { 400: "Invalid input", 401: "Unauthorized", 403: "Forbidden", 404: "User not found", 409: "The last owner cannot be demoted" } } })
  .input(UpdateTeamUserInput)
  .output(TeamUser)
  .mutation(({ ctx, input }) => updateTeamUser(ctx.db, { merchantId: ctx.merchantId, actorRole: ctx.role, userId: input.userId, role: input.role, name: input.name }));
