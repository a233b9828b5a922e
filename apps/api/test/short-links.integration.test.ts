// Campaign short links (/r/{code}) are public: a hit redirects, a click counts once per visitor
// (reloads and repeated hits from one browser count once), and one address gets a bounded number
// of hits a minute.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { newMerchant } from "./factories.ts";
import { expectFailure } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ shortLinkHitsPerMinute: 8 });
});
afterAll(async () => {
  await h?.close();
});

async function link(): Promise<{ code: string; id: string }> {
  const code = `t${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const { rows } = await h.database.pool.query<{ id: string }>("INSERT INTO short_links (merchant_id, code, url) VALUES ($1, $2, 'https://shop.example.com/sale') RETURNING id", [newMerchant(), code]);
  return { code, id: rows[0]!.id };
}
const hit = (code: string, userAgent: string) => fetch(`${h.url}/r/${code}`, { redirect: "manual", headers: { "user-agent": userAgent } });
const clicks = async (id: string) => (await h.database.pool.query<{ clicks: number }>("SELECT clicks FROM short_links WHERE id = $1", [id])).rows[0]?.clicks;

describe("GET /r/{code}", () => {
  it("redirects every hit but counts a click once per visitor, storing no address", async () => {
    const l = await link();
    for (const ua of ["Browser A", "Browser A", "Browser A", "Browser B"]) {
      const res = await hit(l.code, ua);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("https://shop.example.com/sale");
    }
    expect(await clicks(l.id)).toBe(2);
    const { rows } = await h.database.pool.query<{ visitor: string }>("SELECT visitor FROM short_link_visitors WHERE link_id = $1", [l.id]);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.visitor).not.toContain("127.0.0.1");
  });

  it("answers 404 in the envelope for an unknown code, and 429 past the hits a minute", async () => {
    const l = await link();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await hit(i === 0 ? "nosuchcode" : l.code, "Flood")).status);
    expect(statuses[0]).toBe(404);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expectFailure(await h.call("GET", `${h.url}/r/${l.code}`, { token: null }), 429, "RATE_LIMIT_EXCEEDED");
    expect(await clicks(l.id)).toBe(1);
  });
});
