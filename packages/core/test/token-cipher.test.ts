import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTokenCipher, parseEncryptionKey, parsePreviousKeys } from "../src/server/token-cipher.ts";

describe("token cipher", () => {
  const cipher = createTokenCipher(randomBytes(32));

  it("round-trips and never stores the plaintext", () => {
    const stored = cipher.encrypt("123-secret-token");
    expect(stored.startsWith("v1:")).toBe(true);
    expect(stored).not.toContain("123-secret-token");
    expect(cipher.decrypt(stored)).toBe("123-secret-token");
  });

  it("uses a fresh IV each time", () => {
    expect(cipher.encrypt("same")).not.toBe(cipher.encrypt("same"));
  });

  it("refuses tampered ciphertext and another key", () => {
    const stored = cipher.encrypt("token");
    const raw = Buffer.from(stored.slice(3), "base64");
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => cipher.decrypt(`v1:${raw.toString("base64")}`)).toThrow();
    expect(() => createTokenCipher(randomBytes(32)).decrypt(stored)).toThrow();
  });

  it("wants a 32-byte key", () => {
    expect(() => parseEncryptionKey(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
    expect(parseEncryptionKey(randomBytes(32).toString("base64"))).toHaveLength(32);
  });
});

describe("rotating the key", () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it("decrypts with a previous key and encrypts with the current one", () => {
    const stored = createTokenCipher(oldKey).encrypt("token under the old key");
    const rotating = createTokenCipher(newKey, [oldKey]);
    expect(rotating.decrypt(stored)).toBe("token under the old key");
    expect(rotating.isCurrent(stored)).toBe(false);
    const again = rotating.encrypt("token under the old key");
    expect(rotating.isCurrent(again)).toBe(true);
    expect(() => createTokenCipher(oldKey).decrypt(again)).toThrow();
    // a key neither current nor previous still fails
    expect(() => createTokenCipher(randomBytes(32), [randomBytes(32)]).decrypt(stored)).toThrow();
  });

  it("refuses a shortened authentication tag (GCM would check only the bytes given)", () => {
    const cipher = createTokenCipher(oldKey);
    const raw = Buffer.from(cipher.encrypt("").slice(3), "base64");
    // the IV and 8 bytes of tag, nothing else: a forger's 2^-64 instead of 2^-128
    const short = raw.subarray(0, 20);
    expect(() => cipher.decrypt(`v1:${short.toString("base64")}`)).toThrow(/truncated/);
    expect(() => cipher.decrypt("v1:AAAA")).toThrow(/truncated/);
  });

  it("reads previous keys from a comma-separated list", () => {
    expect(parsePreviousKeys(undefined)).toEqual([]);
    expect(parsePreviousKeys(" ")).toEqual([]);
    expect(parsePreviousKeys(`${oldKey.toString("base64")}, ${newKey.toString("base64")}`)).toEqual([oldKey, newKey]);
    expect(() => parsePreviousKeys("c2hvcnQ=")).toThrow(/32-byte/);
  });
});
