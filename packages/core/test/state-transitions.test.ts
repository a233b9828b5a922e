// The lifecycles' one table: every step names only the contract's states, every state can be
// reached, terminal states lead nowhere, and the edges are the ones the product promises.
import { describe, expect, it } from "vitest";
import { CAMPAIGN_STEPS, LIFECYCLES, MESSAGE_STEPS, mayTake, transitionsOf, type Step } from "../src/domain/state-transitions.ts";

const edges = (steps: Readonly<Record<string, Step<string>>>) => Object.fromEntries([...transitionsOf(steps)].map(([from, to]) => [from, [...to].sort()]));

describe("state transitions", () => {
  it.each(Object.entries(LIFECYCLES))("%s: steps use only the contract's states, and every state is reachable from a first state", (_name, { states, steps }) => {
    const known = new Set<string>(states);
    for (const step of Object.values(steps) as Step<string>[]) {
      for (const s of [...step.from, ...step.to]) expect(known.has(s), s).toBe(true);
      expect(step.to.length).toBeGreaterThan(0);
    }
    const reached = new Set<string>((Object.values(steps) as Step<string>[]).filter((s) => s.from.length === 0).flatMap((s) => [...s.to]));
    const next = transitionsOf(steps as Readonly<Record<string, Step<string>>>);
    const frontier = [...reached];
    for (let s = frontier.pop(); s !== undefined; s = frontier.pop()) {
      for (const t of next.get(s) ?? []) {
        if (reached.has(t)) continue;
        reached.add(t);
        frontier.push(t);
      }
    }
    expect([...reached].sort()).toEqual([...states].sort());
  });

  it("a campaign moves as the API promises; completed and cancelled are final", () => {
    expect(edges(CAMPAIGN_STEPS)).toEqual({
      draft: ["cancelled", "running", "scheduled"],
      scheduled: ["cancelled", "paused", "running"],
      running: ["cancelled", "completed", "paused", "running", "scheduled"],
      paused: ["cancelled", "running", "scheduled"],
    });
    expect(mayTake(CAMPAIGN_STEPS.start, "scheduled")).toBe(false);
    expect(mayTake(CAMPAIGN_STEPS.resume, "completed")).toBe(false);
    expect(mayTake(CAMPAIGN_STEPS.cancel, "completed")).toBe(false);
    expect(mayTake(CAMPAIGN_STEPS.pause, "draft")).toBe(false);
  });

  it("a DM X holds is sent for good, even one we had given up on; an inbound DM never changes state", () => {
    const next = edges(MESSAGE_STEPS);
    expect(next).toEqual({ queued: ["failed", "sending", "sent"], sending: ["failed", "queued", "sending", "sent"], failed: ["sent"] });
    expect(next.sent).toBeUndefined();
    expect(next.received).toBeUndefined();
  });

  it("final states of executions lead nowhere", () => {
    expect(edges(LIFECYCLES.flowExecution.steps)).toEqual({ running: ["cancelled", "completed", "failed"] });
    expect(edges(LIFECYCLES.conversation.steps)).toEqual({ open: ["closed"], closed: ["open"] });
  });
});
