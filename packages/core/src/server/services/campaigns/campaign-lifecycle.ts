// The campaign state machine as the API drives it:
//   draft → scheduled (startAt in the future) → running → completed
//   running | scheduled → paused → (resume) running | scheduled
//   draft | scheduled | running | paused → cancelled
// Starting and scheduling are pg-boss jobs (`campaign.start`), so they survive restarts; the worker
// fans out and dispatches.
import type { CampaignModel, Tx } from "@mkt-x/db";
import { AppError } from "../../../errors.ts";
import { variableListProblems } from "../../../domain/render-template.ts";
import type { Campaign } from "../../../contract/campaigns.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { campaignDto, loadCampaign } from "./load-campaign.ts";
import { emitCampaignEvents } from "../../events/emit-events.ts";
import { CAMPAIGN_STEPS, mayTake } from "../../../domain/state-transitions.ts";

export interface LifecycleDeps {
  /** scoped: every read and write is the caller's merchant's, in its transactions too */
  db: ScopedDb;
  queue: JobQueue;
  merchantId: string;
  now?: Date;
}

const conflict = (status: string, action: string) => new AppError("VALIDATION_ERROR", `Cannot ${action} a ${status} campaign`, { field: "status", reason: status });

export async function startCampaign(deps: LifecycleDeps, campaignId: string): Promise<Campaign> {
  const now = deps.now ?? new Date();
  const campaign = await loadCampaign(deps.db, campaignId);
  if (!mayTake(CAMPAIGN_STEPS.start, campaign.status)) throw conflict(campaign.status, "start");

  const segments = await deps.db.campaignSegment.count({ where: { campaignId: campaign.id } });
  if (segments === 0) throw new AppError("VALIDATION_ERROR", "Campaign has no segments", { field: "segmentIds", reason: "at least one segment is required" });
  const template = campaign.templateId ? await deps.db.template.findFirst({ where: { id: campaign.templateId } }) : null;
  if (!template) throw new AppError("VALIDATION_ERROR", "Campaign has no valid template", { field: "templateId", reason: "Template not found" });
  if (variableListProblems(template.content, template.variables)) {
    throw new AppError("VALIDATION_ERROR", "Campaign template is invalid: its variables do not match its placeholders", { field: "templateId", reason: "invalid template" });
  }
  if (campaign.accountId) {
    const account = await deps.db.xAccount.findFirst({ where: { id: campaign.accountId } });
    if (!account || account.status !== "active") throw new AppError("VALIDATION_ERROR", "The campaign's sending account is not connected", { field: "accountId", reason: account ? account.status : "not found" });
  }
  if (campaign.endAt && campaign.endAt <= now) throw new AppError("VALIDATION_ERROR", "The campaign's endAt has passed", { field: "schedule.endAt", reason: "in the past" });

  const future = campaign.startAt && campaign.startAt > now;
  await deps.db.$transaction(async (tx) => {
    // only from where a start may begin: of concurrent starts one wins, the others answer as a later start would
    const { count } = await tx.campaign.updateMany({ where: { id: campaign.id, merchantId: deps.merchantId, status: { in: [...CAMPAIGN_STEPS.start.from] } }, data: future ? { status: "scheduled" } : { status: "running" } });
    if (count === 0) throw conflict((await tx.campaign.findFirst({ where: { id: campaign.id, merchantId: deps.merchantId }, select: { status: true } }))?.status ?? "gone", "start");
    await deps.queue.send("campaign.start", { campaignId: campaign.id, run: campaign.run + 1, startAt: (future && campaign.startAt ? campaign.startAt : now).toISOString() }, { tx, ...(future && campaign.startAt ? { startAfter: campaign.startAt } : {}) });
    await emitCampaignEvents(tx, [campaign.id]);
  });
  return campaignDto(deps.db, deps.merchantId, await loadCampaign(deps.db, campaign.id));
}

/** Stops new sends: the dispatcher and the send pipeline both look at the status before each send. */
export async function pauseCampaign(deps: LifecycleDeps, campaignId: string): Promise<Campaign> {
  const campaign = await loadCampaign(deps.db, campaignId);
  if (campaign.status === "paused") return campaignDto(deps.db, deps.merchantId, campaign);
  if (!mayTake(CAMPAIGN_STEPS.pause, campaign.status)) throw conflict(campaign.status, "pause");
  const count = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.campaign.updateMany({ where: { id: campaign.id, merchantId: deps.merchantId, status: campaign.status }, data: { status: "paused", pausedAt: deps.now ?? new Date() } });
    if (count > 0) await emitCampaignEvents(tx, [campaign.id]);
    return count;
  });
  if (count === 0) return pauseCampaign(deps, campaignId);
  return campaignDto(deps.db, deps.merchantId, await loadCampaign(deps.db, campaign.id));
}

/** Continues with what was not sent; a campaign paused before it began waits for its start again. */
export async function resumeCampaign(deps: LifecycleDeps, campaignId: string): Promise<Campaign> {
  const now = deps.now ?? new Date();
  const campaign = await loadCampaign(deps.db, campaignId);
  if (campaign.status === "running" || campaign.status === "scheduled") return campaignDto(deps.db, deps.merchantId, campaign);
  if (!mayTake(CAMPAIGN_STEPS.resume, campaign.status)) throw conflict(campaign.status, "resume");
  await deps.db.$transaction(async (tx) => {
    await resumePausedCampaign(tx, deps.queue, campaign, now);
  });
  return campaignDto(deps.db, deps.merchantId, await loadCampaign(deps.db, campaign.id));
}

/**
 * A paused campaign back to work, in the caller's transaction: one that had begun dispatches what is
 * left, one paused before it began waits for its start again. Clears the pause and its reason.
 */
export async function resumePausedCampaign(tx: Tx, queue: JobQueue, campaign: Pick<CampaignModel, "id" | "merchantId" | "run" | "startAt">, now: Date): Promise<void> {
  const begun = campaign.run > 0 ? await tx.campaignRecipient.count({ where: { campaignId: campaign.id, merchantId: campaign.merchantId, run: campaign.run } }) : 0;
  if (begun > 0) {
    await tx.campaign.update({ where: { id: campaign.id, merchantId: campaign.merchantId }, data: { status: "running", pausedAt: null, pauseReason: null } });
    await queue.send("campaign.dispatch", { campaignId: campaign.id, run: campaign.run }, { tx });
  } else {
    const future = campaign.startAt && campaign.startAt > now;
    await tx.campaign.update({ where: { id: campaign.id, merchantId: campaign.merchantId }, data: { status: future ? "scheduled" : "running", pausedAt: null, pauseReason: null } });
    await queue.send("campaign.start", { campaignId: campaign.id, run: campaign.run + 1, startAt: (future && campaign.startAt ? campaign.startAt : now).toISOString() }, { tx, ...(future && campaign.startAt ? { startAfter: campaign.startAt } : {}) });
  }
  await emitCampaignEvents(tx, [campaign.id]);
}

/** Ends the campaign for good: whoever has not been sent to is skipped ("cancelled"). */
export async function cancelCampaign(deps: LifecycleDeps, campaignId: string): Promise<Campaign> {
  const campaign = await loadCampaign(deps.db, campaignId);
  if (campaign.status === "cancelled") return campaignDto(deps.db, deps.merchantId, campaign);
  if (!mayTake(CAMPAIGN_STEPS.cancel, campaign.status)) throw conflict(campaign.status, "cancel");
  await deps.db.$transaction(async (tx) => {
    await tx.campaign.updateMany({ where: { id: campaign.id, merchantId: deps.merchantId, status: { in: [...CAMPAIGN_STEPS.cancel.from] } }, data: { status: "cancelled", completedAt: deps.now ?? new Date(), expectedFinishAt: null } });
    await tx.campaignRecipient.updateMany({ where: { campaignId: campaign.id, merchantId: deps.merchantId, status: "pending" }, data: { status: "skipped", skipReason: "cancelled" } });
    await emitCampaignEvents(tx, [campaign.id]);
  });
  return campaignDto(deps.db, deps.merchantId, await loadCampaign(deps.db, campaign.id));
}
