// The embedded provider's answers from the merchant's facts: a product's price, stock, sizes,
// colours and description as the catalog says them now, an FAQ entry's answer, an order's status
// from the shop. Every fact quoted comes from the knowledge handed in; where there is none the bot
// asks or hands over, and never makes one up.
import type { AiIntent, AiSlots } from "../../../contract/ai.ts";
import type { AiSource, ProductVariant } from "../../../contract/ai-knowledge.ts";
import type { AiKnowledge, KnownFaq, KnownProduct, OrderLookup } from "../../../ports/ai-provider.ts";
import { foldText, type Lang } from "./embedded-nlu.ts";

/** Search scores (full-text rank + mean trigram similarity) from which an entry is taken as meant. */
export const PRODUCT_MIN_SCORE = 0.3;
export const FAQ_MIN_SCORE = 0.3;

export interface KnowledgeAnswer {
  intent: AiIntent;
  confidence: number;
  response: string;
  sources: AiSource[];
  /** the matched product's name (the `product` slot) */
  product?: string;
  handover?: boolean;
}

const PRODUCT_INTENTS = new Set<AiIntent>(["product_availability", "product_size", "product_color", "product_material", "pricing_query"]);
const FAQ_INTENTS = new Set<AiIntent>(["shipping_query", "return_refund", "promotion_query", "unknown", "product_size", "product_material"]);

export function formatPrice(price: number, currency: string, lang: Lang): string {
  try {
    return new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-US", { style: "currency", currency }).format(price);
  } catch {
    return `${price} ${currency}`;
  }
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && foldText(a) === foldText(b);
const unique = (values: Array<string | undefined>) => [...new Set(values.filter((v): v is string => v !== undefined))];
const list = (values: string[], lang: Lang) => (values.length <= 1 ? (values[0] ?? "") : `${values.slice(0, -1).join(", ")} ${lang === "vi" ? "và" : "and"} ${values[values.length - 1] ?? ""}`);

/** The variants the customer named (size and/or colour), or all of them. */
function wanted(p: KnownProduct, slots: AiSlots): { variants: ProductVariant[]; named: string | null } {
  const bySize = slots.size ? p.variants.filter((v) => same(v.size, slots.size)) : p.variants;
  const byColor = slots.color ? bySize.filter((v) => v.color !== undefined && foldText(v.color).includes(foldText(slots.color ?? ""))) : bySize;
  const named = [slots.size && p.variants.some((v) => v.size) ? `size ${slots.size}` : null, slots.color && p.variants.some((v) => v.color) ? slots.color : null].filter(Boolean).join(", ");
  return { variants: byColor, named: named || null };
}

function productAnswer(intent: AiIntent, p: KnownProduct, slots: AiSlots, lang: Lang): string {
  const vi = lang === "vi";
  const price = formatPrice(p.price, p.currency, lang);
  const { variants, named } = wanted(p, slots);
  const inStock = variants.filter((v) => v.stock > 0);
  const sizes = unique(p.variants.filter((v) => v.stock > 0).map((v) => v.size));
  const colors = unique(p.variants.filter((v) => v.stock > 0).map((v) => v.color));
  const total = p.variants.length > 0 ? variants.reduce((n, v) => n + v.stock, 0) : (p.stock ?? null);
  const link = p.url ? (vi ? ` Xem tại: ${p.url}` : ` See it here: ${p.url}`) : "";

  if (intent === "product_material") {
    if (!p.description) return vi ? `Mình chưa có thông tin chất liệu của ${p.name}; mình sẽ hỏi lại nhân viên giúp bạn.` : `I don't have the material details of the ${p.name} to hand; I'll ask the team for you.`;
    return vi ? `${p.name}: ${p.description}.${link}` : `The ${p.name}: ${p.description}.${link}`;
  }
  if (intent === "product_size" && !slots.size) {
    if (p.variants.length === 0 || sizes.length === 0) return vi ? `${p.name} hiện ${total ? `còn ${total} sản phẩm` : "đã hết hàng"}, giá ${price}.` : `The ${p.name} is ${total ? `in stock (${total} left)` : "sold out"} at ${price}.`;
    return vi ? `${p.name} hiện còn size ${list(sizes, lang)}, giá ${price}.${link}` : `The ${p.name} is in stock in size ${list(sizes, lang)}, at ${price}.${link}`;
  }
  if (intent === "product_color" && !slots.color) {
    if (colors.length === 0) return vi ? `${p.name} hiện ${total ? `còn hàng (${total})` : "đã hết hàng"}, giá ${price}.` : `The ${p.name} is ${total ? `in stock (${total} left)` : "sold out"} at ${price}.`;
    return vi ? `${p.name} hiện còn màu ${list(colors, lang)}, giá ${price}.${link}` : `The ${p.name} is in stock in ${list(colors, lang)}, at ${price}.${link}`;
  }
  if (named && variants.length === 0) {
    const other = sizes.length > 0 || colors.length > 0 ? (vi ? ` Hiện còn: ${list([...sizes, ...colors], lang)}.` : ` Available now: ${list([...sizes, ...colors], lang)}.`) : "";
    return vi ? `${p.name} không có ${named}.${other}` : `The ${p.name} doesn't come in ${named}.${other}`;
  }
  if (total === null) return vi ? `${p.name} có giá ${price}.${link}` : `The ${p.name} is ${price}.${link}`;
  if (total === 0 || (p.variants.length > 0 && inStock.length === 0)) {
    const other = named && sizes.length + colors.length > 0 ? (vi ? ` Hiện còn: ${list([...sizes, ...colors], lang)}.` : ` Still available: ${list([...sizes, ...colors], lang)}.`) : "";
    return vi ? `Tiếc quá, ${p.name}${named ? ` (${named})` : ""} đã hết hàng (giá ${price}).${other}` : `Sorry, the ${p.name}${named ? ` in ${named}` : ""} is sold out right now (${price}).${other}`;
  }
  return vi ? `${p.name}${named ? ` (${named})` : ""} còn hàng (${total} sản phẩm), giá ${price}.${link}` : `Yes, the ${p.name}${named ? ` in ${named}` : ""} is in stock (${total} left) at ${price}.${link}`;
}

function orderAnswer(order: OrderLookup, lang: Lang): { response: string; handover: boolean } {
  const vi = lang === "vi";
  if (!order.ok) {
    return {
      response: vi ? `Mình đã ghi nhận đơn hàng #${order.orderId}; mình sẽ chuyển câu hỏi cho nhân viên để kiểm tra và trả lời bạn sớm nhất.` : `I've noted order #${order.orderId}. I'll pass your question on to our team so they can check it and get back to you here.`,
      handover: true,
    };
  }
  const day = (iso: string) => new Date(iso).toLocaleDateString(vi ? "vi-VN" : "en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  const parts = [vi ? `Đơn hàng #${order.orderId}: ${order.status}.` : `Order #${order.orderId} is ${order.status}.`];
  if (order.shippedAt) parts.push(vi ? `Đã gửi ngày ${day(order.shippedAt)}.` : `It was shipped on ${day(order.shippedAt)}.`);
  if (order.expectedAt) parts.push(vi ? `Dự kiến giao ngày ${day(order.expectedAt)}.` : `It is expected to arrive on ${day(order.expectedAt)}.`);
  if (order.trackingUrl) parts.push(vi ? `Theo dõi đơn: ${order.trackingUrl}` : `Track it here: ${order.trackingUrl}`);
  return { response: parts.join(" "), handover: false };
}

const faqAnswer = (f: KnownFaq) => f.answer;

/**
 * An answer from the knowledge when it has what the question asks, else null (the provider's
 * fixed texts stand). Products answer product and price questions; FAQ entries answer shipping,
 * returns, promotions and what the NLU did not classify; the order lookup answers order questions.
 */
export function answerFromKnowledge(opts: { intent: AiIntent; confidence: number; lang: Lang; slots: AiSlots; knowledge: AiKnowledge }): KnowledgeAnswer | null {
  const { intent, lang, slots, knowledge } = opts;
  if (intent === "order_status_query" && knowledge.order) {
    const { response, handover } = orderAnswer(knowledge.order, lang);
    return { intent, confidence: Math.max(opts.confidence, 0.9), response, sources: knowledge.order.ok ? [{ type: "order", id: knowledge.order.orderId }] : [], handover };
  }
  const product = knowledge.products[0];
  const faq = knowledge.faqs[0];
  const productMatch = product && product.score >= PRODUCT_MIN_SCORE ? product : undefined;
  const faqMatch = faq && faq.score >= FAQ_MIN_SCORE ? faq : undefined;
  // a size guide or material FAQ beats a product only when no product is named
  if (PRODUCT_INTENTS.has(intent) && productMatch) {
    return { intent, confidence: Math.max(opts.confidence, 0.85), response: productAnswer(intent, productMatch, slots, lang), sources: [{ type: "product", id: productMatch.id }], product: productMatch.name };
  }
  if (FAQ_INTENTS.has(intent) && faqMatch) {
    return { intent, confidence: Math.max(opts.confidence, 0.75), response: faqAnswer(faqMatch), sources: [{ type: "faq", id: faqMatch.id }] };
  }
  // nothing classified, but a product named plainly ("the linen shirt?"): what the catalog says of it
  if (intent === "unknown" && productMatch) {
    return { intent: "product_availability", confidence: 0.7, response: productAnswer("product_availability", productMatch, slots, lang), sources: [{ type: "product", id: productMatch.id }], product: productMatch.name };
  }
  return null;
}
