import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { crcResponseToken, signWebhookBody, verifyWebhookSignature } from "../src/webhook-crypto.ts";

const independent = (key: string, message: string | Buffer) => "sha256=" + createHmac("sha256", key).update(message).digest("base64");

describe("crcResponseToken", () => {
  it("matches a fixed vector (key 'secret', token 'challenge')", () => {
    expect(crcResponseToken("secret", "challenge")).toBe("sha256=oeUF6Wxqoezggrue+wbIDxKRPSF6esKwizR2MHh9HaA=");
  });

  it.each([
    ["consumer-secret", "abc123"],
    ["kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "Zm9vYmFy-_~.crc"],
    ["ünïcødé secret", "ümläut token ☃"],
    ["s", ""],
  ])("equals sha256= + base64 HMAC-SHA256 for %j / %j", (secret, token) => {
    expect(crcResponseToken(secret, token)).toBe(independent(secret, token));
  });

  it("depends on the secret and the token", () => {
    expect(crcResponseToken("a", "t")).not.toBe(crcResponseToken("b", "t"));
    expect(crcResponseToken("a", "t")).not.toBe(crcResponseToken("a", "u"));
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
