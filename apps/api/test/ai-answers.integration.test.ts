// The bot answering from the merchant's knowledge through the REST stack: products (stock, sizes,
// colours, material, price as they are now), FAQ entries, orders from a local fake shop (signed
// requests; hangs, redirects, garbage and errors hand over), and `sources` naming what was used.
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { insertAccount, insertContact, insertConversation, newMerchant, type Success } from "./factories.ts";
import { expectFailure, expectSuccess } from "./envelope-assertions.ts";

interface MessageBody {
  intent: string;
  confidence: number;
  response: string;
  slots: Record<string, string>;
  requiresEscalation: boolean;
  sources: Array<{ type: string; id: string }>;
}
interface SettingsBody {
  orderLookupUrl: string | null;
  orderLookupSecret?: string;
  replyMode: string;
}

type ShopMode = "ok" | "hang" | "redirect" | "garbage" | "error" | "not_found";
let shopMode: ShopMode = "ok";
const shopRequests: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
let shop: http.Server;
let shopUrl: string;

let h: Harness;
beforeAll(async () => {
  shop = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      shopRequests.push({ headers: req.headers, body });
      if (shopMode === "hang") return; // never answers
      if (shopMode === "redirect") return void res.writeHead(302, { location: "http://169.254.169.254/latest" }).end();
      if (shopMode === "garbage") return void res.writeHead(200, { "content-type": "application/json" }).end("<html>not json</html>");
      if (shopMode === "error") return void res.writeHead(500).end();
      if (shopMode === "not_found") return void res.writeHead(404).end();
      const { data } = JSON.parse(body) as { data: { orderId: string } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "shipped", shippedAt: "2026-01-15", expectedAt: "2026-01-20", trackingUrl: `https://track.example.com/${data.orderId}` }));
    });
  });
  await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/orders`;
  h = await startHarness({ webhookTargets: { allowPrivate: true } });
});
afterAll(async () => {
  await h?.close();
  shop?.closeAllConnections();
  await new Promise<void>((resolve) => shop.close(() => resolve()));
});

async function merchant() {
  const merchantId = newMerchant();
  const token = await h.token({ merchantId });
  const pool = h.database.pool;
  const accountId = await insertAccount(pool, { merchantId });
  const contactId = await insertContact(pool, { merchantId, accountId });
  const conversationId = await insertConversation(pool, { merchantId, accountId, contactId });
  const ask = async (message: string) => expectSuccess(await h.call<Success<MessageBody>>("POST", `/ai/conversations/${conversationId}/message`, { token, body: { message } }));
  const create = async <T extends { id: string }>(path: string, body: unknown) => expectSuccess(await h.call<Success<T>>("POST", path, { token, body }));
  return { merchantId, token, conversationId, ask, create };
}

describe("answers from the catalog", () => {
  it("quotes stock, sizes, colours, material and price as the catalog says them now, citing the product", async () => {
    const m = await merchant();
    const jacket = await m.create<{ id: string }>("/ai/knowledge/products", {
      sku: "JK-1", name: "Denim jacket", description: "100% cotton denim, stone washed", price: 49.9, currency: "USD",
      variants: [{ size: "M", color: "Blue", stock: 3 }, { size: "L", color: "Blue", stock: 0 }, { size: "M", color: "Black", stock: 2 }],
    });
    await m.create("/ai/knowledge/products", { sku: "SC-1", name: "Wool scarf", price: 15, currency: "USD", stock: 4 });

    const inStock = await m.ask("Is the denim jacket in stock in size M?");
    expect(inStock).toMatchObject({ intent: "product_availability", requiresEscalation: false, sources: [{ type: "product", id: jacket.id }] });
    expect(inStock.response).toContain("$49.90");
    expect(inStock.response).toContain("5 left");

    const soldOut = await m.ask("do you have the denim jacket in size L?");
    expect(soldOut.response).toMatch(/sold out/);
    expect(soldOut.sources).toEqual([{ type: "product", id: jacket.id }]);

    expect((await m.ask("What sizes does the denim jacket come in?")).response).toContain("size M");
    expect((await m.ask("which colours is the denim jacket available in?")).response).toMatch(/Blue and Black/);
    const material = await m.ask("what is the denim jacket made of?");
    expect(material).toMatchObject({ intent: "product_material", sources: [{ type: "product", id: jacket.id }] });
    expect(material.response).toContain("100% cotton denim");
    expect((await m.ask("how much is the wool scarf?")).response).toContain("$15.00");

    // the price and stock of the moment, not of an earlier answer
    expectSuccess(await h.call<Success<unknown>>("PUT", `/ai/knowledge/products/${jacket.id}`, { token: m.token, body: { price: 39, variants: [{ size: "M", color: "Blue", stock: 0 }] } }));
    const now = await m.ask("is the denim jacket in stock?");
    expect(now.response).toMatch(/sold out/);
    expect(now.response).toContain("$39.00");
  });

  it("understands Vietnamese with and without diacritics and typos", async () => {
    const m = await merchant();
    const ao = await m.create<{ id: string }>("/ai/knowledge/products", { sku: "AK-1", name: "Áo khoác gió", description: "Vải dù chống nước", price: 350000, currency: "VND", variants: [{ size: "M", stock: 5 }, { size: "L", stock: 0 }] });
    for (const q of ["áo khoác gió còn size M không shop?", "ao khoac gio con size M ko", "ao khoc gio con hang k"]) {
      const a = await m.ask(q);
      expect(a.sources, q).toEqual([{ type: "product", id: ao.id }]);
      expect(a.response, q).toMatch(/350\.000/);
    }
    expect((await m.ask("áo khoác gió chất liệu gì vậy?")).response).toContain("Vải dù chống nước");
  });

  it("names the product a message means in a catalog where its words are common, typo included", async () => {
    const m = await merchant();
    // 400 cotton shirts and 150 linen trousers: "linen" and "shirt" each bring more entries than the bot scores
    await h.database.pool.query(
      `INSERT INTO ai_products (merchant_id, sku, name, price, currency, stock)
       SELECT $1, 'C-' || i, 'Cotton shirt ' || i, 20, 'USD', 5 FROM generate_series(1, 400) AS i
       UNION ALL SELECT $1, 'T-' || i, 'Linen trousers ' || i, 30, 'USD', 5 FROM generate_series(1, 150) AS i`,
      [m.merchantId],
    );
    const linenShirt = await m.create<{ id: string }>("/ai/knowledge/products", { sku: "LS-1", name: "Linen shirt", price: 45, currency: "USD", stock: 3 });
    for (const q of ["do you have the linen shirt?", "is the linnen shirt in stock"]) {
      const a = await m.ask(q);
      expect(a.sources, q).toEqual([{ type: "product", id: linenShirt.id }]);
      expect(a.response, q).toContain("$45.00");
    }
  });

  it("asks instead of inventing when the product is not in the catalog, with no sources", async () => {
    const m = await merchant();
    const a = await m.ask("do you have the velvet cape in stock?");
    expect(a.sources).toEqual([]);
    expect(a.response).not.toMatch(/\$|in stock \(/);
  });
});

describe("answers from FAQ entries", () => {
  it("answers shipping, returns and other questions from the merchant's FAQ, citing the entry", async () => {
    const m = await merchant();
    const ship = await m.create<{ id: string }>("/ai/knowledge/faqs", { question: "How long does delivery take?", answer: "Delivery takes 2 to 4 working days within Vietnam.", tags: ["shipping", "delivery"] });
    const returns = await m.create<{ id: string }>("/ai/knowledge/faqs", { question: "What is your return policy?", answer: "You can return unworn items within 30 days.", tags: ["returns", "refund"] });
    const vi = await m.create<{ id: string }>("/ai/knowledge/faqs", { question: "Phí giao hàng bao nhiêu?", answer: "Phí giao hàng 30.000đ, miễn phí cho đơn từ 500.000đ.", tags: ["phí ship"] });
    const a = await m.ask("how long does shipping take to Hanoi?");
    expect(a).toMatchObject({ response: "Delivery takes 2 to 4 working days within Vietnam.", sources: [{ type: "faq", id: ship.id }], requiresEscalation: false });
    expect((await m.ask("Can I return an item I don't like?")).sources).toEqual([{ type: "faq", id: returns.id }]);
    expect((await m.ask("phi giao hang bao nhieu vay shop")).sources).toEqual([{ type: "faq", id: vi.id }]);
    // another merchant's FAQ never answers
    const other = await merchant();
    expect((await other.ask("how long does shipping take to Hanoi?")).sources).toEqual([]);
  });
});

describe("order lookup", () => {
  it("asks the shop (signed like outgoing webhooks) and answers status, dates and tracking, citing the order", async () => {
    const m = await merchant();
    const settings = expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: m.token, body: { orderLookupUrl: shopUrl } }));
    expect(settings.orderLookupUrl).toBe(shopUrl);
    expect(settings.orderLookupSecret).toMatch(/^olsec_/);
    // the secret is shown once
    expect(expectSuccess(await h.call<Success<SettingsBody>>("GET", "/ai/settings", { token: m.token }))).not.toHaveProperty("orderLookupSecret");
    shopMode = "ok";
    shopRequests.length = 0;
    const a = await m.ask("What's the status of my order #12345?");
    expect(a).toMatchObject({ intent: "order_status_query", requiresEscalation: false, sources: [{ type: "order", id: "12345" }], slots: { orderId: "12345" } });
    expect(a.response).toBe("Order #12345 is shipped. It was shipped on January 15, 2026. It is expected to arrive on January 20, 2026. Track it here: https://track.example.com/12345");
    const req = shopRequests[0];
    expect(req).toBeDefined();
    const timestamp = String(req?.headers["mktx-webhook-timestamp"]);
    expect(req?.headers["mktx-webhook-signature"]).toBe(`v1=${createHmac("sha256", settings.orderLookupSecret ?? "").update(`${timestamp}.${req?.body}`).digest("hex")}`);
    expect(JSON.parse(req?.body ?? "{}")).toMatchObject({ type: "order.lookup", merchantId: m.merchantId, data: { orderId: "12345" } });
  });

  for (const mode of ["redirect", "garbage", "error", "not_found"] as const) {
    it(`says it will pass the question on and escalates when the shop answers with ${mode}`, async () => {
      const m = await merchant();
      expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: m.token, body: { orderLookupUrl: shopUrl } }));
      shopMode = mode;
      const a = await m.ask("where is my order 55501?");
      expect(a).toMatchObject({ intent: "order_status_query", requiresEscalation: true, sources: [] });
      expect(a.response).toMatch(/pass your question on/);
      shopMode = "ok";
    });
  }

  it("gives up after 3 seconds on a shop that hangs", async () => {
    const m = await merchant();
    expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: m.token, body: { orderLookupUrl: shopUrl } }));
    shopMode = "hang";
    const started = Date.now();
    const a = await m.ask("đơn hàng 778899 của mình đang ở đâu?");
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(a).toMatchObject({ requiresEscalation: true, sources: [] });
    shopMode = "ok";
  });

  it("without an order endpoint, hands the order question over", async () => {
    const m = await merchant();
    const a = await m.ask("track order #A1234");
    expect(a).toMatchObject({ intent: "order_status_query", requiresEscalation: true, sources: [] });
    const ctx = expectSuccess(await h.call<Success<{ escalated: boolean; escalationReason: string | null }>>("GET", `/ai/conversations/${m.conversationId}/context`, { token: m.token }));
    expect(ctx).toMatchObject({ escalated: true, escalationReason: "needs_human_answer" });
  });

  it("removes the endpoint with null and refuses a non-URL", async () => {
    const m = await merchant();
    expectFailure(await h.call("PUT", "/ai/settings", { token: m.token, body: { orderLookupUrl: "ftp://shop.example.com" } }), 400, "VALIDATION_ERROR");
    expectFailure(await h.call("PUT", "/ai/settings", { token: m.token, body: { orderLookupUrl: "not a url" } }), 400, "VALIDATION_ERROR");
    expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: m.token, body: { orderLookupUrl: shopUrl } }));
    expect(expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: m.token, body: { orderLookupUrl: null } })).orderLookupUrl).toBeNull();
  });
});
