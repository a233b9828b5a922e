// events.subscribe: the merchant's live events for the typed admin, over the same bus as the SSE
// stream. A tRPC v11 subscription served as SSE by the fastify adapter; each item is
// tracked(id, event), so httpSubscriptionLink resumes with the last id it saw after a reconnect.
import { tracked } from "@trpc/server";
import { z } from "zod";
import { AppError, LastEventId, LiveEvent, visibleEventTypes } from "@mkt-x/core";
import type { BusEvent } from "../../events/live-event-bus.ts";
import { readProcedure } from "../../trpc/init.ts";

/** events a subscriber may have waiting before it counts as too slow and is dropped */
const MAX_QUEUED = 1000;

export const subscribeEventsProcedure = readProcedure
  .input(z.object({ lastEventId: LastEventId.nullish() }).optional())
  .subscription(async function* ({ ctx, input, signal }) {
    const bus = ctx.services.events;
    if (!bus) throw new AppError("SERVICE_UNAVAILABLE", "Live events are not available on this instance");
    const queue: BusEvent[] = [];
    let wake: (() => void) | null = null;
    let dropped: "slow" | "closing" | null = null;
    const poke = () => {
      wake?.();
      wake = null;
    };
    const subscription = bus.subscribe({
      merchantId: ctx.merchantId,
      types: visibleEventTypes(ctx.role),
      lastEventId: input?.lastEventId ? BigInt(input.lastEventId) : null,
      deliver: (event) => {
        if (queue.length >= MAX_QUEUED) return false;
        queue.push(event);
        poke();
        return true;
      },
      onDrop: (reason) => {
        dropped = reason;
        poke();
      },
    });
    signal?.addEventListener("abort", poke);
    try {
      await subscription.ready;
      while (!signal?.aborted) {
        let event: BusEvent | undefined;
        while ((event = queue.shift())) yield tracked(event.id.toString(), LiveEvent.parse(JSON.parse(event.json)));
        if (dropped === "closing") return;
        if (dropped) throw new AppError("SERVICE_UNAVAILABLE", "Too slow: the subscription fell too far behind; resubscribe with the last event id");
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal?.removeEventListener("abort", poke);
      subscription.close();
    }
  });
