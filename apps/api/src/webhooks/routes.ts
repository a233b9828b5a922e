// Webhooks from X: CRC on GET, signed deliveries on POST. The signature is checked over the raw
// bytes, so this scope parses JSON itself after verifying.
import type { FastifyInstance } from "fastify";
import { AppError } from "@mkt-x/core";
import { X_APP_NOT_CONFIGURED, type WebhookIngestor } from "@mkt-x/core/server";
import { crcResponseToken, verifyWebhookSignature } from "@mkt-x/twitter";

export interface WebhookDeps {
  ingestor: WebhookIngestor;
  /** empty when the X app is not configured: then CRC answers 503 and no delivery can be verified */
  consumerSecret: string;
}

export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  const crc = async (request: { query: unknown }) => {
    if (!deps.consumerSecret) throw new AppError("SERVICE_UNAVAILABLE", X_APP_NOT_CONFIGURED);
    const token = (request.query as { crc_token?: unknown }).crc_token;
    if (typeof token !== "string" || token.length === 0) throw new AppError("VALIDATION_ERROR", "crc_token is required", { field: "crc_token", reason: "missing" });
    return { response_token: crcResponseToken(deps.consumerSecret, token) };
  };
  app.get("/webhooks/verify", crc);
  app.get("/webhooks/twitter", crc);

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
