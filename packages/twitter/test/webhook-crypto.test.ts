import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { crcResponseToken, parseCrcToken, signWebhookBody, verifyWebhookSignature, type CrcToken } from "../src/webhook-crypto.ts";

const crc = (t: string): CrcToken => {
  const token = parseCrcToken(t);
  if (token === null) throw new Error(`not a CRC token: ${t}`);
  return token;
};

const independent = (key: string, message: string | Buffer) => "sha256=" + createHmac("sha256", key).update(message).digest("base64");

describe("crcResponseToken", () => {
  it("matches a fixed vector (key 'secret', token 'challenge')", () => {
    expect(crcResponseToken("secret", crc("challenge"))).toBe("sha256=oeUF6Wxqoezggrue+wbIDxKRPSF6esKwizR2MHh9HaA=");
  });

  it.each([
    ["consumer-secret", "abc123"],
    ["kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "Zm9vYmFy-_crc=="],
    ["ünïcødé secret", "a+b/c="],
    ["s", "x".repeat(255)],
  ])("equals sha256= + base64 HMAC-SHA256 for %j / %j", (secret, token) => {
    expect(crcResponseToken(secret, crc(token))).toBe(independent(secret, token));
  });

  it("depends on the secret and the token", () => {
    expect(crcResponseToken("a", crc("t"))).not.toBe(crcResponseToken("b", crc("t")));
    expect(crcResponseToken("a", crc("t"))).not.toBe(crcResponseToken("a", crc("u")));
  });
});

describe("CRC tokens and delivery signatures cannot be confused", () => {
  it("accepts only 1 to 255 characters of [A-Za-z0-9+/=_-] as a CRC token", () => {
    for (const ok of ["T", "challenge-123", "Zm9v+YmFy/==", "a_b-c", "x".repeat(255)]) expect(parseCrcToken(ok)).toBe(ok);
    for (const bad of ["", "x".repeat(256), "a b", "a.b", "a~b", '{"a":1}', "tok\n", "ümläut", undefined, 42, ["T"]]) expect(parseCrcToken(bad)).toBeNull();
  });

  it("never signs what is not a CRC token, even when a caller forces the type", () => {
    const body = JSON.stringify({ for_user_id: "1" });
    expect(() => crcResponseToken("secret", body as CrcToken)).toThrow(TypeError);
  });

  it("never verifies a body that is not a JSON object, even when the signature is right", () => {
    // exactly what the CRC route would have signed: a token-shaped body
    for (const body of ["T", "challenge-123", "W10=", "[]", "\"text\"", "42"]) {
      expect(verifyWebhookSignature("secret", body, independent("secret", body))).toBe(false);
    }
    const object = '{"for_user_id":"1"}';
    expect(verifyWebhookSignature("secret", object, independent("secret", object))).toBe(true);
  });
});

describe("webhook signatures", () => {
  const secret = "consumer-secret";
  const body = JSON.stringify({ for_user_id: "1", direct_message_events: [{ id: "2", text: "héllo ☃" }] });

  it("signs the raw body like X (string and Buffer agree)", () => {
    expect(signWebhookBody(secret, body)).toBe(independent(secret, body));
    expect(signWebhookBody(secret, Buffer.from(body, "utf8"))).toBe(independent(secret, body));
  });

  it("accepts the right signature over the exact bytes", () => {
    const header = independent(secret, body);
    expect(verifyWebhookSignature(secret, body, header)).toBe(true);
    expect(verifyWebhookSignature(secret, Buffer.from(body), header)).toBe(true);
  });

  it("rejects a signature made with another secret", () => {
    expect(verifyWebhookSignature(secret, body, independent("other-secret", body))).toBe(false);
  });

  it("rejects a tampered body, even one that parses to the same JSON", () => {
    const header = signWebhookBody(secret, body);
    expect(verifyWebhookSignature(secret, body.replace("héllo", "hello"), header)).toBe(false);
    expect(verifyWebhookSignature(secret, JSON.stringify(JSON.parse(body), null, 1), header)).toBe(false);
  });

  it("rejects a missing, empty or malformed header without throwing", () => {
    const digest = signWebhookBody(secret, body).slice("sha256=".length);
    expect(verifyWebhookSignature(secret, body, undefined)).toBe(false);
    expect(verifyWebhookSignature(secret, body, "")).toBe(false);
    expect(verifyWebhookSignature(secret, body, digest)).toBe(false);
    expect(verifyWebhookSignature(secret, body, "sha1=" + digest)).toBe(false);
    expect(verifyWebhookSignature(secret, body, "SHA256=" + digest)).toBe(false);
  });

  it("rejects wrong-length signatures without throwing", () => {
    const header = signWebhookBody(secret, body);
    expect(verifyWebhookSignature(secret, body, header.slice(0, -1))).toBe(false);
    expect(verifyWebhookSignature(secret, body, header + "A")).toBe(false);
    expect(verifyWebhookSignature(secret, body, "sha256=")).toBe(false);
  });
});
