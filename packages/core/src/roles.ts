export const ROLES = ["owner", "admin", "agent", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** What a procedure needs: reading, working the inbox, or administering the merchant. */
export type Permission = "read" | "inbox" | "admin";

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(["read", "inbox", "admin"]),
  admin: new Set(["read", "inbox", "admin"]),
  agent: new Set(["read", "inbox"]),
  viewer: new Set(["read"]),
};

export const can = (role: Role, permission: Permission): boolean => GRANTS[role].has(permission);
