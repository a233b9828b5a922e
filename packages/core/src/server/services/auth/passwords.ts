// Passwords as argon2id PHC strings (@node-rs/argon2 defaults: m=19 MiB, t=2, p=1, OWASP's minimum).
import { hash, verify } from "@node-rs/argon2";
import { randomSecret } from "./secrets.ts";

/** Algorithm.Argon2id: the package exports it as a const enum, which isolated modules cannot read */
const ARGON2ID = 2;

export const hashPassword = (password: string) => hash(password, { algorithm: ARGON2ID });

let dummy: Promise<string> | null = null;
/**
 * A hash of nothing anyone knows, verified against when there is no user (or no password yet), so
 * an unknown email costs the same time as a wrong password. Call once at start to have it ready.
 */
export const dummyPasswordHash = () => (dummy ??= hashPassword(randomSecret()));

/** True when the password matches; a missing hash costs a verification all the same. */
export async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  const target = stored ?? (await dummyPasswordHash());
  try {
    const ok = await verify(target, password);
    return ok && stored !== null;
  } catch {
    // a malformed stored hash is a mismatch, never a 500 that tells the caller the account exists
    return false;
  }
}
