// The embedded AI provider: a deterministic, offline rule/keyword NLU (English and basic
// Vietnamese). Same input, same answer; no network. Confidence reflects how strongly the message
// matched: an explicit phrase scores higher than a lone keyword, nothing matched scores 0.2.
import type { AiIntent, AiSlots } from "../../../contract/ai.ts";
import type { AiProvider, AiUnderstandInput, AiUnderstanding } from "../../../ports/ai-provider.ts";

type Lang = "en" | "vi";

interface Rule {
  intent: Exclude<AiIntent, "unknown">;
  /** whole phrases: a strong match */
  strong: RegExp[];
  /** single keywords: a weaker match */
  weak: RegExp[];
}

/** Lower case, accents removed (đ → d), spaces collapsed: Vietnamese typed with or without accents matches alike. */
export function foldText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, " ")
    .trim();
}

const w = (words: string) => new RegExp(`(?:^|[^a-z0-9])(?:${words})(?:$|[^a-z0-9])`);

// Order matters: the first rule with the best score wins a tie (human_request before the rest).
const RULES: Rule[] = [
  {
    intent: "human_request",
    strong: [w("(?:talk|speak|chat) (?:to|with) (?:a |an |the )?(?:human|person|agent|representative|real person|someone|manager)"), w("real (?:person|human)"), w("nguoi that"), w("gap nhan vien"), w("nhan vien ho tro"), w("customer service (?:agent|rep)")],
    weak: [w("agent"), w("human"), w("representative"), w("operator"), w("nhan vien"), w("tu van vien")],
  },
  {
    intent: "opt_out",
    strong: [w("unsubscribe"), w("opt ?out"), w("stop (?:messaging|sending|texting)(?: me)?"), w("huy dang ky"), w("dung gui"), w("khong nhan tin nua")],
    weak: [w("stop"), w("huy")],
  },
  {
    intent: "complaint",
    strong: [w("(?:very|so|really) (?:disappointed|unhappy|angry)"), w("worst (?:service|experience)"), w("(?:i want to|i'd like to) complain"), w("(?:item|product|package|order) (?:arrived |is |was )?(?:broken|damaged|defective)"), w("rat that vong"), w("qua te"), w("khieu nai")],
    weak: [w("complain(?:t)?"), w("terrible"), w("awful"), w("disappointed"), w("unacceptable"), w("broken"), w("damaged"), w("defective"), w("that vong"), w("buc minh"), w("te qua")],
  },
  {
    intent: "order_status_query",
    strong: [w("(?:status|track(?:ing)?) (?:of |for )?(?:my |the )?order"), w("where(?: is|'s) my (?:order|package|parcel)"), w("order status"), w("track(?:ing)? (?:my )?(?:order|package|parcel)"), w("don hang (?:cua (?:toi|minh|em) )?(?:dang )?o dau"), w("tinh trang don(?: hang)?"), w("kiem tra don(?: hang)?")],
    weak: [w("order"), w("tracking"), w("package"), w("parcel"), w("don hang")],
  },
  {
    intent: "return_refund",
    strong: [w("(?:i want|i'd like|how (?:do|can) i) (?:to )?(?:return|get a refund|refund|exchange)"), w("money back"), w("refund (?:my|for)"), w("doi tra"), w("hoan tien"), w("tra hang")],
    weak: [w("refund"), w("return"), w("exchange"), w("hoan"), w("doi hang")],
  },
  {
    intent: "shipping_query",
    strong: [w("how long (?:does|will) (?:it take to )?(?:shipping|delivery|it take)"), w("(?:shipping|delivery) (?:time|cost|fee|options?)"), w("do you (?:ship|deliver) to"), w("phi (?:van chuyen|giao hang|ship)"), w("bao lau (?:thi )?(?:nhan|giao)"), w("giao hang (?:mat )?bao lau")],
    weak: [w("shipping"), w("ship"), w("delivery"), w("deliver"), w("courier"), w("giao hang"), w("van chuyen")],
  },
  {
    intent: "pricing_query",
    strong: [w("how much (?:is|are|does|do)"), w("what(?: is|'s) the price"), w("price (?:of|for)"), w("bao nhieu tien"), w("gia (?:bao nhieu|the nao|ca)")],
    weak: [w("price"), w("prices"), w("pricing"), w("cost"), w("discount"), w("how much"), w("gia"), w("giam gia"), w("khuyen mai")],
  },
  {
    intent: "thanks",
    strong: [w("thank you"), w("thanks a lot"), w("cam on")],
    weak: [w("thanks"), w("thx"), w("ty")],
  },
  {
    intent: "greeting",
    strong: [w("good (?:morning|afternoon|evening)"), w("xin chao"), w("chao (?:shop|ban|anh|chi|em)")],
    weak: [w("hi"), w("hello"), w("hey"), w("chao"), w("alo")],
  },
];

const VI_MARKERS = [/[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]/i, w("toi|minh|shop oi|khong|duoc|cua|bao nhieu|don hang|xin chao|cam on|nguoi that")];

export function detectLanguage(text: string): Lang {
  if (VI_MARKERS[0]?.test(text)) return "vi";
  return VI_MARKERS[1]?.test(foldText(text)) ? "vi" : "en";
}

const ORDER_ID_PATTERNS = [/#\s?([a-z0-9-]{3,20})\b/i, /\b(?:order|don hang|don|ma don|ma don hang)\s*(?:number|no\.?|id|code|so|ma)?\s*[:#]?\s*(\d{3,20})\b/];
const EMAIL_PATTERN = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/i;

/** Slots found in one message: orderId ("#12345", "order 12345", "đơn hàng 12345") and email. */
export function extractSlots(text: string): AiSlots {
  const slots: AiSlots = {};
  const folded = foldText(text);
  for (const re of ORDER_ID_PATTERNS) {
    const m = re.exec(folded);
    if (m?.[1]) {
      slots.orderId = m[1].toUpperCase() === m[1].toLowerCase() ? m[1] : m[1].toUpperCase();
      break;
    }
  }
  const email = EMAIL_PATTERN.exec(text);
  if (email) slots.email = email[0].toLowerCase();
  return slots;
}

export interface Classification {
  intent: AiIntent;
  confidence: number;
}

/** Intent of one message with a confidence from the match strength. */
export function classify(text: string): Classification {
  const folded = foldText(text);
  let best: Classification = { intent: "unknown", confidence: 0.2 };
  for (const rule of RULES) {
    const strong = rule.strong.some((re) => re.test(folded));
    const weakHits = rule.weak.filter((re) => re.test(folded)).length;
    const score = strong ? (weakHits > 0 ? 0.92 : 0.88) : weakHits >= 2 ? 0.78 : weakHits === 1 ? 0.7 : 0;
    if (score > best.confidence) best = { intent: rule.intent, confidence: score };
  }
  return best;
}

const RESPONSES: Record<AiIntent, Record<Lang, (slots: AiSlots) => string>> = {
  order_status_query: {
    en: (s) => (s.orderId ? `Let me check that for you. I've noted order #${s.orderId}; a member of our team will confirm its current status shortly.` : "I'd be happy to help! What's your order number?"),
    vi: (s) => (s.orderId ? `Để mình kiểm tra giúp bạn. Mình đã ghi nhận đơn hàng #${s.orderId}; nhân viên sẽ xác nhận tình trạng đơn trong ít phút.` : "Mình rất sẵn lòng hỗ trợ! Bạn cho mình xin mã đơn hàng nhé?"),
  },
  greeting: {
    en: () => "Hi there! How can I help you today?",
    vi: () => "Xin chào! Mình có thể giúp gì cho bạn hôm nay?",
  },
  pricing_query: {
    en: () => "Happy to help with pricing! Which product are you interested in?",
    vi: () => "Mình sẵn lòng báo giá! Bạn quan tâm đến sản phẩm nào ạ?",
  },
  shipping_query: {
    en: () => "We ship to most locations. Where should the order be delivered? I can then tell you the delivery time and cost.",
    vi: () => "Shop giao hàng đến hầu hết các khu vực. Bạn cho mình xin địa chỉ nhận hàng để báo thời gian và phí giao nhé.",
  },
  return_refund: {
    en: (s) => (s.orderId ? `I can help with a return or refund for order #${s.orderId}. Could you tell me the reason?` : "I can help with a return or refund. What's your order number, and what went wrong?"),
    vi: (s) => (s.orderId ? `Mình sẽ hỗ trợ đổi trả/hoàn tiền cho đơn #${s.orderId}. Bạn cho mình biết lý do nhé?` : "Mình sẽ hỗ trợ đổi trả/hoàn tiền. Bạn cho mình xin mã đơn hàng và lý do nhé?"),
  },
  complaint: {
    en: () => "I'm really sorry about this. I've passed your message on so a member of our team can make it right.",
    vi: () => "Mình rất xin lỗi về sự cố này. Mình đã chuyển phản hồi của bạn đến nhân viên để xử lý sớm nhất.",
  },
  human_request: {
    en: () => "Sure, I'm connecting you with a member of our team. They'll reply here shortly.",
    vi: () => "Dạ, mình đang kết nối bạn với nhân viên hỗ trợ. Nhân viên sẽ trả lời bạn tại đây trong ít phút.",
  },
  opt_out: {
    en: () => "Understood. Reply STOP and you won't receive automated messages from us.",
    vi: () => "Mình đã hiểu. Bạn trả lời STOP để không nhận tin nhắn tự động từ shop nữa.",
  },
  thanks: {
    en: () => "You're welcome! Is there anything else I can help with?",
    vi: () => "Không có gì ạ! Bạn cần mình hỗ trợ thêm gì không?",
  },
  unknown: {
    en: () => "Sorry, I'm not sure I understood. Could you rephrase, or would you like to talk to a member of our team?",
    vi: () => "Xin lỗi, mình chưa hiểu ý bạn. Bạn có thể nói rõ hơn, hoặc mình kết nối bạn với nhân viên nhé?",
  },
};

/** Understands the last user message of the conversation, using earlier turns and slots for context. */
export function understandOffline(input: Pick<AiUnderstandInput, "messages" | "knownSlots">): AiUnderstanding {
  const userTurns = input.messages.filter((m) => m.role === "user");
  const text = userTurns[userTurns.length - 1]?.content ?? "";
  const slots = extractSlots(text);
  const bare = /^\s*#?\s*(\d{3,20})\s*[.!]?\s*$/.exec(text);
  if (!slots.orderId && bare?.[1]) slots.orderId = bare[1];
  let { intent, confidence } = classify(text);
  if (slots.orderId && (intent === "order_status_query" || intent === "unknown")) {
    // an order number makes an order question unambiguous; a bare number answers "what's your order number?"
    intent = "order_status_query";
    confidence = confidence >= 0.7 ? 0.95 : 0.8;
  }
  const lang = detectLanguage(text);
  const all: AiSlots = { ...input.knownSlots, ...slots };
  return { intent, confidence, response: RESPONSES[intent][lang](all), slots };
}

export function createEmbeddedAiProvider(): AiProvider {
  return {
    name: "embedded",
    understand: (input) => Promise.resolve(understandOffline(input)),
  };
}
