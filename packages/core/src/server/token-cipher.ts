// AES-256-GCM for secrets at rest (X OAuth tokens, webhook signing secrets). Stored form:
// "v1:" + base64(iv(12) | tag(16) | ciphertext). The tag length is pinned: a shortened tag (which
// GCM would otherwise accept, weakening forgery resistance) is refused.
//
// Key rotation: the cipher encrypts with the current key and decrypts with it or with any previous
// key (TOKEN_ENCRYPTION_KEY_PREVIOUS), so processes keep working while `pnpm keys:rotate`
// re-encrypts what is stored; then the previous keys are dropped.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface TokenCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  /** true when the current key (not a previous one) decrypts it: nothing to rotate */
  isCurrent(stored: string): boolean;
}

export function parseEncryptionKey(base64: string): Buffer {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new Error("TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded");
  return key;
}

/** TOKEN_ENCRYPTION_KEY_PREVIOUS: comma-separated base64 keys, blank for none. */
export function parsePreviousKeys(list: string | undefined): Buffer[] {
  return (list ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => {
      const key = Buffer.from(k, "base64");
      if (key.length !== 32) throw new Error("TOKEN_ENCRYPTION_KEY_PREVIOUS must be comma-separated 32-byte keys, base64-encoded");
      return key;
    });
}

function decryptWith(key: Buffer, stored: string): string {
  if (!stored.startsWith("v1:")) throw new Error("unknown token ciphertext version");
  const raw = Buffer.from(stored.slice(3), "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("token ciphertext is truncated");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
}

export function createTokenCipher(key: Buffer, previousKeys: readonly Buffer[] = []): TokenCipher {
  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    },
    decrypt(stored) {
      try {
        return decryptWith(key, stored);
      } catch (current) {
        for (const previous of previousKeys) {
          try {
            return decryptWith(previous, stored);
          } catch {
            // not this one either
          }
        }
        throw current;
      }
    },
    isCurrent(stored) {
      try {
        decryptWith(key, stored);
        return true;
      } catch {
        return false;
      }
    },
  };
}
