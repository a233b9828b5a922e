import { router } from "../../trpc/init.ts";
import { listTeamUsersProcedure } from "./list-team-users.ts";
import { createTeamUserProcedure } from "./create-team-user.ts";
import { updateTeamUserProcedure } from "./update-team-user.ts";
import { removeTeamUserProcedure } from "./remove-team-user.ts";

export const teamRouter = router({
  listUsers: listTeamUsersProcedure,
  createUser: createTeamUserProcedure,
  updateUser: updateTeamUserProcedure,
  removeUser: removeTeamUserProcedure,
});
