import type { z } from "zod";
import type { Db } from "@mkt-x/db";
import { JOBS, type JobName, type SendPipelineDeps } from "@mkt-x/core/server";
import { handleWebhookEvent } from "./webhook-event.ts";
import { handleSendMessage } from "./send-message.ts";
import { handleDomainEvent } from "./domain-event.ts";

export interface HandlerDeps {
  db: Db;
  send: SendPipelineDeps;
  log: { info: (o: object, m: string) => void };
}

export interface JobRunner {
  /** re-validates the payload, then handles it */
  run(deps: HandlerDeps, data: unknown): Promise<void>;
}

function defineHandler<S extends z.ZodType>(schema: S, handle: (deps: HandlerDeps, payload: z.infer<S>) => Promise<void>): JobRunner {
  return { run: (deps, data) => handle(deps, schema.parse(data)) };
}

/** Every job of the registry has exactly one handler: a missing one does not compile. */
export const HANDLERS: Record<JobName, JobRunner> = {
  "webhook.event": defineHandler(JOBS["webhook.event"].payload, handleWebhookEvent),
  "message.send": defineHandler(JOBS["message.send"].payload, handleSendMessage),
  "domain.event": defineHandler(JOBS["domain.event"].payload, handleDomainEvent),
};
