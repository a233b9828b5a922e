// AES-256-GCM for secrets at rest (X OAuth tokens, webhook signing secrets). Stored form:
// "v2:" + base64(iv(12) | tag(16) | ciphertext), authenticated together with the place it belongs to
// (`secretPlace`: table, column and row key as additional authenticated data), so a ciphertext copied
// into another row — another merchant's account, another subscription — does not decrypt there.
// "v1:" is the same without a place (written before places existed, and by test fixtures): still
// read; `pnpm keys:rotate` rewrites every v1 value as v2. The tag length is pinned: a shortened tag
// (which GCM would otherwise accept, weakening forgery resistance) is refused.
//
// Key rotation: the cipher encrypts with the current key and decrypts with it or with any previous
// key (TOKEN_ENCRYPTION_KEY_PREVIOUS), so processes keep working while `pnpm keys:rotate`
// re-encrypts what is stored; then the previous keys are dropped.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface TokenCipher {
  /** bound to `place` (v2) when given; without one, a v1 value that any row would accept */
  encrypt(plain: string, place?: string): string;
  /** a v2 value decrypts only at the place it was written for */
  decrypt(stored: string, place?: string): string;
  /** true when it is bound to `place` and the current key (not a previous one) decrypts it: nothing to rotate */
  isCurrent(stored: string, place: string): boolean;
}

/** Where a secret is stored, as the additional authenticated data of its ciphertext. */
export const secretPlace = (table: string, column: string, rowKey: string): string => `${table}.${column}:${rowKey}`;

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

function decryptWith(key: Buffer, stored: string, place: string | undefined): string {
  const version = stored.slice(0, 3);
  if (version !== "v1:" && version !== "v2:") throw new Error("unknown token ciphertext version");
  if (version === "v2:" && place === undefined) throw new Error("this ciphertext is bound to a place: name it to decrypt");
  const raw = Buffer.from(stored.slice(3), "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("token ciphertext is truncated");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  if (version === "v2:") decipher.setAAD(Buffer.from(place!, "utf8"));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
}

export function createTokenCipher(key: Buffer, previousKeys: readonly Buffer[] = []): TokenCipher {
  return {
    encrypt(plain, place) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      if (place !== undefined) cipher.setAAD(Buffer.from(place, "utf8"));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${place === undefined ? "v1" : "v2"}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    },
    decrypt(stored, place) {
      try {
        return decryptWith(key, stored, place);
      } catch (current) {
        for (const previous of previousKeys) {
          try {
            return decryptWith(previous, stored, place);
          } catch {
            // not this one either
          }
        }
        throw current;
      }
    },
    isCurrent(stored, place) {
      if (!stored.startsWith("v2:")) return false;
      try {
        decryptWith(key, stored, place);
        return true;
      } catch {
        return false;
      }
    },
  };
}
