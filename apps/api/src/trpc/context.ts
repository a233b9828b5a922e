import type { FastifyReply, FastifyRequest } from "fastify";
import type { Db } from "@mkt-x/db";
import type { JobQueue, SendWindowLimits, TargetPolicy, TokenCipher, WebhookIngestor, XConnectSettings } from "@mkt-x/core/server";
import type { AiProvider, XClient } from "@mkt-x/core";
import type { AuthClaims } from "../auth/verify-token.ts";
import type { LiveEventBus } from "../events/live-event-bus.ts";

declare module "fastify" {
  interface FastifyRequest {
    auth: AuthClaims | null;
    authError: string | null;
  }
}

/** What the composition root hands to every request. */
export interface AppServices {
  db: Db;
  queue: JobQueue;
  /** durable, group-committed store for X's webhook deliveries */
  ingestor: WebhookIngestor;
  x: XClient;
  cipher: TokenCipher;
  webhookUrl: string;
  /** the AI chatbot's provider: the embedded NLU or an OpenAI-compatible endpoint (AI_PROVIDER) */
  ai: AiProvider;
  /**
   * The send pipeline run in the API on an agent's new reply, so the answer carries X's id when X is
   * quick; the queued job still guarantees delivery. Absent: replies are answered as queued.
   */
  deliverNow?: (messageId: string) => Promise<unknown>;
  /** connect with X (3-legged OAuth): callback, authorize page and admin URLs. Absent: start answers 503. */
  xConnect?: XConnectSettings;
  /** this process's live event bus (SSE and tRPC subscriptions); absent: those answer 503 */
  events?: LiveEventBus;
  /** the send windows (X_TIER, DM_LIMIT_*) for campaign estimates; absent: X_TIER's defaults; null: windows off */
  sendWindows?: SendWindowLimits | null;
  /** X_DM_PRICE_USD; absent: 0.015 */
  dmPriceUsd?: number;
  /** AI_MODELS: the models merchants may choose; absent: DEFAULT_AI_MODELS */
  aiModels?: readonly string[];
  /** where outgoing webhooks may point (WEBHOOK_ALLOW_PRIVATE_TARGETS); absent: public addresses only */
  webhookTargets?: TargetPolicy;
}

/** What an authenticated procedure sees: every service but the plain database client. */
export type ProcedureServices = Omit<AppServices, "db">;

export interface Context {
  auth: AuthClaims | null;
  authError: string | null;
  services: AppServices;
  req: FastifyRequest;
  res: FastifyReply;
}

export function contextFactory(services: AppServices) {
  return ({ req, res }: { req: FastifyRequest; res: FastifyReply }): Context => ({
    auth: req.auth ?? null,
    authError: req.authError ?? "Missing bearer token",
    services,
    req,
    res,
  });
}
