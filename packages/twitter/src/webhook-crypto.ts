// X's webhook cryptography: the CRC challenge answer and the body signature both are
// "sha256=" + base64(HMAC-SHA256(key = consumer secret, message)).
//
// The same key and the same construction on both sides make the CRC endpoint a signing oracle
// unless the two message spaces are kept apart: anyone could send a delivery body as `crc_token`
// and use the answer as that delivery's signature. They are disjoint by construction here:
//   - a CRC token is 1 to 255 characters of [A-Za-z0-9+/=_-] (X's tokens are short base64 or
//     base64url strings), and nothing else is ever answered (`parseCrcToken`);
//   - a delivery is a JSON object, so its body holds a `{`, which no CRC token can; a body without
//     one (and so every string the CRC route would sign) never verifies (`verifyWebhookSignature`).
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "sha256=";
const CRC_TOKEN = /^[A-Za-z0-9+/=_-]{1,255}$/;

declare const crcTokenBrand: unique symbol;
/** A value that may be answered as a CRC challenge: only `parseCrcToken` makes one. */
export type CrcToken = string & { readonly [crcTokenBrand]: true };

/** The token when it is shaped like X's CRC tokens, else null (answer 400). */
export function parseCrcToken(value: unknown): CrcToken | null {
  return typeof value === "string" && CRC_TOKEN.test(value) ? (value as CrcToken) : null;
}

const hmacSha256Base64 = (key: string, message: string | Buffer): string =>
  createHmac("sha256", key).update(message).digest("base64");

/** The `response_token` X expects back from `GET <webhook>?crc_token=…`. */
export function crcResponseToken(consumerSecret: string, crcToken: CrcToken): string {
  // checked again here, so no caller can turn this into a signer of arbitrary bytes
  if (parseCrcToken(crcToken) === null) throw new TypeError("not a CRC token");
  return PREFIX + hmacSha256Base64(consumerSecret, crcToken);
}

/** The `X-Twitter-Webhooks-Signature` value for a raw webhook body. */
export function signWebhookBody(consumerSecret: string, rawBody: string | Buffer): string {
  return PREFIX + hmacSha256Base64(consumerSecret, rawBody);
}

const OPEN_BRACE = 0x7b;

/**
 * Checks `X-Twitter-Webhooks-Signature` against the exact raw bytes received. Re-serialised JSON
 * would not do: key order and escaping differ, so always pass the body as it came off the wire.
 * A body that is not a JSON object (no `{`) never verifies: such bytes are what the CRC route signs.
 */
export function verifyWebhookSignature(consumerSecret: string, rawBody: string | Buffer, header: string | undefined): boolean {
  if (typeof header !== "string" || !header.startsWith(PREFIX)) return false;
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;
  if (!body.includes(OPEN_BRACE)) return false;
  const expected = Buffer.from(signWebhookBody(consumerSecret, body), "utf8");
  const received = Buffer.from(header, "utf8");
  // timingSafeEqual throws on unequal lengths; the length of a well-formed signature is public anyway.
  if (received.length !== expected.length) return false;
  return timingSafeEqual(received, expected);
}
