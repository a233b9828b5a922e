// Who may do what to whom in a team (CONTRACT.md "Team and API keys"): only an owner makes owners,
// an admin cannot demote or remove an owner, and the last owner stays.
import { AppError } from "../../../errors.ts";
import type { Role } from "../../../roles.ts";

export function assertMayGrant(actorRole: Role, role: Role) {
  if (role === "owner" && actorRole !== "owner") throw new AppError("FORBIDDEN", "Only an owner may grant the owner role");
}

export function assertMayChangeOwner(actorRole: Role, targetRole: string) {
  if (targetRole === "owner" && actorRole !== "owner") throw new AppError("FORBIDDEN", "Only an owner may demote or remove an owner");
}

export const LAST_OWNER = new AppError("CONFLICT", "The merchant's last owner cannot be demoted or removed");
