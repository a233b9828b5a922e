// X's webhook cryptography: the CRC challenge answer and the body signature both are
// "sha256=" + base64(HMAC-SHA256(key = consumer secret, message)).
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "sha256=";

const hmacSha256Base64 = (key: string, message: string | Buffer): string =>
  createHmac("sha256", key).update(message).digest("base64");

/** The `response_token` X expects back from `GET <webhook>?crc_token=…`. */
export function crcResponseToken(consumerSecret: string, crcToken: string): string {
  return PREFIX + hmacSha256Base64(consumerSecret, crcToken);
}

/** The `X-Twitter-Webhooks-Signature` value for a raw webhook body. */
export function signWebhookBody(consumerSecret: string, rawBody: string | Buffer): string {
  return PREFIX + hmacSha256Base64(consumerSecret, rawBody);
}

/**
 * Checks `X-Twitter-Webhooks-Signature` against the exact raw bytes received. Re-serialised JSON
 * would not do: key order and escaping differ, so always pass the body as it came off the wire.
 */
export function verifyWebhookSignature(consumerSecret: string, rawBody: string | Buffer, header: string | undefined): boolean {
  if (typeof header !== "string" || !header.startsWith(PREFIX)) return false;
  const expected = Buffer.from(signWebhookBody(consumerSecret, rawBody), "utf8");
  const received = Buffer.from(header, "utf8");
  // timingSafeEqual throws on unequal lengths; the length of a well-formed signature is public anyway.
  if (received.length !== expected.length) return false;
  return timingSafeEqual(received, expected);
}
