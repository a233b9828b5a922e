import type { XClient, XCredentials } from "../../../ports/x-client.ts";
import { secretPlace, type TokenCipher } from "../../token-cipher.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import type { JobQueue } from "../../jobs/queue.ts";

export interface AccountDeps {
  merchantId: string;
  db: ScopedDb;
  queue: JobQueue;
  x: XClient;
  cipher: TokenCipher;
  /** where X should deliver Account Activity webhooks for this deployment */
  webhookUrl: string;
  log: { warn: (obj: object, msg: string) => void };
}

/** Where an account's two tokens are stored: their ciphertexts are bound to that row. */
export const accountTokenPlaces = (accountId: string) => ({
  accessToken: secretPlace("x_accounts", "access_token_enc", accountId),
  accessSecret: secretPlace("x_accounts", "access_secret_enc", accountId),
});

export function accountCredentials(cipher: TokenCipher, a: { id: string; accessTokenEnc: string | null; accessSecretEnc: string | null }): XCredentials | null {
  if (!a.accessTokenEnc || !a.accessSecretEnc) return null;
  const places = accountTokenPlaces(a.id);
  return { accessToken: cipher.decrypt(a.accessTokenEnc, places.accessToken), accessSecret: cipher.decrypt(a.accessSecretEnc, places.accessSecret) };
}

/** A short, secret-free description of a failure for logs and the account's lastError. */
export const describeError = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : "unknown error").slice(0, 500);
