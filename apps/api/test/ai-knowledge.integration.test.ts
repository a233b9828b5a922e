// The AI's knowledge through the REST stack: FAQ and product CRUD, SKU conflicts, validation,
// roles, tenant scoping, the streamed products CSV import and accent/typo-tolerant search.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { newMerchant, type Success } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

interface FaqBody {
  id: string;
  question: string;
  answer: string;
  tags: string[];
  language: string | null;
}
interface ProductBody {
  id: string;
  sku: string;
  name: string;
  price: number;
  currency: string;
  variants: Array<{ size?: string; color?: string; stock: number }>;
  stock: number | null;
  tags: string[];
}
interface ImportBody {
  rows: number;
  inserted: number;
  updated: number;
  failed: number;
  errors: Array<{ row: number; field: string | null; reason: string }>;
  errorsTruncated: boolean;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const merchantToken = async (role: "owner" | "admin" | "agent" | "viewer" = "owner", merchantId = newMerchant()) => ({ merchantId, token: await h.token({ merchantId, role }) });
const post = <T>(path: string, token: string, body: unknown) => h.call<Success<T>>("POST", path, { token, body });
const importCsv = (token: string, csv: string, contentType = "text/csv") =>
  h.call<Success<ImportBody>>("POST", "/ai/knowledge/products/import", { token, rawBody: csv, headers: { "content-type": contentType } });
const jacket = { sku: "JK-01", name: "Denim jacket", description: "Cotton denim, stone washed", price: 49.9, currency: "usd", variants: [{ size: "M", color: "Blue", stock: 3 }, { size: "L", color: "Blue", stock: 0 }], tags: ["jacket"] };

describe("FAQ entries", () => {
  it("creates, reads, lists, updates and deletes", async () => {
    const { token } = await merchantToken();
    const faq = expectSuccess(await post<FaqBody>("/ai/knowledge/faqs", token, { question: "How long does shipping take?", answer: "2 to 4 working days.", tags: ["shipping"], language: "en" }));
    expect(faq).toMatchObject({ question: "How long does shipping take?", tags: ["shipping"], language: "en" });
    expect(expectSuccess(await h.call<Success<FaqBody>>("GET", `/ai/knowledge/faqs/${faq.id}`, { token })).answer).toBe("2 to 4 working days.");
    const updated = expectSuccess(await h.call<Success<FaqBody>>("PUT", `/ai/knowledge/faqs/${faq.id}`, { token, body: { answer: "3 working days." } }));
    expect(updated).toMatchObject({ question: "How long does shipping take?", answer: "3 working days." });
    const list = await h.call<Success<FaqBody[]>>("GET", "/ai/knowledge/faqs?take=10", { token });
    expect(expectSuccess(list).map((f) => f.id)).toEqual([faq.id]);
    expect(list.body.pagination).toMatchObject({ total: 1, limit: 10 });
    expect(expectSuccess(await h.call<Success<null>>("DELETE", `/ai/knowledge/faqs/${faq.id}`, { token }))).toBeNull();
    expectFailure(await h.call("GET", `/ai/knowledge/faqs/${faq.id}`, { token }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("DELETE", `/ai/knowledge/faqs/${faq.id}`, { token }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("GET", "/ai/knowledge/faqs/not-a-uuid", { token }), 404, "RESOURCE_NOT_FOUND");
  });

  it("refuses bad input with 400, never 500", async () => {
    const { token } = await merchantToken();
    const bad = [{}, { question: "", answer: "a" }, { question: "q", answer: "a".repeat(5001) }, { question: "q", answer: "a", tags: "x" }, { question: "q", answer: "a", language: "english!" }, { question: "q", answer: "a", extra: 1 }];
    for (const body of bad) expectFailure(await post("/ai/knowledge/faqs", token, body), 400, "VALIDATION_ERROR");
    expectFailure(await h.call("GET", "/ai/knowledge/faqs?take=0", { token }), 400, "VALIDATION_ERROR");
    expectFailure(await h.call("GET", `/ai/knowledge/faqs?search=${"x".repeat(201)}`, { token }), 400, "VALIDATION_ERROR");
  });
});

describe("products", () => {
  it("creates with variants (stock summed), quotes the price as a number, updates and deletes", async () => {
    const { token } = await merchantToken("admin");
    const p = expectSuccess(await post<ProductBody>("/ai/knowledge/products", token, jacket));
    expect(p).toMatchObject({ sku: "JK-01", price: 49.9, currency: "USD", stock: 3, variants: jacket.variants });
    const changed = expectSuccess(await h.call<Success<ProductBody>>("PUT", `/ai/knowledge/products/${p.id}`, { token, body: { price: 39.5, variants: [{ size: "S", stock: 7 }] } }));
    expect(changed).toMatchObject({ price: 39.5, stock: 7, variants: [{ size: "S", stock: 7 }], name: "Denim jacket" });
    expect(expectSuccess(await h.call<Success<ProductBody>>("GET", `/ai/knowledge/products/${p.id}`, { token })).price).toBe(39.5);
    expectSuccess(await h.call<Success<null>>("DELETE", `/ai/knowledge/products/${p.id}`, { token }));
    expectFailure(await h.call("GET", `/ai/knowledge/products/${p.id}`, { token }), 404, "RESOURCE_NOT_FOUND");
  });

  it("answers 409 CONFLICT for a SKU the merchant already uses, on create and on update; other merchants may use it", async () => {
    const { token } = await merchantToken();
    expectSuccess(await post("/ai/knowledge/products", token, jacket));
    const conflict = expectFailure(await post("/ai/knowledge/products", token, { ...jacket, name: "Other" }), 409, "CONFLICT");
    expect(detailFields(conflict)).toEqual(["sku"]);
    const other = expectSuccess(await post<ProductBody>("/ai/knowledge/products", token, { ...jacket, sku: "JK-02" }));
    expectFailure(await h.call("PUT", `/ai/knowledge/products/${other.id}`, { token, body: { sku: "JK-01" } }), 409, "CONFLICT");
    const { token: elsewhere } = await merchantToken();
    expectSuccess(await post("/ai/knowledge/products", elsewhere, jacket));
  });

  it("refuses bad products with 400", async () => {
    const { token } = await merchantToken();
    const bad = [
      { ...jacket, price: -1 }, { ...jacket, price: 1.234 }, { ...jacket, price: "twelve" }, { ...jacket, currency: "dollars" },
      { ...jacket, variants: [{ size: "M", stock: -2 }] }, { ...jacket, variants: [{ size: "M" }] }, { ...jacket, url: "javascript:alert(1)" },
      { ...jacket, sku: "" }, { name: "x", price: 1, currency: "USD" }, { ...jacket, stock: 1.5 }, { ...jacket, unknown: true },
    ];
    for (const body of bad) expectFailure(await post("/ai/knowledge/products", token, body), 400, "VALIDATION_ERROR");
  });
});

describe("roles and tenants", () => {
  it("lets everyone read, only owners and admins write", async () => {
    const owner = await merchantToken("owner");
    const faq = expectSuccess(await post<FaqBody>("/ai/knowledge/faqs", owner.token, { question: "Returns?", answer: "30 days." }));
    const product = expectSuccess(await post<ProductBody>("/ai/knowledge/products", owner.token, jacket));
    for (const role of ["agent", "viewer"] as const) {
      const { token } = await merchantToken(role, owner.merchantId);
      expectSuccess(await h.call<Success<unknown>>("GET", "/ai/knowledge/faqs", { token }));
      expectSuccess(await h.call<Success<unknown>>("GET", `/ai/knowledge/products/${product.id}`, { token }));
      expectFailure(await post("/ai/knowledge/faqs", token, { question: "q", answer: "a" }), 403, "FORBIDDEN");
      expectFailure(await h.call("PUT", `/ai/knowledge/faqs/${faq.id}`, { token, body: { answer: "x" } }), 403, "FORBIDDEN");
      expectFailure(await h.call("DELETE", `/ai/knowledge/products/${product.id}`, { token }), 403, "FORBIDDEN");
      expectFailure(await importCsv(token, "sku,name,price,currency\nA,B,1,USD\n"), 403, "FORBIDDEN");
    }
  });

  it("keeps each merchant's knowledge to itself", async () => {
    const a = await merchantToken();
    const b = await merchantToken();
    const faq = expectSuccess(await post<FaqBody>("/ai/knowledge/faqs", a.token, { question: "Do you ship abroad?", answer: "Yes, worldwide." }));
    const product = expectSuccess(await post<ProductBody>("/ai/knowledge/products", a.token, jacket));
    expectFailure(await h.call("GET", `/ai/knowledge/faqs/${faq.id}`, { token: b.token }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("PUT", `/ai/knowledge/products/${product.id}`, { token: b.token, body: { price: 1 } }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("DELETE", `/ai/knowledge/faqs/${faq.id}`, { token: b.token }), 404, "RESOURCE_NOT_FOUND");
    expect(expectSuccess(await h.call<Success<FaqBody[]>>("GET", "/ai/knowledge/faqs?search=ship", { token: b.token }))).toEqual([]);
    expect(expectSuccess(await h.call<Success<ProductBody[]>>("GET", "/ai/knowledge/products", { token: b.token }))).toEqual([]);
    expect(expectSuccess(await h.call<Success<ProductBody>>("GET", `/ai/knowledge/products/${product.id}`, { token: a.token })).price).toBe(49.9);
  });
});

describe("POST /ai/knowledge/products/import", () => {
  it("upserts by SKU and reports bad rows with their row number, hostile cells stored as text", async () => {
    const { token } = await merchantToken();
    const csv = [
      "SKU,Name,Price,Currency,Variants,Tags,Description",
      "TS-1,Linen shirt,25,EUR,S:White:2|M:White:0,shirt|linen,Light linen",
      "TS-2,Wool scarf,abc,EUR,,,",
      "TS-3,\"=HYPERLINK(\"\"http://evil\"\")\",10,EUR,,,",
      "TS-4,Cap,5,EURO,,,",
      "TS-5,Socks,3,USD,M:Black:x,,",
      "TS-1,Linen shirt v2,27.5,EUR,,,",
    ].join("\n");
    const result = expectSuccess(await importCsv(token, csv));
    expect(result).toMatchObject({ rows: 6, inserted: 2, updated: 1, failed: 3, errorsTruncated: false });
    expect(result.errors.map((e) => [e.row, e.field])).toEqual([[3, "price"], [5, "currency"], [6, "variants"]]);
    const list = expectSuccess(await h.call<Success<ProductBody[]>>("GET", "/ai/knowledge/products", { token }));
    expect(list.find((p) => p.sku === "TS-1")).toMatchObject({ name: "Linen shirt v2", price: 27.5 });
    expect(list.find((p) => p.sku === "TS-3")?.name).toBe('=HYPERLINK("http://evil")');
    // importing again updates, never duplicates
    expect(expectSuccess(await importCsv(token, "sku,name,price,currency\nTS-3,Hat,10,EUR\n"))).toMatchObject({ inserted: 0, updated: 1 });
  });

  it("refuses a bad header, an empty file and other media types", async () => {
    const { token } = await merchantToken();
    expectFailure(await importCsv(token, "sku,name\nA,B\n"), 400, "VALIDATION_ERROR");
    expectFailure(await importCsv(token, "sku,name,price,currency,evil\n"), 400, "VALIDATION_ERROR");
    expectFailure(await importCsv(token, ""), 400, "VALIDATION_ERROR");
    expectFailure(await importCsv(token, "sku,name,price,currency\n", "application/json"), 400, "VALIDATION_ERROR");
    expect(expectSuccess(await importCsv(token, 'sku,name,price,currency\n"unclosed,1,2,3\n'))).toMatchObject({ failed: 1 });
  });
});

describe("search", () => {
  it("finds products and FAQs without accents, with accents, and with typos; best match first", async () => {
    const { token } = await merchantToken();
    const aoKhoac = expectSuccess(await post<ProductBody>("/ai/knowledge/products", token, { sku: "AK-1", name: "Áo khoác gió", description: "Chất liệu dù chống nước", price: 350000, currency: "VND", tags: ["áo khoác"] }));
    const dam = expectSuccess(await post<ProductBody>("/ai/knowledge/products", token, { sku: "DM-1", name: "Đầm maxi đi biển", price: 420000, currency: "VND" }));
    const leather = expectSuccess(await post<ProductBody>("/ai/knowledge/products", token, { sku: "LJ-9", name: "Leather jacket", description: "Genuine leather", price: 199, currency: "USD" }));
    const search = async (q: string) => expectSuccess(await h.call<Success<ProductBody[]>>("GET", `/ai/knowledge/products?search=${encodeURIComponent(q)}`, { token })).map((p) => p.id);
    expect((await search("ao khoac"))[0]).toBe(aoKhoac.id);
    expect((await search("ÁO KHOÁC"))[0]).toBe(aoKhoac.id);
    expect((await search("dam maxi"))[0]).toBe(dam.id);
    expect((await search("đầm"))[0]).toBe(dam.id);
    expect((await search("lether jackt"))[0]).toBe(leather.id);
    expect((await search("chong nuoc"))[0]).toBe(aoKhoac.id);
    expect(await search("xyzzy")).toEqual([]);

    const ship = expectSuccess(await post<FaqBody>("/ai/knowledge/faqs", token, { question: "Phí vận chuyển bao nhiêu?", answer: "Miễn phí cho đơn từ 500.000đ.", tags: ["giao hàng"] }));
    const returns = expectSuccess(await post<FaqBody>("/ai/knowledge/faqs", token, { question: "What is your return policy?", answer: "Returns within 30 days, unworn, with tags." }));
    const faqs = async (q: string) => expectSuccess(await h.call<Success<FaqBody[]>>("GET", `/ai/knowledge/faqs?search=${encodeURIComponent(q)}`, { token })).map((f) => f.id);
    expect((await faqs("phi van chuyen"))[0]).toBe(ship.id);
    expect((await faqs("retrun polcy"))[0]).toBe(returns.id);
  });

  it("searches the words products have now: renamed, imported and deleted ones, typos included", async () => {
    const { token } = await merchantToken();
    const search = async (q: string) => expectSuccess(await h.call<Success<ProductBody[]>>("GET", `/ai/knowledge/products?search=${encodeURIComponent(q)}`, { token })).map((p) => p.sku);
    const scarf = expectSuccess(await post<ProductBody>("/ai/knowledge/products", token, { sku: "SC-1", name: "Wool scarf", price: 15, currency: "USD" }));
    expect(await search("wol scarf")).toEqual(["SC-1"]);
    expectSuccess(await h.call<Success<ProductBody>>("PUT", `/ai/knowledge/products/${scarf.id}`, { token, body: { name: "Cashmere shawl" } }));
    expect(await search("scarf")).toEqual([]);
    expect(await search("cashmer shawl")).toEqual(["SC-1"]);
    // a stock change leaves the words as they were
    expectSuccess(await h.call<Success<ProductBody>>("PUT", `/ai/knowledge/products/${scarf.id}`, { token, body: { stock: 2 } }));
    expect(await search("cashmere")).toEqual(["SC-1"]);
    expect(expectSuccess(await importCsv(token, "sku,name,price,currency\nBT-1,Leather boots,120,USD\nBT-2,Suede boots,110,USD\n"))).toMatchObject({ inserted: 2 });
    expect((await search("bots")).sort()).toEqual(["BT-1", "BT-2"]);
    // an import that changes a product's name (insert … on conflict update)
    expect(expectSuccess(await importCsv(token, "sku,name,price,currency\nBT-2,Suede loafers,110,USD\n"))).toMatchObject({ inserted: 0, updated: 1 });
    expect(await search("bots")).toEqual(["BT-1"]);
    expect(await search("lofers")).toEqual(["BT-2"]);
    expectSuccess(await h.call<Success<null>>("DELETE", `/ai/knowledge/products/${scarf.id}`, { token }));
    expect(await search("cashmere shawl")).toEqual([]);
  });
});
