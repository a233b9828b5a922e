import { describe, expect, it } from "vitest";
import { act, render, screen } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import type { LiveEvent } from "@mkt-x/core";
import { LiveEventsContext } from "../src/lib/live-events.tsx";
import { TypingNotice } from "../src/screens/inbox/typing-notice.tsx";

function renderNotice() {
  const listeners = new Set<(e: LiveEvent) => void>();
  render(
    <MantineProvider>
      <LiveEventsContext.Provider value={{ listeners, status: "live" }}>
        <TypingNotice conversationId="c1" name="Mai" />
      </LiveEventsContext.Provider>
    </MantineProvider>,
  );
  let id = 0;
  const emit = (type: LiveEvent["type"], data: Record<string, unknown>) =>
    act(() => {
      for (const l of listeners) l({ id: String(++id), type, at: new Date().toISOString(), data });
    });
  return emit;
}

describe("the typing notice", () => {
  it("shows while X says the customer is typing in this conversation, and goes when their message arrives", () => {
    const emit = renderNotice();
    expect(screen.getByRole("status")).toHaveTextContent("");
    emit("conversation.typing", { conversationId: "other", contactId: "k2", at: new Date().toISOString() });
    expect(screen.getByRole("status")).toHaveTextContent("");
    emit("conversation.typing", { conversationId: "c1", contactId: "k1", at: new Date().toISOString() });
    expect(screen.getByRole("status")).toHaveTextContent("Mai is typing…");
    // our own DM does not end it; theirs does
    emit("message.created", { conversationId: "c1", direction: "outbound" });
    expect(screen.getByRole("status")).toHaveTextContent("Mai is typing…");
    emit("message.created", { conversationId: "c1", direction: "inbound" });
    expect(screen.getByRole("status")).toHaveTextContent("");
  });
});
