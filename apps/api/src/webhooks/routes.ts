// Webhooks from X: CRC on GET, signed deliveries on POST. The signature is checked over the raw
// bytes, so this scope parses JSON itself after verifying.
import type { FastifyInstance } from "fastify";
import rateLimit from "@fastify/rate-limit";
import { AppError } from "@mkt-x/core";
import { X_APP_NOT_CONFIGURED, type WebhookIngestor } from "@mkt-x/core/server";
import { crcResponseToken, parseCrcToken, verifyWebhookSignature } from "@mkt-x/twitter";

export interface WebhookDeps {
  ingestor: WebhookIngestor;
  /** empty when the X app is not configured: then CRC answers 503 and no delivery can be verified */
  consumerSecret: string;
  /** CRC challenges answered per client address per minute (X asks on registration and hourly) */
  crcPerMinute?: number;
}

export const CRC_PER_MINUTE = 30;

export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  // Only token-shaped values are answered: the answer is an HMAC under the same key as delivery
  // signatures, and no token-shaped value can be a delivery body (see @mkt-x/twitter's webhook-crypto).
  const crc = async (request: { query: unknown }) => {
    if (!deps.consumerSecret) throw new AppError("SERVICE_UNAVAILABLE", X_APP_NOT_CONFIGURED);
    const raw = (request.query as { crc_token?: unknown }).crc_token;
    if (raw === undefined || raw === "") throw new AppError("VALIDATION_ERROR", "crc_token is required", { field: "crc_token", reason: "missing" });
    const token = parseCrcToken(raw);
    if (token === null) throw new AppError("VALIDATION_ERROR", "crc_token must be 1 to 255 characters of A-Z, a-z, 0-9, +, /, =, _ or -", { field: "crc_token", reason: "malformed" });
    return { response_token: crcResponseToken(deps.consumerSecret, token) };
  };
  // Each client address gets a few CRC answers a minute over both routes together: X needs one an
  // hour per webhook (and one on registration).
  await app.register(async (crcScope) => {
    await crcScope.register(rateLimit, {
      max: deps.crcPerMinute ?? CRC_PER_MINUTE,
      timeWindow: 60_000,
      errorResponseBuilder: (_req, ctx) => new AppError("RATE_LIMIT_EXCEEDED", `Too many CRC requests: ${ctx.max} per minute; retry in ${ctx.after}`),
    });
    crcScope.get("/webhooks/verify", crc);
    crcScope.get("/webhooks/twitter", crc);
  });

  app.post("/webhooks/twitter", async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    // an empty key would make signatures anyone can compute: refuse like a wrong one, store nothing
    if (!deps.consumerSecret) throw new AppError("UNAUTHORIZED", `${X_APP_NOT_CONFIGURED}: no signature can be verified`);
    const signature = request.headers["x-twitter-webhooks-signature"];
    if (!verifyWebhookSignature(deps.consumerSecret, raw, typeof signature === "string" ? signature : undefined)) {
      throw new AppError("UNAUTHORIZED", "Missing or invalid X-Twitter-Webhooks-Signature");
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new AppError("VALIDATION_ERROR", "Malformed JSON body");
    }
    const result = await deps.ingestor.ingest(body);
    return { success: true, data: result };
  });
}
