// Live updates: one tRPC subscription per signed-in page. Each event refreshes the queries that
// show its resource (lists and details), so screens stay current without a reload; screens that
// want the event itself (a progress bar, a toast) listen with useLiveEvent.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { LiveEvent, LiveEventType } from "@mkt-x/core";
import { useTRPC } from "./trpc.ts";

type Handler = (event: LiveEvent) => void;
type Status = "connecting" | "live" | "offline";

const Ctx = createContext<{ listeners: Set<Handler>; status: Status } | null>(null);
/** The provider's context, for component tests that hand events to useLiveEvent directly. */
export const LiveEventsContext = Ctx;

/** The tRPC routers whose queries show each event type's resource. */
const AFFECTS: Record<LiveEventType, readonly string[]> = {
  "message.created": ["conversations", "contacts", "analytics"],
  "message.updated": ["conversations"],
  "conversation.created": ["conversations", "analytics"],
  "conversation.updated": ["conversations", "analytics"],
  "contact.created": ["contacts", "segments", "analytics"],
  "contact.updated": ["contacts", "segments", "conversations"],
  "campaign.updated": ["campaigns", "analytics"],
  "flow.execution.updated": ["flows", "analytics"],
  // a reply the bot suggests (AI reply mode draft) shows on GET /conversations/{id}
  "suggestion.created": ["conversations"],
  // the customer is writing: nothing stored changes (the thread listens with useLiveEvent)
  "conversation.typing": [],
  // the customer read our DMs: their readAt (also a message.updated each)
  "conversation.read": ["conversations"],
};

export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listeners = useRef(new Set<Handler>()).current;
  const [pending] = useState(() => new Set<string>());
  const flush = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const sub = useSubscription(
    trpc.events.subscribe.subscriptionOptions(undefined, {
      onData: (item) => {
        const event: LiveEvent = { ...item.data, data: item.data.data };
        for (const l of listeners) l(event);
        for (const router of AFFECTS[event.type]) pending.add(router);
        // a burst of events (a campaign sending) refreshes each list once, not once per event
        flush.current ??= setTimeout(() => {
          flush.current = undefined;
          for (const router of pending) void queryClient.invalidateQueries({ queryKey: [[router]] });
          pending.clear();
        }, 250);
      },
    }),
  );
  useEffect(() => () => clearTimeout(flush.current), []);
  const status: Status = sub.status === "pending" ? "live" : sub.status === "connecting" || sub.status === "idle" ? "connecting" : "offline";
  return <Ctx.Provider value={{ listeners, status }}>{children}</Ctx.Provider>;
}

/** Calls handler with every live event of the given types while the component is mounted. */
export function useLiveEvent(types: readonly LiveEventType[], handler: Handler) {
  const ctx = useContext(Ctx);
  const latest = useRef(handler);
  latest.current = handler;
  const key = types.join(",");
  useEffect(() => {
    if (!ctx) return;
    const wanted = new Set(key.split(","));
    const h: Handler = (e) => {
      if (wanted.has(e.type)) latest.current(e);
    };
    ctx.listeners.add(h);
    return () => void ctx.listeners.delete(h);
  }, [ctx, key]);
}

export function useLiveStatus(): Status {
  return useContext(Ctx)?.status ?? "offline";
}
