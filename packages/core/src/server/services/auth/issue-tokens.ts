// An access token and a new refresh token for a user: the answer of login, refresh, signup and accept-invite.
import { randomUUID } from "node:crypto";
import type { Tx } from "@mkt-x/db";
import type { TokenPair } from "../../../contract/auth.ts";
import { ROLES, type Role } from "../../../roles.ts";
import type { SignInDeps } from "./deps.ts";
import { randomSecret, sha256Hex } from "./secrets.ts";

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

export const asRole = (role: string): Role => {
  const found = ROLES.find((r) => r === role);
  if (!found) throw new Error(`unknown role ${role}`);
  return found;
};

/** `familyId` continues a sign-in (refresh); without it a new family starts (login). */
export async function issueTokens(
  deps: Pick<SignInDeps, "issueAccessToken" | "accessTokenTtl">,
  tx: Tx,
  user: { id: string; merchantId: string; role: string },
  familyId: string = randomUUID(),
): Promise<TokenPair> {
  const refreshToken = randomSecret();
  await tx.refreshToken.create({ data: { userId: user.id, familyId, tokenHash: sha256Hex(refreshToken), expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS) } });
  const accessToken = await deps.issueAccessToken({ sub: user.id, merchantId: user.merchantId, role: asRole(user.role) });
  return { accessToken, refreshToken, expiresIn: deps.accessTokenTtl };
}
