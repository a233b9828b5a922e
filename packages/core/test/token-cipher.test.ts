import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTokenCipher, parseEncryptionKey } from "../src/server/token-cipher.ts";

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
