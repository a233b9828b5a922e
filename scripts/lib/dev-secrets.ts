// Development secrets: generated once into .data/ so tokens and encrypted rows survive restarts.
// Production passes JWT_SECRET and TOKEN_ENCRYPTION_KEY explicitly.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

export const ROOT = join(import.meta.dirname, "..", "..");
export const DATA_DIR = join(ROOT, ".data");
/** the development `.env`, at the repository root whatever the working directory */
export const ENV_FILE = join(ROOT, ".env");

export interface DevSecrets {
  JWT_SECRET: string;
  TOKEN_ENCRYPTION_KEY: string;
}

export function devSecrets(): DevSecrets {
  const file = join(DATA_DIR, "dev-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as DevSecrets;
  mkdirSync(DATA_DIR, { recursive: true });
  const secrets = { JWT_SECRET: randomBytes(32).toString("base64url"), TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export const DEMO_MERCHANT_ID = "00000000-0000-4000-8000-000000000001";
export const DEMO_USER_ID = "00000000-0000-4000-8000-0000000000aa";
export const SANDBOX_CONSUMER_KEY = "sandbox-consumer-key";
export const SANDBOX_CONSUMER_SECRET = "sandbox-consumer-secret";
