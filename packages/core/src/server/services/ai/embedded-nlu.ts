// The embedded AI provider: a deterministic, offline rule/keyword NLU (English and basic
// Vietnamese). Same input, same answer; no network. Confidence reflects how strongly the message
// matched: an explicit phrase scores higher than a lone keyword, nothing matched scores 0.2.
import type { AiIntent, AiSlots } from "../../../contract/ai.ts";
import type { AiProvider, AiUnderstandInput, AiUnderstanding } from "../../../ports/ai-provider.ts";
import { answerFromKnowledge } from "./answer-from-knowledge.ts";

export type Lang = "en" | "vi";

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
// Patterns run on folded text (lower case, no accents), so Vietnamese with or without diacritics
// matches alike; each is a plain alternation between word boundaries (linear time).
const RULES: Rule[] = [
  {
    intent: "human_request",
    strong: [w("(?:talk|speak|chat) (?:to|with) (?:a |an |the |some |your )?(?:human|person|agent|representative|real person|someone|manager|staff|people)"), w("real (?:person|human)"), w("(?:a|an) (?:human|person|agent) (?:please|pls|plz)"), w("nguoi that"), w("gap (?:nhan vien|nguoi|quan ly|admin)"), w("nhan vien (?:ho tro|tu van|cham soc)"), w("customer (?:service|support|care) (?:agent|rep|team)"), w("(?:noi|chat|lien he) (?:chuyen )?(?:voi|vs) (?:nhan vien|nguoi|admin|quan ly|tu van vien)"), w("not a bot|khong phai bot|ko phai bot|hate bots?|no bots?")],
    weak: [w("agent"), w("human"), w("representative"), w("operator"), w("nhan vien"), w("tu van vien"), w("admin"), w("manager"), w("quan ly"), w("someone"), w("a person"), w("nguoi")],
  },
  {
    intent: "opt_out",
    strong: [w("unsubscribe"), w("opt ?out"), w("stop (?:messaging|sending|texting|dming|spamming|contacting)(?: me)?"), w("(?:don'?t|do not|dont) (?:message|text|dm|contact) me"), w("remove me"), w("huy dang ky"), w("dung (?:gui|nhan|nhan tin|spam)"), w("(?:khong|ko|k) (?:nhan tin|gui tin|muon nhan) (?:nua|them)"), w("dung lam phien")],
    weak: [w("stop"), w("spam"), w("spamming"), w("huy"), w("lam phien")],
  },
  {
    intent: "complaint",
    strong: [w("(?:very|so|really|extremely) (?:disappointed|unhappy|angry|upset|frustrated)"), w("worst (?:service|experience|shop|store)"), w("(?:i want to|i'd like to|i wanna) (?:complain|file a complaint)"), w("(?:item|product|package|order|parcel|it|shirt|jacket|dress|shoes?) (?:arrived |is |was |came )?(?:broken|damaged|defective|torn|ripped|dirty)"), w("wrong (?:item|size|colou?r|product|order)"), w("rat (?:that vong|buc|te)"), w("qua te"), w("khieu nai"), w("(?:hang|do|san pham) (?:bi )?(?:loi|hong|rach|be|vo|ban)"), w("giao (?:sai|nham)"), w("lua dao"), w("never (?:again|arrived|received)")],
    weak: [w("complain(?:t)?"), w("terrible"), w("awful"), w("horrible"), w("disappointed"), w("unacceptable"), w("broken"), w("damaged"), w("defective"), w("rude"), w("scam"), w("that vong"), w("buc minh"), w("buc"), w("te qua"), w("chan"), w("tham hai"), w("kem"), w("sai")],
  },
  {
    intent: "order_status_query",
    strong: [w("(?:status|track(?:ing)?) (?:of |for |on )?(?:my |the |our )?(?:order|package|parcel)"), w("where(?: is|'s|s) (?:my|the|our) (?:order|package|parcel|stuff|delivery)"), w("order status"), w("track(?:ing)? (?:my |the )?(?:order|package|parcel)"), w("(?:has|have|did) (?:my|the) (?:order|package|parcel) (?:shipped|been shipped|arrived|left|been sent)"), w("(?:when|where) (?:will|is) my (?:order|package|parcel)"), w("(?:haven'?t|havent|not yet|still not|didn'?t) (?:received|got|gotten) (?:my |the )?(?:order|package|parcel)"), w("don (?:hang )?(?:cua (?:toi|minh|em|anh|chi) )?(?:dang )?(?:o dau|toi dau|den dau|the nao roi|sao roi)"), w("tinh trang don(?: hang)?"), w("kiem tra (?:giup )?(?:don|ma don)"), w("(?:chua|van chua) (?:nhan duoc|thay|co) (?:hang|don)"), w("bao gio (?:thi )?(?:nhan|toi|den|giao)(?: duoc)? (?:hang|don)"), w("ma van don"), w("don (?:hang )?(?:da )?(?:giao|gui|ship) chua")],
    weak: [w("order"), w("orders"), w("tracking"), w("track"), w("package"), w("parcel"), w("don hang"), w("don"), w("shipped"), w("van don")],
  },
  {
    intent: "return_refund",
    strong: [w("(?:i want|i'd like|i would like|how (?:do|can) i|can i|could i|i wanna|want to) (?:to )?(?:return|get a refund|refund|exchange|send (?:it|this) back|swap)"), w("money back"), w("refund (?:my|for|me|policy)"), w("return policy"), w("exchange (?:it|this|for|policy)"), w("doi (?:tra|hang|size|sang|lai|mau)"), w("hoan (?:tien|lai tien|hang)"), w("tra (?:hang|lai hang|lai do|lai)"), w("chinh sach (?:doi|tra|hoan)")],
    weak: [w("refund"), w("refunds"), w("return"), w("returns"), w("returning"), w("exchange"), w("hoan"), w("doi"), w("tra lai")],
  },
  {
    intent: "shipping_query",
    strong: [w("how long (?:does|will|do|would) (?:it |they |the )?(?:shipping|delivery|take|it take|to ship|to deliver|to arrive)"), w("(?:shipping|delivery|ship|postage) (?:time|times|cost|costs|fee|fees|price|options?|rates?|policy)"), w("do you (?:ship|deliver|send)(?: to| internationally| abroad| overseas)?"), w("free (?:shipping|delivery)"), w("express (?:shipping|delivery)"), w("phi (?:van chuyen|giao hang|ship|gui)"), w("bao lau (?:thi )?(?:nhan|giao|toi|den|co hang)"), w("giao hang (?:mat )?(?:bao lau|may ngay|o dau|toan quoc|nhanh)"), w("(?:co )?(?:ship|giao) (?:ra |di |toi |den |ve )?(?:tinh|ha noi|hn|sai gon|sg|hcm|da nang|nuoc ngoai|quoc te|tan noi)"), w("mien phi (?:ship|van chuyen|giao hang)"), w("ship cod|cod")],
    weak: [w("shipping"), w("ship"), w("delivery"), w("deliver"), w("courier"), w("postage"), w("giao hang"), w("van chuyen"), w("giao"), w("freeship")],
  },
  {
    intent: "promotion_query",
    strong: [w("(?:any|got any|have any|current) (?:promo|promos|promotions?|discounts?|deals?|sales?|offers?|coupons?|vouchers?)"), w("(?:promo|discount|coupon|voucher) codes?"), w("on sale"), w("black friday"), w("khuyen mai"), w("giam gia"), w("ma giam(?: gia)?"), w("uu dai"), w("sale off"), w("chuong trinh (?:giam|khuyen)"), w("flash sale")],
    weak: [w("promo"), w("promotion"), w("promotions"), w("discount"), w("discounts"), w("coupon"), w("voucher"), w("deal"), w("deals"), w("sale"), w("offer"), w("giam"), w("km"), w("voucher")],
  },
  {
    intent: "product_availability",
    strong: [w("in stock"), w("out of stock"), w("(?:still |is it |is this |are they |is that )available"), w("do you (?:still )?(?:have|sell|carry|stock)"), w("(?:have|got) (?:any|some) (?:left|more)"), w("sold out"), w("back in stock"), w("restock(?:ed|ing)?"), w("(?:any|how many) left"), w("con hang"), w("het hang"), w("con (?:khong|ko|k|ko a|nua khong|bao nhieu)"), w("co san"), w("con (?:cai|chiec|doi|bo|san pham)"), w("ban (?:co )?(?:ban|con)"), w("shop (?:co|con) (?:ban|ban khong|hang)"), w("(?:bao gio|khi nao) (?:co|ve) hang")],
    weak: [w("stock"), w("available"), w("availability"), w("left"), w("have"), w("sell"), w("con"), w("co ban"), w("san")],
  },
  {
    intent: "product_material",
    strong: [w("(?:what(?:'s| is)|is) (?:it|this|that|the \\w+) made (?:of|from)"), w("made (?:of|from|with)"), w("what (?:material|fabric)"), w("(?:material|fabric|chat lieu|chat vai)"), w("(?:100% )?(?:cotton|wool|leather|linen|polyester|silk|denim|nylon|cashmere|spandex|kaki|khaki|jean|lanh|thun|len|da that|da bo)"), w("vai (?:gi|nao|the nao|co)"), w("lam (?:bang|tu) (?:gi|chat)"), w("co (?:bi )?(?:xu|nhan|phai mau|ra mau|co dan)"), w("(?:is it|it is) (?:waterproof|breathable|stretchy)")],
    weak: [w("waterproof"), w("breathable"), w("stretchy"), w("fabric"), w("vai"), w("soft"), w("thick"), w("day"), w("mong"), w("mat")],
  },
  {
    intent: "product_size",
    strong: [w("(?:what|which) sizes?"), w("size (?:chart|guide|xs|s|m|l|xl|xxl|xxxl|\\d{1,2})"), w("(?:in|got|have|has|co|con) (?:a |an )?(?:size |sz )?(?:xs|xl|xxl|xxxl)"), w("(?:in|got|have|co|con) (?:size|sz) \\w+"), w("(?:does|will) it fit"), w("(?:bang|bang size|kich co|kich thuoc|size nao|co nao)"), w("(?:\\d{2,3}) ?kg"), w("(?:\\d{3}) ?cm"), w("mac (?:size|sz|vua|co)"), w("(?:runs?|run) (?:small|large|big|true)"), w("true to size"), w("size (?:gi|nao|bao nhieu)")],
    weak: [w("size"), w("sizes"), w("sz"), w("fit"), w("fits"), w("measurements?"), w("xs"), w("xl"), w("xxl"), w("small"), w("medium"), w("large"), w("vua"), w("rong"), w("chat")],
  },
  {
    intent: "product_color",
    strong: [w("(?:what|which|other|any|more) colou?rs?"), w("colou?rs? (?:available|options?|do you have|does it come in)"), w("(?:come|comes|available) in (?:other |another |different )?(?:colou?rs?|red|blue|black|white|green|pink|grey|gray|beige|navy|brown|yellow|purple)"), w("(?:in|got|have) (?:a |an |the )?(?:red|blue|black|white|green|pink|grey|gray|beige|navy|brown|yellow|purple|orange|cream)(?: one| colou?r| version)?"), w("mau (?:gi|nao|khac|sac|do|xanh|den|trang|hong|vang|xam|nau|be|tim|cam|kem)"), w("(?:co|con) mau")],
    weak: [w("colou?r"), w("colou?rs"), w("mau"), w("red"), w("blue"), w("black"), w("white"), w("green"), w("pink"), w("beige"), w("navy"), w("do"), w("den"), w("trang"), w("hong"), w("xanh")],
  },
  {
    intent: "pricing_query",
    strong: [w("how much (?:is|are|does|do|for|would|will)"), w("what(?: is|'s|s) the (?:price|cost)"), w("price (?:of|for|on|list)"), w("(?:what|how) (?:does it|do they) cost"), w("bao nhieu (?:tien|vay|a|ah|the|1|mot)"), w("gia (?:bao nhieu|the nao|ca|ban|sao|sp|san pham|nhieu)"), w("(?:bn|bnh|nhieu) tien"), w("(?:price|gia) \\?")],
    weak: [w("price"), w("prices"), w("pricing"), w("cost"), w("costs"), w("how much"), w("gia"), w("tien"), w("bao nhieu"), w("\\$"), w("usd"), w("vnd"), w("k"), w("expensive"), w("cheap"), w("dat"), w("re")],
  },
  {
    intent: "thanks",
    strong: [w("thank you"), w("thanks a lot"), w("thank u"), w("many thanks"), w("cam on"), w("camon"), w("appreciate it")],
    weak: [w("thanks"), w("thx"), w("ty"), w("tks"), w("thank"), w("cm on"), w("cmon"), w("thanks!")],
  },
  {
    intent: "greeting",
    strong: [w("good (?:morning|afternoon|evening)"), w("xin chao"), w("chao (?:shop|ban|anh|chi|em|ad|admin)"), w("hello there"), w("hi there")],
    weak: [w("hi"), w("hello"), w("hey"), w("chao"), w("alo"), w("yo"), w("hii+"), w("helo"), w("hallo"), w("shop oi"), w("ad oi")],
  },
];

const VI_MARKERS = [/[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]/i, w("toi|minh|shop oi|khong|ko|duoc|cua|bao nhieu|don hang|xin chao|cam on|nguoi that|con hang|het hang|con|gi|vay|nhe|nha|oi|nao|mau|ao|quan|giay|hang|giao|phi|gia|tien|doi|tra|chat lieu|dau|chua|roi|sao|ak|shop a")];

export function detectLanguage(text: string): Lang {
  if (VI_MARKERS[0]?.test(text)) return "vi";
  return VI_MARKERS[1]?.test(foldText(text)) ? "vi" : "en";
}

// Slot extractors. Each runs in linear time on any input (tested on 10,000 adversarial characters):
// no nested or overlapping quantifiers, and the email is matched per whitespace-separated token.
const ORDER_ID_PATTERNS = [
  /#\s?([a-z0-9][a-z0-9-]{2,19})(?![a-z0-9-])/i,
  /(?:^|[^a-z0-9])(?:order|orders|oder|ordr|order no|don hang|don|ma don|ma don hang|ma van don|so don|madon|dh)\s?(?:number|num|no\.?|nr|id|code|so|ma|#)?\s?[:#]?\s?([a-z]{0,4}-?\d{3,20})(?![a-z0-9])/,
];
const MAX_EMAIL_TOKEN = 254;
const EMAIL_TOKEN = /^[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}$/i;
const SIZE_PATTERN = /(?:^|[^a-z0-9])(?:size|sz|co|mac|in|an|a|size la)\s(xxxl|xxl|xl|xs|s|m|l|\d{2})(?![a-z0-9])|(?:^|[^a-z0-9])(xxxl|xxl|xl|xs)(?![a-z0-9])/;
const SIZE_WORDS: Record<string, string> = { small: "S", medium: "M", large: "L" };
const COLORS: Record<string, string> = {
  red: "red", do: "red", blue: "blue", "xanh duong": "blue", "xanh navy": "navy", navy: "navy", "xanh la": "green", green: "green",
  black: "black", den: "black", white: "white", trang: "white", pink: "pink", hong: "pink", grey: "grey", gray: "grey", xam: "grey",
  beige: "beige", be: "beige", brown: "brown", nau: "brown", yellow: "yellow", vang: "yellow", purple: "purple", tim: "purple",
  orange: "orange", cam: "orange", cream: "cream", kem: "cream", xanh: "blue",
};
const COLOR_PATTERN = new RegExp(`(?:^|[^a-z0-9])(?:mau |color |colour )?(${Object.keys(COLORS).sort((x, y) => y.length - x.length).join("|")})(?![a-z0-9])`);
const QUANTITY_PATTERN = /(?:^|[^a-z0-9])(\d{1,3})\s?(?:pcs|pieces|items|units|cai|chiec|bo|doi|sp|x)(?![a-z0-9])/;

function extractOrderId(folded: string): string | undefined {
  for (const re of ORDER_ID_PATTERNS) {
    const m = re.exec(folded);
    if (m?.[1] && /\d/.test(m[1])) return m[1].toUpperCase() === m[1].toLowerCase() ? m[1] : m[1].toUpperCase();
  }
  return undefined;
}

function extractEmail(text: string): string | undefined {
  for (const token of text.split(/[\s,;<>()"']+/)) {
    if (token.length > MAX_EMAIL_TOKEN || !token.includes("@")) continue;
    const bare = token.replace(/[.!?:]+$/, "");
    if (EMAIL_TOKEN.test(bare)) return bare.toLowerCase();
  }
  return undefined;
}

/**
 * Slots found in one message: orderId ("#12345", "order 12345", "đơn hàng 12345"), email, size,
 * color and quantity. Product is matched against the catalog by the knowledge lookup, not here.
 */
export function extractSlots(text: string): AiSlots {
  const slots: AiSlots = {};
  const folded = foldText(text);
  const orderId = extractOrderId(folded);
  if (orderId) slots.orderId = orderId;
  const email = extractEmail(text);
  if (email) slots.email = email;
  const size = SIZE_PATTERN.exec(folded);
  const sized = size?.[1] ?? size?.[2];
  if (sized) slots.size = sized.toUpperCase();
  else {
    const word = /(?:^|[^a-z])(small|medium|large)(?![a-z])/.exec(folded)?.[1];
    if (word) slots.size = SIZE_WORDS[word] ?? word;
  }
  const color = COLOR_PATTERN.exec(folded)?.[1];
  // "do", "be", "cam" and "kem" are everyday Vietnamese words too: only after "mau" (colour)
  if (color && (!["do", "be", "cam", "kem", "tim", "vang"].includes(color) || new RegExp(`(?:^|[^a-z])mau ${color}(?![a-z])`).test(folded))) slots.color = COLORS[color] ?? color;
  const quantity = QUANTITY_PATTERN.exec(folded)?.[1];
  if (quantity) slots.quantity = quantity;
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
  product_availability: {
    en: () => "Which product would you like me to check? Tell me its name and I'll look it up.",
    vi: () => "Bạn muốn hỏi sản phẩm nào ạ? Cho mình xin tên sản phẩm để kiểm tra nhé.",
  },
  product_size: {
    en: () => "Which product would you like the sizes of? Tell me its name and I'll look it up.",
    vi: () => "Bạn muốn hỏi size của sản phẩm nào ạ? Cho mình xin tên sản phẩm nhé.",
  },
  product_color: {
    en: () => "Which product would you like the colours of? Tell me its name and I'll look it up.",
    vi: () => "Bạn muốn hỏi màu của sản phẩm nào ạ? Cho mình xin tên sản phẩm nhé.",
  },
  product_material: {
    en: () => "Which product would you like to know more about? Tell me its name and I'll look it up.",
    vi: () => "Bạn muốn hỏi chất liệu của sản phẩm nào ạ? Cho mình xin tên sản phẩm nhé.",
  },
  promotion_query: {
    en: () => "Let me pass your question about our current offers on to our team; they'll reply here shortly.",
    vi: () => "Mình sẽ chuyển câu hỏi về chương trình khuyến mãi cho nhân viên, bạn chờ chút nhé.",
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
export function understandOffline(input: Pick<AiUnderstandInput, "messages" | "knownSlots" | "knowledge">): AiUnderstanding {
  const userTurns = input.messages.filter((m) => m.role === "user");
  const text = userTurns[userTurns.length - 1]?.content ?? "";
  const slots = extractSlots(text);
  // trimmed first: adjacent \s* around optional parts would backtrack quadratically on long blanks
  const bare = /^#?\s?(\d{3,20})[.!]?$/.exec(text.trim());
  if (!slots.orderId && bare?.[1]) slots.orderId = bare[1];
  let { intent, confidence } = classify(text);
  if (slots.orderId && (intent === "order_status_query" || intent === "unknown" || intent === "greeting" || intent === "thanks")) {
    // an order number makes an order question unambiguous; a bare number answers "what's your order number?"
    intent = "order_status_query";
    confidence = confidence >= 0.7 ? 0.95 : 0.8;
  }
  const lang = detectLanguage(text);
  const all: AiSlots = { ...input.knownSlots, ...slots };
  // size and colour as this message says them: an earlier "size L" does not narrow a new question
  const fromKnowledge = input.knowledge ? answerFromKnowledge({ intent, confidence, lang, slots, knowledge: input.knowledge }) : null;
  if (fromKnowledge) {
    if (fromKnowledge.product) slots.product = fromKnowledge.product;
    return { intent: fromKnowledge.intent, confidence: fromKnowledge.confidence, response: fromKnowledge.response, slots, sources: fromKnowledge.sources, handover: fromKnowledge.handover };
  }
  return { intent, confidence, response: RESPONSES[intent][lang](all), slots, sources: [] };
}

export function createEmbeddedAiProvider(): AiProvider {
  return {
    name: "embedded",
    understand: (input) => Promise.resolve(understandOffline(input)),
  };
}
