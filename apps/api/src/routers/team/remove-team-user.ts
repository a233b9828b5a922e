import { z } from "zod";
import { TeamUserIdInput } from "@mkt-x/core";
import { removeTeamUser } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const removeTeamUserProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/team/users/{userId}", tags: ["team"], summary: "Remove a user", description: "Their refresh tokens and pending invite die with them: no refresh works after this. Access tokens already issued live until they expire. An admin cannot remove an owner; the last owner is never removed (409).", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "User not found", 409: "The last owner cannot be removed" } } })
  .input(TeamUserIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => removeTeamUser(ctx.db, { merchantId: ctx.merchantId, actorRole: ctx.role, userId: input.userId }));
