// `pnpm keys:rotate`: re-encrypts every stored secret (X tokens, webhook signing secrets, pending
// connect requests, …) under TOKEN_ENCRYPTION_KEY. The steps, with the service running:
//   1. restart API and workers with the new key in TOKEN_ENCRYPTION_KEY and the old one in
//      TOKEN_ENCRYPTION_KEY_PREVIOUS (both decrypt; new writes use the new key);
//   2. run this with the same three variables (DATABASE_URL too);
//   3. when it reports no failures, drop TOKEN_ENCRYPTION_KEY_PREVIOUS and restart.
// Prints a JSON report per column; exits 1 when a value no key decrypts (listed by row id).
import { existsSync } from "node:fs";
import pg from "pg";
import { createTokenCipher, loadDevEnvFile, parseEncryptionKey, parsePreviousKeys, rotateEncryptionKey } from "@mkt-x/core/server";
import { ENV_FILE } from "./lib/dev-secrets.ts";

function fail(message: string): never {
  console.error(`keys:rotate: ${message}`);
  process.exit(1);
}

if (process.env.NODE_ENV !== "production" && existsSync(ENV_FILE)) loadDevEnvFile(ENV_FILE);
const url = process.env.DATABASE_URL;
if (!url) fail("DATABASE_URL is required");
let cipher;
try {
  const previous = parsePreviousKeys(process.env.TOKEN_ENCRYPTION_KEY_PREVIOUS);
  if (previous.length === 0) fail("TOKEN_ENCRYPTION_KEY_PREVIOUS is required: the key (or comma-separated keys) the stored secrets are encrypted with now");
  cipher = createTokenCipher(parseEncryptionKey(process.env.TOKEN_ENCRYPTION_KEY ?? ""), previous);
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}

const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  const report = await rotateEncryptionKey(pool, cipher);
  console.log(JSON.stringify(report, null, 2));
  const failed = Object.values(report.columns).reduce((n, c) => n + c.failed, 0);
  if (failed > 0) {
    console.error(`keys:rotate: ${failed} value(s) decrypt with none of the keys given (row ids above); they stay as they are`);
    process.exitCode = 1;
  }
} finally {
  await pool.end();
}
