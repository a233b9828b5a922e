import { randomBytes } from "node:crypto";
import { AppError } from "../../../errors.ts";
import type { AiSettings, UpdateAiSettingsInput } from "../../../contract/ai.ts";
import type { AiReplyMode } from "../../../contract/ai-knowledge.ts";
import type { AiModelSettings } from "../../../ports/ai-provider.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import type { TokenCipher } from "../../token-cipher.ts";
import { orderLookupSecretPlace } from "./order-lookup.ts";
import { validateTarget, type TargetPolicy } from "../outgoing-webhooks/target-policy.ts";

/** What a merchant that never saved settings gets (the ai_settings column defaults). */
export const DEFAULT_AI_SETTINGS: AiSettings = {
  enabled: false,
  model: "gpt-4o-mini",
  temperature: 0.7,
  maxTokens: 500,
  autoEscalationThreshold: 0.6,
  systemPrompt: null,
  replyMode: "auto",
  orderLookupUrl: null,
  updatedAt: null,
};

export interface AiSettingsRow {
  enabled: boolean;
  model: string;
  temperature: number;
  maxTokens: number;
  autoEscalationThreshold: number;
  systemPrompt: string | null;
  replyMode: string;
  orderLookupUrl: string | null;
  updatedAt: Date;
}

const replyModeOf = (v: string): AiReplyMode => (v === "draft" || v === "off" ? v : "auto");

export const toDto = (row: AiSettingsRow): AiSettings => ({
  enabled: row.enabled,
  model: row.model,
  temperature: row.temperature,
  maxTokens: row.maxTokens,
  autoEscalationThreshold: row.autoEscalationThreshold,
  systemPrompt: row.systemPrompt,
  replyMode: replyModeOf(row.replyMode),
  orderLookupUrl: row.orderLookupUrl,
  updatedAt: row.updatedAt.toISOString(),
});

export async function getAiSettings(db: ScopedDb): Promise<AiSettings> {
  const row = await db.aiSettings.findFirst();
  return row ? toDto(row) : DEFAULT_AI_SETTINGS;
}

export const modelSettings = (s: AiSettings): AiModelSettings => ({ model: s.model, temperature: s.temperature, maxTokens: s.maxTokens, systemPrompt: s.systemPrompt });

/** What changing the order endpoint needs: the secret is kept encrypted, the URL checked like a webhook's. */
export interface OrderLookupDeps {
  cipher: TokenCipher;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: absent, public https addresses only */
  policy?: TargetPolicy | undefined;
}

/**
 * The order endpoint: https, public addresses only (the outgoing webhooks' SSRF rule); where
 * private targets are allowed (tests, on-premise) http too.
 */
async function checkOrderLookupUrl(raw: string, policy: TargetPolicy): Promise<string> {
  const href = await validateTarget(raw, policy).catch((e: unknown) => {
    if (e instanceof AppError) throw new AppError("VALIDATION_ERROR", `orderLookupUrl ${e.message.replace(/^url /, "")}`, { field: "orderLookupUrl", reason: e.message.replace(/^url /, "") });
    throw e;
  });
  if (!policy.allowPrivate && !href.startsWith("https:")) throw new AppError("VALIDATION_ERROR", "orderLookupUrl must be an https URL", { field: "orderLookupUrl", reason: "must be an https URL" });
  return href;
}

/**
 * Upserts the merchant's settings: given fields change, the others keep their value (or default).
 * A new orderLookupUrl gets a new signing secret, answered this once as `orderLookupSecret`.
 */
export async function updateAiSettings(
  db: ScopedDb,
  opts: { merchantId: string; changes: UpdateAiSettingsInput; orderLookup?: OrderLookupDeps; /** AI_MODELS; absent: any model */ models?: readonly string[] },
): Promise<AiSettings> {
  const c = opts.changes;
  if (c.model !== undefined && opts.models && !opts.models.includes(c.model)) {
    throw new AppError("VALIDATION_ERROR", `model must be one of: ${opts.models.join(", ")}`, { field: "model", reason: "not offered by this service (AI_MODELS)" });
  }
  let url: { href: string | null; secret: string | null } | null = null;
  if (c.orderLookupUrl !== undefined) {
    if (c.orderLookupUrl === null || c.orderLookupUrl === "") url = { href: null, secret: null };
    else {
      if (!opts.orderLookup) throw new AppError("SERVICE_UNAVAILABLE", "Order lookups cannot be configured here");
      url = { href: await checkOrderLookupUrl(c.orderLookupUrl, opts.orderLookup.policy ?? { allowPrivate: false }), secret: `olsec_${randomBytes(32).toString("base64url")}` };
    }
  }
  const data = {
    ...(c.enabled !== undefined && { enabled: c.enabled }),
    ...(c.model !== undefined && { model: c.model }),
    ...(c.temperature !== undefined && { temperature: c.temperature }),
    ...(c.maxTokens !== undefined && { maxTokens: c.maxTokens }),
    ...(c.autoEscalationThreshold !== undefined && { autoEscalationThreshold: c.autoEscalationThreshold }),
    ...(c.systemPrompt !== undefined && { systemPrompt: c.systemPrompt === "" ? null : c.systemPrompt }),
    ...(c.replyMode !== undefined && { replyMode: c.replyMode }),
    ...(url && { orderLookupUrl: url.href, orderLookupSecretEnc: url.secret === null || !opts.orderLookup ? null : opts.orderLookup.cipher.encrypt(url.secret, orderLookupSecretPlace(opts.merchantId)) }),
  };
  const row = await db.aiSettings.upsert({ where: { merchantId: opts.merchantId }, create: { merchantId: opts.merchantId, ...data }, update: data });
  return url?.secret ? { ...toDto(row), orderLookupSecret: url.secret } : toDto(row);
}
