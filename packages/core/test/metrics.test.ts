// Outcome reasons are free text (with X's words, counts, ids); their labels are a closed list.
import { describe, expect, it } from "vitest";
import { countSendOutcomes, createMetrics, dmOutcomeReason, metricsAuthorized, webhookKindLabel } from "../src/server/metrics/metrics.ts";

const until = new Date("2026-01-01T00:10:00Z");

describe("metric labels", () => {
  it.each([
    ["no such outbound message", "skipped", "no_message"],
    ["already sent", "skipped", "already_settled"],
    ["claimed by another worker", "skipped", "claimed_elsewhere"],
    ["campaign cancelled", "skipped", "campaign_cancelled"],
    ["campaign ended", "skipped", "campaign_ended"],
    ["campaign paused", "skipped", "campaign_paused"],
    ["contact opted out", "failed", "opted_out"],
    ["no consent: the contact never wrote to the account", "failed", "no_consent"],
    ["account is not connected", "failed", "account_not_connected"],
    ["X refused: the recipient does not accept DMs from this account (403)", "failed", "x_forbidden"],
    ["X rejected the account's credentials (401)", "failed", "x_unauthorized"],
    ["X refused the message: text too long for message 1f0c…", "failed", "x_refused"],
    ["gave up after 8 attempts: socket hang up", "failed", "retries_exhausted"],
    ["another worker holds the send", "deferred", "lease_held"],
    ["X rate limit: account paused", "deferred", "account_paused"],
    ["X rate limit (429)", "deferred", "x_rate_limited"],
    ["send window full (app 24 hours)", "deferred", "send_window"],
    ["transient X failure, attempt 3", "deferred", "transient_retry"],
    ["a reason nobody wrote yet 12345", "failed", "other"],
  ] as const)("%s → %s %s", (reason, status, label) => {
    const outcome = status === "deferred" ? { status, reason, until } : { status, reason };
    expect(dmOutcomeReason(outcome)).toBe(label);
  });

  it("sent DMs are accepted or reconciled; unknown webhook kinds are other", () => {
    expect(dmOutcomeReason({ status: "sent", twitterMessageId: "1", reconciled: false })).toBe("accepted");
    expect(dmOutcomeReason({ status: "sent", twitterMessageId: "1", reconciled: true })).toBe("reconciled");
    expect(webhookKindLabel("direct_message")).toBe("direct_message");
    expect(webhookKindLabel("anything_X_invents_next")).toBe("other");
  });

  it("counts a full window under its label with the wait, and a thrown pass as an error", async () => {
    const metrics = createMetrics({ service: "worker", defaultMetrics: false });
    countSendOutcomes(metrics, [{ status: "deferred", reason: "send window full (campaign messages per account, 24 hours)", until }, new Error("db gone")], new Date("2026-01-01T00:00:00Z"));
    const values = Object.fromEntries((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, m.values]));
    expect(values.mktx_send_window_waits_total).toEqual([expect.objectContaining({ labels: expect.objectContaining({ window: "campaign_account_24h" }), value: 1 })]);
    expect(values.mktx_send_window_wait_seconds).toContainEqual(expect.objectContaining({ metricName: "mktx_send_window_wait_seconds_sum", labels: expect.objectContaining({ window: "campaign_account_24h" }), value: 600 }));
    expect(values.mktx_dm_outcomes_total).toContainEqual(expect.objectContaining({ labels: expect.objectContaining({ status: "error", reason: "exception" }), value: 1 }));
  });

  it("takes only the exact bearer token", () => {
    const token = "0123456789abcdef-token";
    expect(metricsAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(`bearer ${token}`, token)).toBe(true);
    for (const header of [undefined, "", token, `Bearer ${token}0`, `Bearer ${token.slice(1)}`, `Basic ${token}`, "Bearer "]) expect(metricsAuthorized(header, token)).toBe(false);
  });
});
