import type { z } from "zod";
import type { Db } from "@mkt-x/db";
import type { AiProvider } from "@mkt-x/core";
import { JOBS, type CampaignRunDeps, type JobName, type SendPipelineDeps } from "@mkt-x/core/server";
import { handleWebhookEvent } from "./webhook-event.ts";
import { handleSendMessage, handleSendMessageBatch } from "./send-message.ts";
import { handleDomainEvent } from "./domain-event.ts";
import { handleSweepMessages } from "./sweep-messages.ts";
import { handleCampaignStart } from "./campaign-start.ts";
import { handleCampaignDispatch } from "./campaign-dispatch.ts";
import { handleFlowStep } from "./flow-step.ts";
import { handleDeliverWebhook, type WebhookSettings } from "./deliver-webhook.ts";
import { handleDmCatchup } from "./dm-catchup.ts";

export interface HandlerDeps {
  db: Db;
  send: SendPipelineDeps;
  campaigns: CampaignRunDeps;
  /** the AI chatbot's provider, for automatic replies to inbound DMs */
  ai: AiProvider;
  log: { info: (o: object, m: string) => void };
  /** outgoing webhooks: the address policy (WEBHOOK_ALLOW_PRIVATE_TARGETS), timeout, retries */
  webhooks?: WebhookSettings;
}

export interface JobRunner {
  /** re-validates the payload, then handles it */
  run(deps: HandlerDeps, data: unknown): Promise<void>;
  /** optional batch form: an error for each job that failed, undefined for each that succeeded */
  runBatch?(deps: HandlerDeps, items: unknown[]): Promise<(Error | undefined)[]>;
}

function defineHandler<S extends z.ZodType>(schema: S, handle: (deps: HandlerDeps, payload: z.infer<S>) => Promise<void>): JobRunner {
  return { run: async (deps, data) => handle(deps, schema.parse(data)) };
}

/** Every job of the registry has exactly one handler: a missing one does not compile. */
export const HANDLERS: Record<JobName, JobRunner> = {
  "webhook.event": defineHandler(JOBS["webhook.event"].payload, handleWebhookEvent),
  "message.send": { ...defineHandler(JOBS["message.send"].payload, handleSendMessage), runBatch: handleSendMessageBatch },
  "domain.event": defineHandler(JOBS["domain.event"].payload, handleDomainEvent),
  "message.sweep": defineHandler(JOBS["message.sweep"].payload, handleSweepMessages),
  "campaign.start": defineHandler(JOBS["campaign.start"].payload, handleCampaignStart),
  "campaign.dispatch": defineHandler(JOBS["campaign.dispatch"].payload, handleCampaignDispatch),
  "flow.step": defineHandler(JOBS["flow.step"].payload, handleFlowStep),
  "webhook.deliver": defineHandler(JOBS["webhook.deliver"].payload, handleDeliverWebhook),
  "dm.catchup": defineHandler(JOBS["dm.catchup"].payload, handleDmCatchup),
};
