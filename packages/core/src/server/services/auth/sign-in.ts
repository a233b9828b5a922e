// POST /api/v1/auth/login, /refresh, /logout and GET /me (CONTRACT.md "Signing in").
import { AppError } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { LoginInput, Me, TokenPair } from "../../../contract/auth.ts";
import type { SignInDeps } from "./deps.ts";
import { asRole, issueTokens } from "./issue-tokens.ts";
import { checkPassword } from "./passwords.ts";
import { sha256Hex } from "./secrets.ts";
import { clearLoginFailures, lockEmailForAttempt, lockedUntil, recordLoginFailure } from "./login-throttle.ts";

/** One message for an unknown email and a wrong password: the answer must not tell them apart. */
export const WRONG_CREDENTIALS = "Invalid email or password";
export const INVALID_REFRESH_TOKEN = "Invalid or expired refresh token";

export async function login(deps: SignInDeps, input: LoginInput): Promise<TokenPair> {
  // The attempt is counted as a failure before the password is checked (and forgiven on success),
  // in a short transaction serialised per email: parallel guesses cannot slip past the count, and
  // no database connection is held while argon2 works.
  const attempt = await deps.db.$transaction(async (tx) => {
    await lockEmailForAttempt(tx, input.email);
    const until = await lockedUntil(tx, input.email);
    if (until) return { locked: until };
    await recordLoginFailure(tx, input.email);
    return { locked: null };
  });
  if (attempt.locked) {
    const retryAfterSeconds = Math.max(1, Math.ceil((attempt.locked.getTime() - Date.now()) / 1000));
    throw new AppError("RATE_LIMIT_EXCEEDED", `Too many failed sign-ins for this email; try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`, { field: "email", reason: "locked after 5 failed sign-ins in 15 minutes", retryAfterSeconds });
  }
  const user = await deps.db.user.findUnique({ where: { email: input.email } });
  // verified even without a user or a password, so both cost the same time
  const ok = await checkPassword(user?.passwordHash ?? null, input.password);
  if (!ok || !user) throw new AppError("UNAUTHORIZED", WRONG_CREDENTIALS);
  return deps.db.$transaction(async (tx) => {
    await clearLoginFailures(tx, input.email);
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    return issueTokens(deps, tx, user);
  });
}

/**
 * Spends the refresh token and issues the next pair of its family. A spent token presented again
 * means two parties hold it: the whole family is revoked, so the thief's and the owner's sessions end.
 */
export async function refresh(deps: SignInDeps, input: { refreshToken: string }): Promise<TokenPair> {
  const tokenHash = sha256Hex(input.refreshToken);
  const tokens = await deps.db.$transaction(async (tx) => {
    const spent = await tx.$queryRaw<{ user_id: string; family_id: string }[]>`
      UPDATE refresh_tokens SET used_at = now()
      WHERE token_hash = ${tokenHash} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING user_id::text, family_id::text`;
    const row = spent[0];
    if (!row) return null;
    const user = await tx.user.findUnique({ where: { id: row.user_id } });
    if (!user) return null;
    return issueTokens(deps, tx, user, row.family_id);
  });
  if (tokens) return tokens;
  await revokeFamilyIfSpent(deps, tokenHash);
  throw new AppError("UNAUTHORIZED", INVALID_REFRESH_TOKEN);
}

/** Revokes the refresh token (its session ends). Anything but a live token is a 401, like refresh. */
export async function logout(deps: Pick<SignInDeps, "db">, input: { refreshToken: string }): Promise<null> {
  const tokenHash = sha256Hex(input.refreshToken);
  const revoked = await deps.db.$executeRaw`
    UPDATE refresh_tokens SET revoked_at = now()
    WHERE token_hash = ${tokenHash} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()`;
  if (revoked === 1) return null;
  await revokeFamilyIfSpent(deps, tokenHash);
  throw new AppError("UNAUTHORIZED", INVALID_REFRESH_TOKEN);
}

async function revokeFamilyIfSpent(deps: Pick<SignInDeps, "db">, tokenHash: string) {
  const found = await deps.db.refreshToken.findUnique({ where: { tokenHash }, select: { familyId: true, usedAt: true } });
  if (found?.usedAt) await deps.db.refreshToken.updateMany({ where: { familyId: found.familyId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** The signed-in user as stored now (name, role); a token of no user of ours (another IAM, an API key) is a 401. */
export async function getMe(deps: Pick<SignInDeps, "db">, opts: { userId: string; merchantId: string }): Promise<Me> {
  const user = isUuid(opts.userId) ? await deps.db.user.findFirst({ where: { id: opts.userId, merchantId: opts.merchantId } }) : null;
  if (!user) throw new AppError("UNAUTHORIZED", "This token does not belong to a user of this service");
  return { id: user.id, email: user.email, name: user.name, merchantId: user.merchantId, role: asRole(user.role) };
}
