import { PageInput, paginated, TeamUser } from "@mkt-x/core";
import { listTeamUsers } from "@mkt-x/core/server";
import { adminProcedure, markPaginated } from "../../trpc/init.ts";

export const listTeamUsersProcedure = adminProcedure
  .meta({ openapi: { method: "GET", path: "/team/users", tags: ["team"], summary: "List the merchant's users", description: "Everyone who can sign in to the merchant, and those still invited (`status: invited`). Owner and admin only.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(PageInput)
  .output(paginated(TeamUser))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listTeamUsers(ctx.db, { merchantId: ctx.merchantId, page: input });
  });
