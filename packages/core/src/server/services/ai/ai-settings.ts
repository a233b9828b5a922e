import type { AiSettings, UpdateAiSettingsInput } from "../../../contract/ai.ts";
import type { AiModelSettings } from "../../../ports/ai-provider.ts";
import type { ScopedDb } from "../../scoped-db.ts";

/** What a merchant that never saved settings gets (the ai_settings column defaults). */
export const DEFAULT_AI_SETTINGS: AiSettings = {
  enabled: false,
  model: "gpt-4o-mini",
  temperature: 0.7,
  maxTokens: 500,
  autoEscalationThreshold: 0.6,
  systemPrompt: null,
  updatedAt: null,
};

interface AiSettingsRow {
  enabled: boolean;
  model: string;
  temperature: number;
  maxTokens: number;
  autoEscalationThreshold: number;
  systemPrompt: string | null;
  updatedAt: Date;
}

const toDto = (row: AiSettingsRow): AiSettings => ({
  enabled: row.enabled,
  model: row.model,
  temperature: row.temperature,
  maxTokens: row.maxTokens,
  autoEscalationThreshold: row.autoEscalationThreshold,
  systemPrompt: row.systemPrompt,
  updatedAt: row.updatedAt.toISOString(),
});

export async function getAiSettings(db: ScopedDb): Promise<AiSettings> {
  const row = await db.aiSettings.findFirst();
  return row ? toDto(row) : DEFAULT_AI_SETTINGS;
}

export const modelSettings = (s: AiSettings): AiModelSettings => ({ model: s.model, temperature: s.temperature, maxTokens: s.maxTokens, systemPrompt: s.systemPrompt });

/** Upserts the merchant's settings: given fields change, the others keep their value (or default). */
export async function updateAiSettings(db: ScopedDb, opts: { merchantId: string; changes: UpdateAiSettingsInput }): Promise<AiSettings> {
  const c = opts.changes;
  const data = {
    ...(c.enabled !== undefined && { enabled: c.enabled }),
    ...(c.model !== undefined && { model: c.model }),
    ...(c.temperature !== undefined && { temperature: c.temperature }),
    ...(c.maxTokens !== undefined && { maxTokens: c.maxTokens }),
    ...(c.autoEscalationThreshold !== undefined && { autoEscalationThreshold: c.autoEscalationThreshold }),
    ...(c.systemPrompt !== undefined && { systemPrompt: c.systemPrompt === "" ? null : c.systemPrompt }),
  };
  const row = await db.aiSettings.upsert({ where: { merchantId: opts.merchantId }, create: { merchantId: opts.merchantId, ...data }, update: data });
  return toDto(row);
}
