// The one composer every origin renders templates with (campaign dispatch, test sends, flow steps,
// the preview): what a contact receives, read from the stored template and the merchant's names.
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { scopeToMerchant } from "../src/server/scoped-db.ts";
import { explicitVariables, loadComposer } from "../src/server/services/templates/compose-message.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
});
afterAll(async () => {
  await database?.drop();
});

const template = (content: string, extra: { type?: string; options?: unknown; attachment?: unknown } = {}) => ({ type: extra.type ?? "text", content, options: (extra.options ?? []) as never, attachment: (extra.attachment ?? null) as never });

async function accounts(merchantId: string) {
  const older = await database.db.xAccount.create({ data: { merchantId, twitterUserId: `${merchantId}-1`, username: "shop_main", displayName: "Main Shop", status: "active", connectedAt: new Date("2026-01-01") } });
  const newer = await database.db.xAccount.create({ data: { merchantId, twitterUserId: `${merchantId}-2`, username: "shop_outlet", displayName: "Outlet", status: "active", connectedAt: new Date("2026-02-01") } });
  return { older, newer };
}

describe("composing a template for a contact", () => {
  it("looks up explicit variables, then the contact's attributes, then the built-ins; shop_name is the sending account's name until the merchant sets one", async () => {
    const { newer } = await accounts("m-compose-1");
    const contact = { accountId: newer.id, displayName: "Lan Nguyen", username: "lan", attributes: { tier: "gold", code: "X1" } };
    const content = "Hi {{first_name}} ({{tier}}), {{code}} from {{shop_name}}";

    const before = await loadComposer(database.db, { merchantId: "m-compose-1", template: template(content) });
    expect(before.compose(contact, { code: "SPRING" })).toMatchObject({ ok: true, text: "Hi Lan (gold), SPRING from Outlet" });
    // without a contact, the first connected account is the one a DM would go out from
    expect(before.compose(null, { first_name: "there", tier: "new", code: "C" })).toMatchObject({ ok: true, text: "Hi there (new), C from Main Shop" });

    await database.db.merchantSettings.create({ data: { merchantId: "m-compose-1", shopName: "Lan's Linen" } });
    const after = await loadComposer(scopeToMerchant(database.db, "m-compose-1"), { merchantId: "m-compose-1", template: template(content) });
    expect(after.compose(contact)).toMatchObject({ ok: true, text: "Hi Lan (gold), X1 from Lan's Linen" });
  });

  it("names every missing variable, and refuses a DM that its options push past X's 10,000 characters", async () => {
    const { older } = await accounts("m-compose-2");
    const contact = { accountId: older.id, displayName: null, username: "kim", attributes: {} };
    const missing = await loadComposer(database.db, { merchantId: "m-compose-2", template: template("{{code}} and {{city}} and {{code}}, {{name}}") });
    expect(missing.compose(contact)).toEqual({ ok: false, missing: ["code", "city"], error: "missing variable: code, city" });

    const long = await loadComposer(database.db, { merchantId: "m-compose-2", template: template("x".repeat(9_990), { type: "quick_reply", options: [{ label: "Yes please" }, { label: "No thanks" }] }) });
    const refused = long.compose(contact);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? "" : refused.error).toMatch(/10000 characters/);
  });

  it("sends a quick_reply's options in the text and keeps them, a card's buttons as lines, the media with every DM", async () => {
    const { older } = await accounts("m-compose-3");
    const contact = { accountId: older.id, displayName: "Ana", username: "ana", attributes: {} };
    const quick = await loadComposer(database.db, { merchantId: "m-compose-3", template: template("Size, {{name}}?", { type: "quick_reply", options: [{ label: "S" }, { label: "M", description: "medium" }] }) });
    expect(quick.compose(contact)).toEqual({
      ok: true,
      type: "quick_reply",
      rendered: "Size, Ana?",
      text: "Size, Ana?\n\n1. S\n2. M – medium",
      metadata: { quickReplies: [{ label: "S" }, { label: "M", description: "medium" }] },
      attachments: [],
    });
    const image = { type: "image", url: "https://cdn.example.com/a.png" };
    const card = await loadComposer(database.db, { merchantId: "m-compose-3", template: template("New in", { type: "card", options: [{ label: "Shop", url: "https://example.com/new" }], attachment: image }) });
    expect(card.compose(contact)).toMatchObject({ ok: true, type: "card", text: "New in\n\nShop: https://example.com/new", attachments: [image] });

    // a row written by raw SQL with a type the API does not know reads as plain text, options ignored
    const odd = await loadComposer(database.db, { merchantId: "m-compose-3", template: template("Plain", { type: "carousel", options: [{ label: "ignored" }] }) });
    expect(odd.compose(contact)).toMatchObject({ ok: true, type: "text", text: "Plain", metadata: null });
  });

  it("reads a stored variables document as its scalars only", () => {
    expect(explicitVariables({ a: "x", n: 2, b: true, nested: { no: 1 }, list: [1], nil: null })).toEqual({ a: "x", n: 2, b: true });
    expect(explicitVariables(["a"])).toEqual({});
    expect(explicitVariables(null)).toEqual({});
  });
});
