// "Typing…" under a thread while X says the customer is writing (conversation.typing). X repeats
// the indicator every few seconds while they type and sends nothing when they stop, so the notice
// goes after a few quiet seconds, or at once when their message arrives.
import { useEffect, useState } from "react";
import { Text } from "@mantine/core";
import { useLiveEvent } from "../../lib/live-events.tsx";

/** how long one indicator shows without another */
const SHOWN_MS = 6000;

export function TypingNotice({ conversationId, name }: { conversationId: string; name: string }) {
  const [until, setUntil] = useState(0);
  useEffect(() => setUntil(0), [conversationId]);
  useLiveEvent(["conversation.typing", "message.created"], (e) => {
    const data = e.data as { conversationId?: unknown; direction?: unknown };
    if (data.conversationId !== conversationId) return;
    if (e.type === "conversation.typing") setUntil(Date.now() + SHOWN_MS);
    else if (data.direction === "inbound") setUntil(0);
  });
  useEffect(() => {
    if (until === 0) return;
    const timer = setTimeout(() => setUntil(0), Math.max(0, until - Date.now()));
    return () => clearTimeout(timer);
  }, [until]);
  return (
    <Text size="xs" c="dimmed" role="status" aria-live="polite" mih={18}>
      {until > 0 ? `${name} is typing…` : ""}
    </Text>
  );
}
