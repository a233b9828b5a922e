// Random secrets we hand out (refresh tokens, invites, API keys) and how they are stored: only a
// sha256 digest, which is enough for 256-bit random values (nothing to brute-force, no salt needed).
import { createHash, randomBytes } from "node:crypto";

export const randomSecret = (bytes = 32) => randomBytes(bytes).toString("base64url");

export const sha256Hex = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");
