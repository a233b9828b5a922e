import { ZodError } from "zod";
import { JOBS, sendMessages, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** `message.send`: one outbound DM through the send pipeline. */
export async function handleSendMessage(deps: HandlerDeps, payload: JobPayload<"message.send">): Promise<void> {
  const [error] = await handleSendMessageBatch(deps, [payload]);
  if (error) throw error;
}

/** The batch form: one read, one claim, one record for all the jobs pg-boss handed over. */
export async function handleSendMessageBatch(deps: HandlerDeps, items: unknown[]): Promise<(Error | undefined)[]> {
  const parsed = items.map((item) => JOBS["message.send"].payload.safeParse(item));
  const ids = parsed.flatMap((p) => (p.success ? [p.data.messageId] : []));
  const results = ids.length ? await sendMessages(deps.send, ids) : new Map<string, never>();
  return parsed.map((p) => {
    if (!p.success) return new ZodError(p.error.issues);
    const outcome = results.get(p.data.messageId);
    if (outcome instanceof Error) return outcome;
    deps.log.info({ messageId: p.data.messageId, ...outcome }, "message.send");
    return undefined;
  });
}
