// GET/POST /team/users, PUT/DELETE /team/users/{userId}: the merchant's people.
import type { Db, Tx, UserModel as User } from "@mkt-x/db";
import { notFound } from "../../../errors.ts";
import { isUuid, pagination, type PageInput, type Pagination } from "../../../contract/common.ts";
import type { CreateTeamUserInput, CreatedTeamUser, TeamUser } from "../../../contract/auth.ts";
import type { Role } from "../../../roles.ts";
import { asRole } from "../auth/issue-tokens.ts";
import { createUserRow } from "../auth/create-merchant-owner.ts";
import { hashPassword } from "../auth/passwords.ts";
import { randomSecret, sha256Hex } from "../auth/secrets.ts";
import { assertMayChangeOwner, assertMayGrant, LAST_OWNER } from "./team-rules.ts";

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

export interface TeamActor {
  merchantId: string;
  /** the caller's role (from the token): what it may do to owners */
  actorRole: Role;
}

export const toTeamUser = (u: User): TeamUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: asRole(u.role),
  status: u.passwordHash === null ? "invited" : "active",
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  createdAt: u.createdAt.toISOString(),
});

export async function listTeamUsers(db: Db, opts: { merchantId: string; page: PageInput }): Promise<{ data: TeamUser[]; pagination: Pagination }> {
  const where = { merchantId: opts.merchantId };
  const [rows, total] = await Promise.all([
    db.user.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip: opts.page.skip, take: opts.page.take }),
    db.user.count({ where }),
  ]);
  return { data: rows.map(toTeamUser), pagination: pagination(opts.page, total) };
}

/** With a password the user can sign in at once; without one the answer carries a one-time invite. */
export async function createTeamUser(db: Db, opts: TeamActor & { input: CreateTeamUserInput }): Promise<CreatedTeamUser> {
  const { input } = opts;
  assertMayGrant(opts.actorRole, input.role);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const user = await createUserRow(tx, { merchantId: opts.merchantId, email: input.email, name: input.name, role: input.role, passwordHash });
    if (passwordHash !== null) return toTeamUser(user);
    const inviteToken = randomSecret();
    const invite = await tx.invite.create({ data: { merchantId: opts.merchantId, userId: user.id, tokenHash: sha256Hex(inviteToken), expiresAt: new Date(Date.now() + INVITE_TTL_MS) } });
    return { ...toTeamUser(user), inviteToken, inviteExpiresAt: invite.expiresAt.toISOString() };
  });
}

/** A role change applies from the user's next refresh (access tokens carry the role until they expire). */
export async function updateTeamUser(db: Db, opts: TeamActor & { userId: string; role?: Role | undefined; name?: string | undefined }): Promise<TeamUser> {
  if (opts.role !== undefined) assertMayGrant(opts.actorRole, opts.role);
  return db.$transaction(async (tx) => {
    const target = await lockTeam(tx, opts.merchantId, opts.userId);
    if (opts.role !== undefined && opts.role !== target.role) {
      assertMayChangeOwner(opts.actorRole, target.role);
      if (target.role === "owner" && (await otherOwners(tx, opts.merchantId, target.id)) === 0) throw LAST_OWNER;
    }
    const user = await tx.user.update({ where: { id: target.id }, data: { ...(opts.role !== undefined ? { role: opts.role } : {}), ...(opts.name !== undefined ? { name: opts.name } : {}) } });
    return toTeamUser(user);
  });
}

/** Removes the user; their refresh tokens and invites go with the row (ON DELETE CASCADE), so no refresh works after. */
export async function removeTeamUser(db: Db, opts: TeamActor & { userId: string }): Promise<null> {
  await db.$transaction(async (tx) => {
    const target = await lockTeam(tx, opts.merchantId, opts.userId);
    assertMayChangeOwner(opts.actorRole, target.role);
    if (target.role === "owner" && (await otherOwners(tx, opts.merchantId, target.id)) === 0) throw LAST_OWNER;
    await tx.user.delete({ where: { id: target.id } });
  });
  return null;
}

/**
 * The target user, with the merchant's owner rows locked until the transaction ends, so two
 * owners demoting each other at once cannot leave the merchant with none. Another merchant's user is 404.
 */
async function lockTeam(tx: Tx, merchantId: string, userId: string): Promise<User> {
  if (!isUuid(userId)) throw notFound("User", userId);
  await tx.$queryRaw`SELECT id FROM users WHERE merchant_id = ${merchantId} AND (role = 'owner' OR id = ${userId}::uuid) ORDER BY id FOR UPDATE`;
  const target = await tx.user.findFirst({ where: { id: userId, merchantId } });
  if (!target) throw notFound("User", userId);
  return target;
}

/** Owners other than this one who can sign in (an owner still invited cannot run the merchant). */
const otherOwners = (tx: Tx, merchantId: string, userId: string) => tx.user.count({ where: { merchantId, role: "owner", id: { not: userId }, passwordHash: { not: null } } });
