// POST /api/v1/auth/signup (SIGNUP_ENABLED) and /accept-invite: both end signed in, like login.
import { AppError } from "../../../errors.ts";
import type { AcceptInviteInput, SignupInput, TokenPair } from "../../../contract/auth.ts";
import type { SignInDeps } from "./deps.ts";
import { createMerchantWithOwner } from "./create-merchant-owner.ts";
import { issueTokens } from "./issue-tokens.ts";
import { hashPassword } from "./passwords.ts";
import { sha256Hex } from "./secrets.ts";

export const INVALID_INVITE = "Invalid, used or expired invite";

export async function signup(deps: SignInDeps, input: SignupInput): Promise<TokenPair> {
  const { userId } = await createMerchantWithOwner(deps.db, input);
  return deps.db.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id: userId }, data: { lastLoginAt: new Date() } });
    return issueTokens(deps, tx, user);
  });
}

/** Sets the invited user's password; the invite is spent whatever happens next. */
export async function acceptInvite(deps: SignInDeps, input: AcceptInviteInput): Promise<TokenPair> {
  const tokenHash = sha256Hex(input.inviteToken);
  const pending = await deps.db.invite.findUnique({ where: { tokenHash } });
  if (!pending || pending.acceptedAt || pending.expiresAt <= new Date()) throw new AppError("UNAUTHORIZED", INVALID_INVITE);
  const passwordHash = await hashPassword(input.password);
  const tokens = await deps.db.$transaction(async (tx) => {
    // spent atomically: of two parallel accepts, one wins
    const spent = await tx.invite.updateMany({ where: { id: pending.id, acceptedAt: null, expiresAt: { gt: new Date() } }, data: { acceptedAt: new Date() } });
    if (spent.count !== 1) return null;
    const user = await tx.user.update({ where: { id: pending.userId }, data: { passwordHash, lastLoginAt: new Date() } });
    return issueTokens(deps, tx, user);
  });
  if (!tokens) throw new AppError("UNAUTHORIZED", INVALID_INVITE);
  return tokens;
}
