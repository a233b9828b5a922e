import type { Db } from "@mkt-x/db";
import type { Role } from "../../../roles.ts";

export interface AccessClaims {
  sub: string;
  merchantId: string;
  role: Role;
}

/** What signing in needs: the database and how the API signs its access tokens (a JWT of CONTRACT.md's "Bearer tokens"). */
export interface SignInDeps {
  db: Db;
  issueAccessToken: (claims: AccessClaims) => Promise<string>;
  /** seconds an access token lives (ACCESS_TOKEN_TTL) */
  accessTokenTtl: number;
}
