import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTokenCipher, parseEncryptionKey, parsePreviousKeys, secretPlace } from "../src/server/token-cipher.ts";

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

  it("binds a ciphertext to the row it was written for: copied into another row it does not decrypt", () => {
    const mine = secretPlace("x_accounts", "access_token_enc", "a1");
    const stored = cipher.encrypt("token of a1", mine);
    expect(stored.startsWith("v2:")).toBe(true);
    expect(cipher.decrypt(stored, mine)).toBe("token of a1");
    expect(() => cipher.decrypt(stored, secretPlace("x_accounts", "access_token_enc", "a2"))).toThrow();
    expect(() => cipher.decrypt(stored, secretPlace("x_accounts", "access_secret_enc", "a1"))).toThrow();
    expect(() => cipher.decrypt(stored)).toThrow(/bound to a place/);
    // relabelled as an unbound v1 value it fails too: the place is part of the tag
    expect(() => cipher.decrypt(`v1:${stored.slice(3)}`, mine)).toThrow();
  });

  it("still reads values written before places (v1), wherever they are", () => {
    const legacy = cipher.encrypt("old token");
    expect(legacy.startsWith("v1:")).toBe(true);
    expect(cipher.decrypt(legacy, secretPlace("x_accounts", "access_token_enc", "a1"))).toBe("old token");
    expect(cipher.isCurrent(legacy, secretPlace("x_accounts", "access_token_enc", "a1"))).toBe(false);
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
    const place = secretPlace("webhook_subscriptions", "secret_enc", "s1");
    const stored = createTokenCipher(oldKey).encrypt("token under the old key", place);
    const rotating = createTokenCipher(newKey, [oldKey]);
    expect(rotating.decrypt(stored, place)).toBe("token under the old key");
    expect(rotating.isCurrent(stored, place)).toBe(false);
    const again = rotating.encrypt("token under the old key", place);
    expect(rotating.isCurrent(again, place)).toBe(true);
    expect(rotating.isCurrent(again, secretPlace("webhook_subscriptions", "secret_enc", "s2"))).toBe(false);
    expect(() => createTokenCipher(oldKey).decrypt(again, place)).toThrow();
    // a key neither current nor previous still fails
    expect(() => createTokenCipher(randomBytes(32), [randomBytes(32)]).decrypt(stored, place)).toThrow();
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
