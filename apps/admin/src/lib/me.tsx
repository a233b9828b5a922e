// Who is signed in, and what their role lets them do: a viewer sees no write controls.
import { createContext, useContext, type ReactNode } from "react";
import { can, type Permission } from "@mkt-x/core";
import type { MeInfo } from "./session.ts";

const MeContext = createContext<MeInfo | null>(null);

export function MeProvider({ me, children }: { me: MeInfo; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export function useMe(): MeInfo {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe outside a signed-in page");
  return me;
}

/** inbox: agents and up (reply, assign, tag); admin: admins and owners (settings, campaigns, team) */
export function useCan(permission: Permission): boolean {
  return can(useMe().role, permission);
}

/** Renders its children only for a role with the permission. */
export function IfCan({ permission, children }: { permission: Permission; children: ReactNode }) {
  return useCan(permission) ? <>{children}</> : null;
}
