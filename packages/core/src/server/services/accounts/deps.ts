import type { XClient, XCredentials } from "../../../ports/x-client.ts";
import type { TokenCipher } from "../../token-cipher.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import type { Db } from "@mkt-x/db";
import type { JobQueue } from "../../jobs/queue.ts";

export interface AccountDeps {
  merchantId: string;
  db: ScopedDb;
  /** unscoped, for the transaction that resumes a reconnected account's work and enqueues its jobs */
  rootDb: Db;
  queue: JobQueue;
  x: XClient;
  cipher: TokenCipher;
  /** where X should deliver Account Activity webhooks for this deployment */
  webhookUrl: string;
  log: { warn: (obj: object, msg: string) => void };
}

export function accountCredentials(cipher: TokenCipher, a: { accessTokenEnc: string | null; accessSecretEnc: string | null }): XCredentials | null {
  if (!a.accessTokenEnc || !a.accessSecretEnc) return null;
  return { accessToken: cipher.decrypt(a.accessTokenEnc), accessSecret: cipher.decrypt(a.accessSecretEnc) };
}

/** A short, secret-free description of a failure for logs and the account's lastError. */
export const describeError = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : "unknown error").slice(0, 500);
