import { sendMessage, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** `message.send`: one outbound DM through the send pipeline. */
export async function handleSendMessage(deps: HandlerDeps, payload: JobPayload<"message.send">): Promise<void> {
  const outcome = await sendMessage(deps.send, payload.messageId);
  deps.log.info({ messageId: payload.messageId, ...outcome }, "message.send");
}
