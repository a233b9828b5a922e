// Demo data for `pnpm dev`: the demo merchant gets a shop's worth of history so every admin screen
// has something on first open. Two paths, each the one that fits:
// - what a merchant creates by hand (templates, segments, the flow, AI settings, the scheduled
//   campaign) goes through the real API, so it is exactly what the API makes (and the scheduled
//   campaign's start job exists);
// - the history (contacts, conversations in every state, their messages of every origin, the
//   completed campaign's recipients and metrics, the flow's executions, escalations) is written in
//   one transaction, shaped as the inbound processor, the send pipeline, the campaign dispatcher and
//   the flow engine write it.
// Idempotent: nothing is done once the merchant has contacts; before that, each API-made thing is
// looked up by name first (a run that stopped half-way is completed, not duplicated), and the history
// is written in one transaction. Deterministic (a seeded generator), so every first run looks alike.
import { randomUUID } from "node:crypto";
import { createDb, type Prisma } from "@mkt-x/db";
import { composeDm, renderTemplate } from "@mkt-x/core";
import { buildVariableLookup, rewriteLinks } from "@mkt-x/core/server";

/** The two sandbox customers `pnpm dev` creates; they are contacts with a conversation, so a simulated DM from them lands in a known thread. */
export const DEMO_CUSTOMERS = [
  { twitterUserId: "1700000000000000101", username: "customer_john", displayName: "John Doe" },
  { twitterUserId: "1700000000000000102", username: "customer_mai", displayName: "Mai Tran" },
] as const;

export const DEMO_CONTACT_COUNT = 300;
export const DEMO_TEMPLATE_NAMES = { welcome: "Welcome", sale: "Mid-Autumn sale", vip: "VIP early access", restock: "Back in stock" } as const;
export const DEMO_SEGMENT_NAMES = { newsletter: "Newsletter subscribers", vip: "VIP customers", hanoi: "Hanoi shoppers", lapsed: "Quiet for 30 days" } as const;
export const DEMO_FLOW_NAME = "Price enquiry follow-up";
export const DEMO_CAMPAIGN_NAMES = { completed: "Mid-Autumn sale", scheduled: "Year-end VIP preview" } as const;

export interface DemoDataOptions {
  databaseUrl: string;
  merchantId: string;
  /** the connected X account the history belongs to */
  accountId: string;
  /** the user conversations are assigned to (the demo owner) */
  ownerUserId: string;
  /** the running API and an owner's bearer token for it */
  api: { base: string; token: string };
  /** where campaign short links point (the API's public origin); default: api.base's origin */
  publicBaseUrl?: string;
  now?: Date;
}

export interface DemoDataResult {
  /** false when the merchant already had contacts: the history was left as it was */
  seeded: boolean;
  contacts: number;
  conversations: number;
  messages: number;
}

// ── a small deterministic generator ─────────────────────────────────────────────────────────────
function generator(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T,
    chance: (p: number) => next() < p,
  };
}

const ENGLISH_FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan", "Grace", "Jack", "Chloe", "Henry", "Ella", "Samuel", "Ruby", "Daniel", "Isla", "Oscar"];
const ENGLISH_LAST = ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker", "Clarke", "Wright", "Hughes", "Green", "Hall", "Wood", "Harris"];
const VIETNAMESE_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"];
const VIETNAMESE_MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Đức", "Thu", "Quang", "Hoài", "Gia"];
const VIETNAMESE_GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hương", "Khoa", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Long"];
const VIETNAMESE_CITIES = ["Hanoi", "Ho Chi Minh City", "Da Nang", "Hai Phong", "Can Tho", "Hue", "Nha Trang"];
const ENGLISH_CITIES = ["London", "Manchester", "New York", "San Francisco", "Sydney", "Toronto", "Singapore"];
const PLANS = ["free", "basic", "premium"] as const;

const EN_QUESTIONS = [
  "Hi! Do you ship to {{city}}?",
  "How much is the linen shirt in size M?",
  "Is the blue backpack back in stock?",
  "My order hasn't arrived yet, can you check?",
  "Can I change the delivery address on my order?",
  "Do you have a discount code for returning customers?",
  "What's the price of the ceramic mug set?",
  "Can I return a jacket that doesn't fit?",
];
const VI_QUESTIONS = [
  "Chào shop, áo này còn size M không ạ?",
  "Shop ơi, giá bộ cốc gốm là bao nhiêu vậy?",
  "Đơn hàng của mình bao giờ giao tới {{city}} ạ?",
  "Mình muốn đổi địa chỉ nhận hàng được không shop?",
  "Balo xanh có hàng lại chưa shop?",
  "Shop có mã giảm giá cho khách quen không ạ?",
];
const EN_AGENT = ["Thanks for reaching out! Let me check that for you.", "Yes, we do — delivery takes 2-3 days.", "It's $39, and size M is in stock.", "I've updated your order, you'll get a confirmation shortly.", "Sure — here's 10% off: WELCOME10"];
const VI_AGENT = ["Dạ shop kiểm tra giúp bạn ngay ạ.", "Dạ còn size M ạ, giá 390.000đ.", "Dạ đơn sẽ giao trong 2-3 ngày ạ.", "Dạ shop đã cập nhật địa chỉ cho bạn rồi ạ.", "Dạ bạn dùng mã KHACHQUEN giảm 10% nhé."];
const EN_BOT = ["I can help with prices, stock and orders. What are you looking for?", "Our shop is open 9am–9pm, Monday to Saturday.", "You can track your order with the link in your confirmation DM."];
const VI_BOT = ["Mình có thể giúp bạn về giá, hàng còn và đơn hàng. Bạn cần gì ạ?", "Shop mở cửa 9h–21h, thứ Hai đến thứ Bảy ạ."];
const EN_THANKS = ["Great, thank you!", "Perfect, thanks 🙏", "Awesome, I'll order now."];
const VI_THANKS = ["Dạ cảm ơn shop ạ!", "Ok shop, mình đặt luôn nhé.", "Cảm ơn shop nhiều 🙏"];

/** A template rendered as the dispatcher renders it; the demo's templates need nothing a contact lacks. */
function rendered(content: string, lookup: (name: string) => string | undefined): string {
  const result = renderTemplate(content, lookup);
  if (!result.ok) throw new Error(`demo data: missing template variables ${result.missing.join(", ")}`);
  return result.text;
}

const slug = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TWITTER_EPOCH_MS = 1288834974657n;

/** X-shaped snowflake ids from a moment, unique within the seed. */
function snowflakes() {
  let last = 0n;
  return (at: Date) => {
    let id = (BigInt(at.getTime()) - TWITTER_EPOCH_MS) << 22n;
    if (id <= last) id = last + 1n;
    last = id;
    return id.toString();
  };
}

type Json = Prisma.InputJsonValue;

// ── the API-made part ───────────────────────────────────────────────────────────────────────────
async function apiClient(api: DemoDataOptions["api"]) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${api.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${api.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`demo data: ${method} ${path} answered ${res.status}: ${text}`);
    return (JSON.parse(text) as { data: T }).data;
  };
  /** the named item of a list, else what `create` makes */
  const ensure = async <T extends { id: string; name: string }>(listPath: string, name: string, create: () => Promise<T>): Promise<T> => {
    const existing = (await call<T[]>("GET", `${listPath}${listPath.includes("?") ? "&" : "?"}take=100`)).find((x) => x.name === name);
    return existing ?? create();
  };
  return { call, ensure };
}

interface Made {
  templates: Record<keyof typeof DEMO_TEMPLATE_NAMES, { id: string; type: "text" | "quick_reply" | "card"; content: string; quickReplies: { label: string; description?: string; metadata?: string }[] | null; buttons: { label: string; url: string }[] | null }>;
  segments: Record<keyof typeof DEMO_SEGMENT_NAMES, { id: string }>;
  flow: { id: string; nodes: { id: string; type: string; config: Record<string, unknown> }[] };
}

async function seedThroughApi(opts: DemoDataOptions, now: Date): Promise<Made> {
  const { call, ensure } = await apiClient(opts.api);
  type T = Made["templates"][keyof Made["templates"]] & { name: string };
  const template = (name: string, body: Record<string, unknown>) => ensure<T>("/templates", name, () => call<T>("POST", "/templates", { name, ...body }));
  const templates = {
    welcome: await template(DEMO_TEMPLATE_NAMES.welcome, { type: "text", content: "Hi {{first_name}}, welcome to {{shop_name|GoodGo}}! Reply anytime — a real person reads every message." }),
    sale: await template(DEMO_TEMPLATE_NAMES.sale, {
      type: "card",
      content: "🌕 Mid-Autumn sale, {{first_name}}: 20% off mooncake gift boxes and lanterns until Sunday.",
      buttons: [
        { label: "Shop the sale", url: "https://goodgo.example/sale" },
        { label: "Gift boxes", url: "https://goodgo.example/gift-boxes" },
      ],
    }),
    vip: await template(DEMO_TEMPLATE_NAMES.vip, {
      type: "quick_reply",
      content: "{{first_name}}, as a VIP you get first pick of the new collection. Want a preview?",
      quickReplies: [
        { label: "Yes, show me", description: "Get the lookbook by DM", metadata: "vip_yes" },
        { label: "Maybe later", metadata: "vip_later" },
        { label: "No thanks", metadata: "vip_no" },
      ],
    }),
    restock: await template(DEMO_TEMPLATE_NAMES.restock, { type: "text", content: "Good news {{first_name}}: the {{product|item you asked about}} is back in stock in {{city|your city}}." }),
  };

  type S = { id: string; name: string };
  const segment = (name: string, conditions: unknown[], match: "all" | "any" = "all") => ensure<S>("/segments", name, () => call<S>("POST", "/segments", { name, conditions, match }));
  const segments = {
    newsletter: await segment(DEMO_SEGMENT_NAMES.newsletter, [
      { field: "tags", operator: "contains", value: "newsletter" },
      { field: "optedOut", operator: "equals", value: false },
    ]),
    vip: await segment(DEMO_SEGMENT_NAMES.vip, [{ field: "tags", operator: "containsAny", value: ["vip"] }, { field: "attributes.lifetime_value", operator: "greaterOrEqual", value: 300 }], "any"),
    hanoi: await segment(DEMO_SEGMENT_NAMES.hanoi, [{ field: "attributes.city", operator: "equals", value: "Hanoi" }]),
    lapsed: await segment(DEMO_SEGMENT_NAMES.lapsed, [{ field: "lastInteractionAt", operator: "before", value: new Date(now.getTime() - 30 * DAY).toISOString() }, { field: "tags", operator: "contains", value: "returning" }]),
  };

  type F = { id: string; name: string; status: string; nodes: Made["flow"]["nodes"] };
  let flow = await ensure<F>("/automation/flows", DEMO_FLOW_NAME, () =>
    call<F>("POST", "/automation/flows", {
      name: DEMO_FLOW_NAME,
      trigger: { type: "message_received", config: { keywords: ["price", "how much", "giá", "bao nhiêu"] } },
      nodes: [
        { id: "tag", type: "add_tag", config: { tag: "price_enquiry" } },
        { id: "is_vip", type: "condition", config: { field: "tags", operator: "contains", value: "vip" } },
        { id: "vip_offer", type: "send_message", config: { templateId: templates.vip.id, delay: 0 } },
        { id: "welcome", type: "send_message", config: { templateId: templates.welcome.id, delay: 0 } },
        { id: "end", type: "end", config: {} },
      ],
      connections: [
        { fromNodeId: "tag", toNodeId: "is_vip" },
        { fromNodeId: "is_vip", toNodeId: "vip_offer", condition: "true" },
        { fromNodeId: "is_vip", toNodeId: "welcome", condition: "false" },
        { fromNodeId: "vip_offer", toNodeId: "end" },
        { fromNodeId: "welcome", toNodeId: "end" },
      ],
    }),
  );
  if (flow.status !== "active") flow = await call<F>("POST", `/automation/flows/${flow.id}/activate`);

  const ai = await call<{ enabled: boolean }>("GET", "/ai/settings");
  if (!ai.enabled) {
    await call("PUT", "/ai/settings", {
      enabled: true,
      temperature: 0.4,
      maxTokens: 400,
      autoEscalationThreshold: 0.6,
      systemPrompt: "You are GoodGo Shop's assistant. Answer in the customer's language (English or Vietnamese), briefly and warmly. Hand over to a person for refunds, complaints or anything you are unsure about.",
    });
  }

  // a campaign that starts later: made and started through the API, so its start job is queued
  type C = { id: string; name: string; status: string };
  const scheduled = await ensure<C>("/campaigns", DEMO_CAMPAIGN_NAMES.scheduled, () =>
    call<C>("POST", "/campaigns", {
      name: DEMO_CAMPAIGN_NAMES.scheduled,
      type: "promotional",
      templateId: templates.vip.id,
      segmentIds: [segments.vip.id],
      accountId: opts.accountId,
      schedule: { startAt: new Date(now.getTime() + 14 * DAY).toISOString() },
    }),
  );
  if (scheduled.status === "draft") await call("POST", `/campaigns/${scheduled.id}/start`);

  return { templates, segments, flow: { id: flow.id, nodes: flow.nodes } };
}

// ── the history, in one transaction ─────────────────────────────────────────────────────────────
interface ContactRow {
  id: string;
  twitterUserId: string;
  username: string;
  displayName: string;
  vietnamese: boolean;
  tags: string[];
  attributes: { city: string; plan: string; lifetime_value: number };
  source: string;
  firstAt: Date;
  lastAt: Date;
  consentAt: Date | null;
  optedOut: boolean;
  optedOutAt: Date | null;
  conversationCount: number;
}

interface MessageRow {
  id: string;
  conversationId: string;
  contactId: string;
  direction: "inbound" | "outbound";
  type: string;
  content: string;
  metadata: Json | null;
  origin: string;
  isFromBot: boolean;
  automated: boolean;
  status: string;
  twitterMessageId: string | null;
  idempotencyKey: string | null;
  campaignId: string | null;
  error: string | null;
  attempts: number;
  sendingStartedAt: Date | null;
  sentAt: Date | null;
  readAt: Date | null;
  createdAt: Date;
}

export async function seedDemoData(opts: DemoDataOptions): Promise<DemoDataResult> {
  const now = opts.now ?? new Date();
  const db = createDb(opts.databaseUrl, { poolSize: 2 });
  try {
    // seeded once: a merchant with contacts keeps what it has (a deleted demo template stays deleted)
    const existing = await db.contact.count({ where: { merchantId: opts.merchantId } });
    if (existing > 0) return { seeded: false, contacts: existing, conversations: 0, messages: 0 };
    // by name, so a first run that stopped half-way is completed rather than duplicated
    const made = await seedThroughApi(opts, now);
    const history = buildHistory(opts, made, now);
    await db.$transaction(
      async (tx) => {
        await tx.contact.createMany({
          data: history.contacts.map((c) => ({
            id: c.id,
            merchantId: opts.merchantId,
            accountId: opts.accountId,
            twitterUserId: c.twitterUserId,
            username: c.username,
            displayName: c.displayName,
            tags: c.tags,
            attributes: c.attributes,
            source: c.source,
            conversationCount: c.conversationCount,
            firstInteractionAt: c.firstAt,
            lastInteractionAt: c.lastAt,
            consentAt: c.consentAt,
            optedOut: c.optedOut,
            optedOutAt: c.optedOutAt,
            createdAt: c.firstAt,
            updatedAt: c.lastAt,
          })),
        });
        await tx.accountAttributeKey.createMany({ data: ["city", "plan", "lifetime_value"].map((key) => ({ accountId: opts.accountId, key })), skipDuplicates: true });
        await tx.conversation.createMany({ data: history.conversations });
        await tx.message.createMany({ data: history.messages.map((m) => ({ ...m, merchantId: opts.merchantId, accountId: opts.accountId, metadata: m.metadata ?? undefined })) });
        await tx.aiSession.createMany({ data: history.aiSessions });
        await tx.campaign.create({ data: history.campaign });
        await tx.campaignSegment.create({ data: { campaignId: history.campaignId, segmentId: made.segments.newsletter.id, merchantId: opts.merchantId } });
        await tx.campaignRecipient.createMany({ data: history.recipients });
        await tx.shortLink.createMany({ data: history.links });
        await tx.flowExecution.createMany({ data: history.executions });
      },
      { timeout: 60_000 },
    );
    return { seeded: true, contacts: history.contacts.length, conversations: history.conversations.length, messages: history.messages.length };
  } finally {
    await db.$disconnect();
  }
}

function buildHistory(opts: DemoDataOptions, made: Made, now: Date) {
  const rnd = generator(20261204);
  const tid = snowflakes();
  const merchantId = opts.merchantId;
  const publicBaseUrl = opts.publicBaseUrl ?? new URL(opts.api.base).origin;
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const later = (d: Date, ms: number) => new Date(Math.min(d.getTime() + ms, now.getTime() - MINUTE));

  // contacts: the two sandbox customers first, then a mix of English and Vietnamese names
  const contacts: ContactRow[] = [];
  const usernames = new Set<string>();
  for (let i = 0; i < DEMO_CONTACT_COUNT; i++) {
    const fixed = DEMO_CUSTOMERS[i];
    const vietnamese = fixed ? i === 1 : rnd.chance(0.55);
    let displayName: string;
    let username: string;
    if (fixed) {
      displayName = fixed.displayName;
      username = fixed.username;
    } else {
      displayName = vietnamese ? `${rnd.pick(VIETNAMESE_FAMILY)} ${rnd.pick(VIETNAMESE_MIDDLE)} ${rnd.pick(VIETNAMESE_GIVEN)}` : `${rnd.pick(ENGLISH_FIRST)} ${rnd.pick(ENGLISH_LAST)}`;
      const parts = slug(displayName).split("_");
      const base = vietnamese ? `${parts.at(-1)}_${parts[0]}` : `${parts[0]}${rnd.chance(0.5) ? "_" : ""}${parts.at(-1)}`;
      username = base;
      while (usernames.has(username)) username = `${base}${rnd.int(1, 999)}`;
    }
    usernames.add(username);
    const firstAt = ago(rnd.int(2 * HOUR, 120 * DAY));
    const wrote = fixed !== undefined || rnd.chance(0.8);
    const tags: string[] = [];
    if (rnd.chance(0.12)) tags.push("vip");
    if (rnd.chance(0.55)) tags.push("newsletter");
    if (rnd.chance(0.35)) tags.push("returning");
    if (rnd.chance(0.08)) tags.push("wholesale");
    if (fixed) tags.push("newsletter");
    const plan = rnd.pick(PLANS);
    const lifetime = plan === "premium" ? rnd.int(250, 2400) : plan === "basic" ? rnd.int(40, 600) : rnd.int(0, 120);
    const optedOut = !fixed && rnd.chance(0.04);
    contacts.push({
      id: randomUUID(),
      twitterUserId: fixed?.twitterUserId ?? (1700000000000100000n + BigInt(i)).toString(),
      username,
      displayName,
      vietnamese,
      tags: [...new Set(tags)],
      attributes: { city: rnd.pick(vietnamese ? VIETNAMESE_CITIES : ENGLISH_CITIES), plan, lifetime_value: lifetime },
      source: wrote ? "inbound_message" : "new_follower",
      firstAt,
      lastAt: firstAt,
      consentAt: wrote ? firstAt : null,
      optedOut,
      optedOutAt: optedOut ? later(firstAt, DAY) : null,
      conversationCount: 0,
    });
  }

  const conversations: Prisma.ConversationCreateManyInput[] = [];
  const messages: MessageRow[] = [];
  const aiSessions: Prisma.AiSessionCreateManyInput[] = [];

  function addMessage(conv: { id: string; contact: ContactRow }, m: Partial<MessageRow> & Pick<MessageRow, "direction" | "content" | "origin" | "createdAt">): MessageRow {
    const outbound = m.direction === "outbound";
    const status = m.status ?? (outbound ? "sent" : "received");
    const row: MessageRow = {
      id: randomUUID(),
      conversationId: conv.id,
      contactId: conv.contact.id,
      direction: m.direction,
      type: m.type ?? "text",
      content: m.content,
      metadata: m.metadata ?? null,
      origin: m.origin,
      isFromBot: m.isFromBot ?? false,
      automated: m.automated ?? false,
      status,
      // inbound: X's event id; outbound: the id X answered with (a failed send has none)
      twitterMessageId: status === "failed" ? null : tid(m.createdAt),
      idempotencyKey: outbound ? (m.idempotencyKey ?? randomUUID()) : null,
      campaignId: m.campaignId ?? null,
      error: m.error ?? null,
      attempts: outbound ? (m.attempts ?? 1) : 0,
      sendingStartedAt: outbound ? m.createdAt : null,
      sentAt: outbound && status === "sent" ? later(m.createdAt, 800) : null,
      readAt: m.readAt ?? null,
      createdAt: m.createdAt,
    };
    messages.push(row);
    return row;
  }

  const fill = (text: string, c: ContactRow) => text.replace("{{city}}", c.attributes.city);

  /** One inbox conversation: the customer writes, the bot and/or an agent answer. */
  function inboxConversation(contact: ContactRow, state: "open" | "assigned" | "escalated" | "closed", withBot: boolean, failedReply: boolean) {
    const startedAt = state === "closed" ? later(contact.firstAt, rnd.int(0, 3) * HOUR) : ago(rnd.int(20 * MINUTE, 3 * DAY));
    const conv = { id: randomUUID(), contact };
    let at = startedAt;
    const step = () => (at = later(at, rnd.int(1, 40) * MINUTE));
    const vi = contact.vietnamese;
    const rows: MessageRow[] = [];
    const question = addMessage(conv, { direction: "inbound", content: fill(rnd.pick(vi ? VI_QUESTIONS : EN_QUESTIONS), contact), origin: "customer", createdAt: at });
    rows.push(question);
    if (withBot) {
      step();
      rows.push(addMessage(conv, { direction: "outbound", content: rnd.pick(vi ? VI_BOT : EN_BOT), origin: "ai", isFromBot: true, automated: true, idempotencyKey: `ai:${question.id}`, createdAt: at, readAt: later(at, 2 * MINUTE) }));
    }
    if (state === "escalated") {
      step();
      rows.push(addMessage(conv, { direction: "inbound", content: vi ? "Mình muốn nói chuyện với nhân viên ạ, hàng bị lỗi." : "I'd like to talk to a person please, the item arrived damaged.", origin: "customer", createdAt: at }));
    } else if (state !== "open" || rnd.chance(0.5)) {
      step();
      rows.push(
        addMessage(conv, {
          direction: "outbound",
          content: rnd.pick(vi ? VI_AGENT : EN_AGENT),
          origin: "inbox",
          createdAt: at,
          ...(failedReply ? { status: "failed", error: "gave up after 5 attempts: X answered 503 Service Unavailable", attempts: 5 } : { readAt: rnd.chance(0.7) ? later(at, rnd.int(1, 90) * MINUTE) : null }),
        }),
      );
      if (state === "closed" || rnd.chance(0.4)) {
        step();
        rows.push(addMessage(conv, { direction: "inbound", content: rnd.pick(vi ? VI_THANKS : EN_THANKS), origin: "customer", createdAt: at }));
      }
    }
    const last = rows.at(-1) as MessageRow;
    conversations.push({
      id: conv.id,
      merchantId,
      accountId: opts.accountId,
      contactId: contact.id,
      status: state === "closed" ? "closed" : "open",
      assignedToUserId: state === "assigned" || (state === "closed" && rnd.chance(0.6)) ? opts.ownerUserId : null,
      messageCount: rows.length,
      startedAt,
      lastMessageAt: last.createdAt,
      closedAt: state === "closed" ? later(last.createdAt, 2 * HOUR) : null,
      closeReason: state === "closed" ? rnd.pick(["resolved", "resolved", "no reply", null]) : null,
      createdAt: startedAt,
      updatedAt: last.createdAt,
    });
    if (withBot || state === "escalated") {
      aiSessions.push({
        merchantId,
        conversationId: conv.id,
        context: [],
        currentIntent: state === "escalated" ? "complaint" : null,
        escalated: state === "escalated",
        escalatedAt: state === "escalated" ? last.createdAt : null,
        escalationReason: state === "escalated" ? "The customer asked for a person (damaged item)" : null,
      });
    }
    contact.conversationCount += 1;
    if (last.createdAt > contact.lastAt) contact.lastAt = last.createdAt;
    if (contact.firstAt > startedAt) {
      contact.firstAt = startedAt;
      contact.consentAt = startedAt;
    }
    return conv;
  }

  // conversations in every state; the two sandbox customers have open ones
  const writers = contacts.filter((c) => c.consentAt !== null && !c.optedOut);
  const plan: ("open" | "assigned" | "escalated" | "closed")[] = [
    ...Array<"open">(28).fill("open"),
    ...Array<"assigned">(16).fill("assigned"),
    ...Array<"escalated">(8).fill("escalated"),
    ...Array<"closed">(70).fill("closed"),
  ];
  const inboxContacts = writers.slice(0, plan.length);
  inboxContacts.forEach((contact, i) => inboxConversation(contact, plan[i] ?? "closed", i % 3 === 0 || plan[i] === "escalated", i === 5 || i === 40));

  // the completed campaign: newsletter contacts who have no conversation yet, 10 days ago
  const sale = made.templates.sale;
  const campaignId = randomUUID();
  const campaignStart = ago(10 * DAY);
  const used = new Set(inboxContacts.map((c) => c.id));
  const audience = contacts.filter((c) => c.tags.includes("newsletter") && !used.has(c.id));
  const recipients: Prisma.CampaignRecipientCreateManyInput[] = [];
  const links: Prisma.ShortLinkCreateManyInput[] = [];
  let sentCount = 0;
  audience.forEach((contact, i) => {
    const recipientId = randomUUID();
    const base = { id: recipientId, merchantId, campaignId, contactId: contact.id, run: 1, createdAt: campaignStart };
    // the dispatcher's own rules: opted out or never wrote (the account requires consent) are skipped
    if (contact.optedOut || contact.consentAt === null) {
      recipients.push({ ...base, status: "skipped", skipReason: contact.optedOut ? "opted_out" : "no_consent" });
      return;
    }
    const at = new Date(campaignStart.getTime() + i * 1500);
    const lookup = buildVariableLookup({ contact: { displayName: contact.displayName, username: contact.username, attributes: contact.attributes }, accountName: "GoodGo Official" });
    const dm = composeDm({ type: sale.type, text: rendered(sale.content, lookup), quickReplies: sale.quickReplies, buttons: sale.buttons });
    if (!dm.ok) throw new Error(dm.error);
    const withLinks = rewriteLinks(dm.text, publicBaseUrl, recipientId);
    const failed = i % 37 === 5;
    const read = !failed && rnd.chance(0.62);
    const clicked = read && rnd.chance(0.35);
    const replied = read && rnd.chance(0.18);
    const conv = { id: randomUUID(), contact };
    const message = addMessage(conv, {
      direction: "outbound",
      type: sale.type,
      content: withLinks.text,
      metadata: dm.metadata as unknown as Json,
      origin: "campaign",
      automated: true,
      idempotencyKey: `campaign:${campaignId}:1:${contact.id}`,
      campaignId,
      createdAt: at,
      ...(failed ? { status: "failed", error: "gave up after 5 attempts: X answered 403: You cannot send messages to this user.", attempts: 5 } : {}),
      readAt: read ? later(at, rnd.int(5, 600) * MINUTE) : null,
    });
    const rows = [message];
    const repliedAt = replied ? later(at, rnd.int(1, 48) * HOUR) : null;
    if (repliedAt) rows.push(addMessage(conv, { direction: "inbound", content: contact.vietnamese ? "Hộp bánh trung thu còn không shop?" : "Are the gift boxes still available?", origin: "customer", createdAt: repliedAt }));
    const clickedAt = clicked ? later(at, rnd.int(10, 900) * MINUTE) : null;
    withLinks.links.forEach((l, n) => links.push({ merchantId, code: l.code, url: l.url, campaignId, recipientId, clicks: clicked && n === 0 ? rnd.int(1, 3) : 0, createdAt: at }));
    recipients.push({
      ...base,
      status: failed ? "failed" : "sent",
      messageId: message.id,
      error: failed ? message.error : null,
      sentAt: failed ? null : message.sentAt,
      deliveredAt: failed ? null : message.sentAt,
      openedAt: message.readAt,
      clickedAt,
      repliedAt,
    });
    if (!failed) sentCount++;
    const last = rows.at(-1) as MessageRow;
    // the dispatcher opened a conversation for the DM; those without a reply were closed since
    conversations.push({
      id: conv.id,
      merchantId,
      accountId: opts.accountId,
      contactId: contact.id,
      status: replied ? "open" : "closed",
      messageCount: rows.length,
      startedAt: at,
      lastMessageAt: last.createdAt,
      closedAt: replied ? null : later(last.createdAt, 3 * DAY),
      closeReason: replied ? null : "no reply",
      createdAt: at,
      updatedAt: last.createdAt,
    });
    contact.conversationCount += 1;
    if (last.createdAt > contact.lastAt) contact.lastAt = last.createdAt;
  });
  const lastSend = new Date(campaignStart.getTime() + audience.length * 1500);
  const campaign: Prisma.CampaignUncheckedCreateInput = {
    id: campaignId,
    merchantId,
    name: DEMO_CAMPAIGN_NAMES.completed,
    type: "promotional",
    status: "completed",
    templateId: sale.id,
    accountId: opts.accountId,
    variables: {},
    run: 1,
    startedAt: campaignStart,
    completedAt: later(lastSend, 2 * MINUTE),
    expectedFinishAt: lastSend,
    createdAt: ago(12 * DAY),
    updatedAt: later(lastSend, 2 * MINUTE),
  };
  if (sentCount === 0) throw new Error("demo data: the completed campaign reached nobody");

  // the flow's executions: conversations that began with a price question, each with the DM it sent
  const flowNodes = made.flow.nodes;
  const vipNode = flowNodes.find((n) => n.id === "vip_offer");
  const welcomeNode = flowNodes.find((n) => n.id === "welcome");
  const executions: Prisma.FlowExecutionCreateManyInput[] = [];
  const convOf = new Map(conversations.map((c) => [c.contactId, c]));
  // the flow's trigger: a first message that names one of its keywords
  const firstQuestion = (contactId: string) => messages.find((m) => m.conversationId === convOf.get(contactId)?.id && m.direction === "inbound")?.content ?? "";
  const flowContacts = inboxContacts.filter((c) => c.conversationCount === 1 && /price|how much|giá|bao nhiêu/i.test(firstQuestion(c.id))).slice(0, 36);
  flowContacts.forEach((contact, i) => {
    const conv = convOf.get(contact.id);
    if (!conv?.id || !vipNode || !welcomeNode) return;
    const conversationId = conv.id;
    const execId = randomUUID();
    const startedAt = new Date(conv.startedAt as Date);
    const vip = contact.tags.includes("vip");
    const node = vip ? vipNode : welcomeNode;
    const template = vip ? made.templates.vip : made.templates.welcome;
    const failed = i % 12 === 7;
    const status = failed ? "failed" : i % 15 === 3 ? "cancelled" : "completed";
    const trigger = messages.find((m) => m.conversationId === conversationId && m.direction === "inbound");
    executions.push({
      id: execId,
      merchantId,
      flowId: made.flow.id,
      contactId: contact.id,
      status,
      currentNodeId: status === "completed" ? "end" : node.id,
      // the flow engine's key for a message_received event: contact, conversation, message
      triggerKey: `message_received:${contact.id}:${conversationId}:${trigger?.id ?? execId}`,
      context: {},
      error: failed ? "the contact opted out before the DM was sent" : null,
      startedAt,
      completedAt: later(startedAt, 2 * MINUTE),
    });
    if (!contact.tags.includes("price_enquiry")) contact.tags.push("price_enquiry");
    if (status !== "completed") return;
    const lookup = buildVariableLookup({ contact: { displayName: contact.displayName, username: contact.username, attributes: contact.attributes }, accountName: "GoodGo Official" });
    const dm = composeDm({ type: template.type, text: rendered(template.content, lookup), quickReplies: template.quickReplies, buttons: template.buttons });
    if (!dm.ok) throw new Error(dm.error);
    const at = later(startedAt, 30_000);
    addMessage({ id: conversationId, contact }, { direction: "outbound", type: template.type, content: dm.text, metadata: dm.metadata as unknown as Json, origin: "flow", automated: true, idempotencyKey: `flow:${execId}:${node.id}`, createdAt: at });
    conv.messageCount = (conv.messageCount ?? 0) + 1;
    if (at > (conv.lastMessageAt as Date)) conv.lastMessageAt = at;
  });

  return { contacts, conversations, messages, aiSessions, campaignId, campaign, recipients, links, executions };
}
