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

// Spellings customers type for the same word, on folded text: typos, chat shorthand, English
// contractions ("don't" would otherwise read as Vietnamese "don", an order). For intents only; the
// slot extractors read the folded text as written (an order id keeps its hyphen).
const RESPELLINGS: Array<[RegExp, string]> = [
  [/[\u2018\u2019\u02bc`]/g, "'"],
  [/(?<=[a-z])-(?=[a-z])/g, " "],
  [/(?<![a-z0-9])(?:don'?t)(?![a-z0-9])/g, "do not"],
  [/(?<![a-z0-9])(?:oder|ordr|odrer|orfer)(?![a-z0-9])/g, "order"],
  [/(?<![a-z0-9])(?:u)(?![a-z0-9'])/g, "you"],
  [/(?<![a-z0-9])(?:ur)(?![a-z0-9'])/g, "your"],
  [/(?<![a-z0-9])(?:tysm|tyvm)(?![a-z0-9])/g, "thank you so much"],
  [/(?<![a-z0-9])(?:unsub)(?![a-z0-9])/g, "unsubscribe"],
  [/(?<![a-z0-9])(?:hok|hem|hk|khum|kh)(?![a-z0-9])/g, "khong"],
  [/(?<![a-z0-9])hong co(?![a-z0-9])/g, "khong co"],
  [/(?<![a-z0-9])may nhieu(?![a-z0-9])/g, "bao nhieu"],
];

/** Folded text with customers' variant spellings made one (for intent rules). */
export function normalizeForIntent(text: string): string {
  // "mẫu" (a design, a model) and "màu" (a colour) fold alike: told apart while the accents are there
  let t = foldText(text.normalize("NFC").replace(/mẫu/giu, "kieu"));
  for (const [re, to] of RESPELLINGS) t = t.replace(re, to);
  return t;
}

const w = (words: string) => new RegExp(`(?:^|[^a-z0-9])(?:${words})(?:$|[^a-z0-9])`);

const COLOR_WORDS = "red|blue|black|white|green|pink|grey|gray|beige|navy|brown|yellow|purple|orange|cream|lilac|khaki|burgundy|maroon|olive|teal|mint|nude|tan";
const FABRICS = "cotton|wool|leather|linen|polyester|silk|satin|denim|nylon|cashmere|spandex|kaki|khaki|jean|lanh|thun|len|da that|da bo|da pu|vegan leather|faux leather";

// Precedence: the first rule (in this order) with a whole-phrase match wins; without one, the rule
// with the most keywords (the earlier on a tie). What the customer wants done (a person, no more
// messages, a return, a complaint heard, an order found) goes before what they ask about, and a
// question's kind (price, stock) before the product attribute it mentions ("price of the size L tee").
// Patterns run on normalizeForIntent's text (folded, respelled); each is a plain alternation between
// word boundaries (linear time).
const RULES: Rule[] = [
  {
    intent: "human_request",
    strong: [w("(?:talk|speak|chat) (?:to|with) (?:a |an |the |some |your )?(?:human|person|agent|representative|real person|someone|manager|staff|people|customer service|support)"), w("(?:real|actual|live) (?:person|human|staff|agent|people)"), w("(?:a|an) (?:human|person|agent) (?:please|pls|plz)"), w("(?:human|agent|person) (?:please|pls|plz)"), w("(?:get|want|need) (?:me )?(?:a|an) (?:human|person|agent)"), w("nguoi that"), w("gap (?:nhan vien|nguoi|quan ly|admin)"), w("nhan vien (?:ho tro|tu van|cham soc|nao|oi|online|truc)"), w("(?:to|with|contact|reach|get|need) customer (?:service|support|care)"), w("customer (?:service|support|care) (?:agent|rep|team|please|pls)"), w("(?:noi|chat|lien he|noi chuyen) (?:chuyen )?(?:voi|vs) (?:nhan vien|nguoi|admin|quan ly|tu van vien)"), w("not a bot|khong phai bot|hate bots?|no bots?|stop the bot|are you a bot"), w("(?:connect|transfer|put) me (?:to|with|through)"), w("supervisor|escalate"), w("someone from (?:your|the) (?:team|store|shop|company)"), w("(?:can|could) (?:a|some) ?(?:person|one|human) (?:look|review|check|help|call)"), w("call me(?: back)?"), w("co ai (?:o do|khong|truc|online)")],
    weak: [w("agent"), w("human"), w("representative"), w("operator"), w("nhan vien"), w("tu van vien"), w("admin"), w("manager"), w("quan ly"), w("someone"), w("a person"), w("nguoi"), w("staff"), w("bot")],
  },
  {
    intent: "opt_out",
    strong: [w("unsubscribe"), w("opt ?(?:me )?out"), w("stop (?:messaging|sending|texting|dming|spamming|contacting|getting|receiving)(?: me)?"), w("(?:quit|stop) (?:spamming|messaging|texting)"), w("do not (?:message|text|dm|contact) me"), w("remove me"), w("take me off"), w("leave me alone"), w("no more (?:messages|dms|texts|emails|promos|ads|marketing|spam)"), w("never signed up"), w("huy (?:dang ky|nhan tin|nhan)"), w("(?:dung|ngung) (?:gui|nhan|nhan tin|spam)"), w("(?:khong|ko|k) (?:nhan tin|gui tin|muon nhan) (?:nua|them)"), w("(?:khong|ko) muon nhan"), w("dung lam phien"), w("tat thong bao"), w("^stop[.!]*$")],
    weak: [w("stop"), w("spam"), w("spamming"), w("huy"), w("lam phien"), w("quang cao"), w("marketing"), w("nua")],
  },
  {
    intent: "return_refund",
    strong: [w("(?:i want|i'd like|i would like|how (?:do|can) i|can i|could i|i wanna|want to|need to|is it possible to) (?:to )?(?:return|get a refund|refund|exchange|send (?:it|this|them) back|swap)"), w("money back"), w("(?:my )?refund (?:my|for|me|policy|pls|please)"), w("refunds? (?:take|takes|status)"), w("return (?:policy|shipping|label|address)"), w("(?:send|where do i send) returns?"), w("send (?:it|this|them) back"), w("store credit"), w("exchange (?:it|this|for|policy)"), w("swap (?:it|them|this)"), w("doi (?:tra|hang|size|sang|lai|mau)"), w("hoan (?:tien|lai tien|hang)"), w("tra (?:hang|lai hang|lai do|lai)"), w("chinh sach (?:doi|tra|hoan)"), w("(?:muon|duoc|cho) doi")],
    weak: [w("refund"), w("refunds"), w("return"), w("returns"), w("returning"), w("returned"), w("exchange"), w("swap"), w("hoan"), w("doi"), w("tra lai")],
  },
  {
    intent: "complaint",
    strong: [w("(?:very|so|really|extremely|totally) (?:disappointed|unhappy|angry|upset|frustrated|annoyed)"), w("worst"), w("(?:i want to|i'd like to|i wanna) (?:complain|file a complaint)"), w("file a complaint"), w("(?:item|product|package|order|parcel|it|shirt|jacket|dress|shoes?|box|mug) (?:arrived |is |was |came )?(?:completely )?(?:broken|damaged|defective|torn|ripped|dirty|crushed|cracked|wet|snapped)"), w("wrong (?:item|colou?r|product|order)"), w("(?:sent|gave) me the wrong"), w("rat (?:that vong|buc|te)"), w("qua te"), w("te nhat"), w("chat luong (?:te|kem)"), w("kem chat luong"), w("khieu nai"), w("(?:hang|do|san pham) (?:bi )?(?:loi|hong|rach|be|vo|ban)"), w("giao (?:sai|nham)"), w("lua dao"), w("never (?:again|arrived|received|ordering|buying|shopping)"), w("(?:looks |is )?nothing like"), w("different from (?:the )?(?:website|site|photos?|pictures?|pics?|images?|description|ad)"), w("misleading"), w("fell apart"), w("so done with"), w("charged (?:me )?twice"), w("not happy"), w("unacceptable"), w("(?:no one|nobody) (?:answers|replied|replies|responds|responded)"), w("what kind of (?:shop|store|service)"), w("khong giong hinh"), w("chan (?:qua|that|ghe)"), w("buc minh")],
    weak: [w("complain(?:t)?"), w("terrible"), w("awful"), w("horrible"), w("disappointed"), w("broken"), w("broke"), w("damaged"), w("defective"), w("rude"), w("scam"), w("stain(?:ed|s)?"), w("smells?"), w("peel(?:ing|ed)?"), w("cracked"), w("crushed"), w("snapped"), w("ripped"), w("frustrated"), w("that vong"), w("buc"), w("te qua"), w("tham hai"), w("kem"), w("sai"), w("rach"), w("cham nhu rua"), w("ugh")],
  },
  {
    intent: "order_status_query",
    strong: [w("(?:status|track(?:ing)?) (?:of |for |on )?(?:my |the |our )?(?:order|package|parcel|purchase|shipment)"), w("where(?: is|'s|s) (?:my|the|our) (?:order|package|parcel|stuff|delivery|purchase|shipment)"), w("order status"), w("track(?:ing)? (?:my |the )?(?:order|package|parcel)"), w("(?:has|have|did) (?:my|the) (?:order|package|parcel) (?:shipped|been shipped|arrived|left|been sent|been dispatched|come)"), w("(?:my|the) (?:order|package|parcel) (?:still )?(?:has not|hasnt|hasn't|not yet|still has not|still hasnt|still hasn't) (?:arrived|come|shipped)"), w("(?:when|where) (?:will|is) my (?:order|package|parcel)"), w("when will #?\\w+ (?:arrive|ship|come)"), w("(?:ship|send|dispatch)(?:ed)? my order"), w("(?:haven'?t|havent|not yet|still not|didn'?t|still no) (?:received|got|gotten)? ?(?:my |the )?(?:order|package|parcel)"), w("left the warehouse"), w("out for delivery"), w("on (?:its|it's) way"), w("(?:been )?dispatched"), w("don (?:hang )?(?:cua (?:toi|minh|em|anh|chi) )?(?:dang )?(?:o dau|toi dau|den dau|the nao roi|sao roi|bao gio toi)"), w("tinh trang don(?: hang)?"), w("kiem tra (?:giup )?(?:\\w+ )?(?:don|ma don)"), w("check (?:giup|dum) (?:minh|em|toi)"), w("(?:chua|van chua) (?:nhan duoc|thay|co) (?:hang|don)"), w("chua (?:thay|co) ai xac nhan"), w("bao gio (?:thi )?(?:nhan|toi|den|giao)(?: duoc)? (?:hang|don)"), w("ma van don"), w("don (?:hang )?(?:da )?(?:giao|gui|ship) chua"), w("(?:toi|den) dau roi")],
    weak: [w("order"), w("orders"), w("ordered"), w("tracking"), w("track"), w("package"), w("parcel"), w("don hang"), w("don"), w("shipped"), w("van don"), w("dat"), w("processing"), w("arrive")],
  },
  {
    intent: "shipping_query",
    strong: [w("how long (?:does|will|do|would) (?:it |they |the )?(?:shipping|delivery|take|it take|to ship|to deliver|to arrive)"), w("(?:shipping|delivery|ship|postage) (?:time|times|cost|costs|fee|fees|price|options?|rates?|policy)"), w("do you (?:ship|deliver|send)(?: to| internationally| abroad| overseas| on)?"), w("(?:do|can) (?:you|you guys) (?:ship|deliver)"), w("(?:free|express|standard|international) (?:shipping|delivery)"), w("postage"), w("courier"), w("pick ?up in (?:store|shop)"), w("phi (?:van chuyen|giao hang|ship|gui)"), w("bao lau (?:thi )?(?:nhan|giao|toi|den|co hang)"), w("may ngay (?:thi )?(?:nhan|giao|toi|den|co hang)"), w("(?:nhan|giao) (?:duoc )?(?:hang )?(?:trong )?(?:may|bao nhieu) ngay"), w("giao hang (?:mat )?(?:bao lau|may ngay|o dau|toan quoc|nhanh)"), w("(?:co )?(?:ship|giao) (?:ra |di |toi |den |ve )?(?:tinh|ha noi|hn|sai gon|sg|hcm|da nang|hue|phu quoc|nuoc ngoai|quoc te|tan noi)"), w("mien phi (?:ship|van chuyen|giao hang)"), w("hoa toc"), w("ship cod|cod")],
    weak: [w("shipping"), w("ship"), w("delivery"), w("deliver"), w("giao hang"), w("van chuyen"), w("giao"), w("freeship"), w("internationally")],
  },
  {
    intent: "promotion_query",
    strong: [w("(?:any|got any|have any|current) (?:promo|promos|promotions?|discounts?|deals?|sales?|offers?|coupons?|vouchers?)"), w("(?:promo|discount|coupon|voucher) codes?"), w("(?:student|birthday|loyalty|first order|member) (?:discount|deal|offer)"), w("(?:bundle|bulk) deals?"), w("deals? for"), w("\\d{1,2} ?% off"), w("percent off"), w("on sale"), w("(?:going on|next|your next) sale"), w("black friday"), w("khuyen mai"), w("giam gia"), w("ma giam(?: gia)?"), w("uu dai"), w("sale off"), w("chuong trinh (?:giam|khuyen|uu dai)"), w("flash sale"), w("mua \\d+ (?:tang|duoc giam|co duoc giam)"), w("(?:co|duoc) giam")],
    weak: [w("promo"), w("promotion"), w("promotions"), w("discount"), w("discounts"), w("coupon"), w("coupons"), w("voucher"), w("vouchers"), w("deal"), w("deals"), w("sale"), w("offer"), w("offers"), w("giam"), w("km")],
  },
  {
    intent: "pricing_query",
    strong: [w("how much (?:is|are|does|do|for|would|will|r)"), w("what(?: is|'s|s) the (?:price|cost)"), w("(?:the )?price (?:of|for|on|list|in)"), w("cost of"), w("(?:what|how) (?:does it|do they|does the \\w+) cost"), w("bao nhieu (?:tien|vay|a|ah|the|1|mot)"), w("gia (?:bao nhieu|the nao|ca|ban|sao|sp|san pham|nhieu|bn)"), w("(?:bn|bnh|nhieu) tien"), w("(?:price|gia) \\?"), w("(?:xin|hoi|ib|bao|cho) gia"), w("gia (?:cai|ao|quan|giay|vay|dam|tui)")],
    weak: [w("price"), w("prices"), w("pricing"), w("cost"), w("costs"), w("how much"), w("gia"), w("tien"), w("bao nhieu"), w("\\$"), w("usd"), w("vnd"), w("expensive"), w("cheap"), w("dat qua"), w("re hon")],
  },
  {
    intent: "product_availability",
    strong: [w("in stock"), w("out of stock"), w("(?:still |is it |is this |are they |is that |are the \\w+ |is the \\w+ )available"), w("availability"), w("do (?:you|you guys) (?:still )?(?:have|sell|carry|stock)(?! (?:it|this|them|that|one) in )"), w("con (?:\\w+ ){1,6}(?:khong|ko|k)"), w("(?:have|got) (?:any|some) (?:left|more)"), w("sold out"), w("back in stock"), w("restock(?:ed|ing)?"), w("(?:any|how many) (?:\\w+ )?left"), w("(?:can i |could i )?still (?:get|buy|order)"), w("is it gone"), w("con hang"), w("het hang"), w("con (?:khong|ko|k|ko a|nua khong|bao nhieu)"), w("co san"), w("con (?:cai|chiec|doi|bo|san pham|kieu)"), w("ban (?:co )?(?:ban|con)"), w("(?:shop )?(?:co|con) (?:ban|ban khong|hang)"), w("(?:bao gio|khi nao) (?:co|ve) hang")],
    weak: [w("stock"), w("available"), w("left"), w("have"), w("sell"), w("con"), w("co ban"), w("san"), w("gone")],
  },
  {
    intent: "product_material",
    strong: [w("(?:what(?:'s| is| are)|is|are) (?:it|this|that|they|the \\w+) made (?:of|from)"), w("made (?:of|from|with)"), w("what (?:material|fabric)"), w("(?:material|fabric|chat lieu|chat vai)"), w(`(?:is it|is this|is that|are they|it is|its|it's|is the \\w+) (?:100% |real |genuine |pure |made of )?(?:${FABRICS})`), w("(?:real|genuine|faux|fake|vegan) (?:leather|silk|wool|fur)"), w(`(?:${FABRICS}) (?:hay|or) (?:${FABRICS})`), w("vai (?:gi|nao|the nao|co|cotton|day|mong)"), w("lam (?:bang|tu) (?:\\w+ )?(?:gi|chat|nao)"), w("co (?:bi )?(?:xu|nhan(?! vien)|phai mau|ra mau|co dan|co gian|nong|mat)"), w("(?:is it|it is|is the \\w+) (?:waterproof|breathable|stretchy|itchy|see through)"), w("(?:does|will|do) (?:it|they|the \\w+) (?:shrink|fade|stretch|pill|wrinkle)"), w("(?:fade|fading|shrink|shrinking) (?:after|in|when)"), w("dishwasher safe|machine washable|see through|itchy"), w("(?:xu|ra|phai) (?:long|mau)"), w("co gian")],
    weak: [w("waterproof"), w("breathable"), w("stretchy"), w("fabric"), w(FABRICS), w("vai"), w("soft"), w("thick"), w("day"), w("mong"), w("mat"), w("lining"), w("soles?")],
  },
  {
    intent: "product_size",
    strong: [w("(?:what|which) sizes?"), w("sizes? (?:chart|guide|xs|s|m|l|xl|xxl|xxxl|\\d{1,2}|available|options?|range|do you have|nao|gi|bao nhieu|may)"), w("(?:in|got|have|has|co|con|come in) (?:a |an )?(?:size |sz )?(?:xs|xl|xxl|xxxl)"), w("(?:in|got|have|co|con) (?:size|sz) \\w+"), w("(?:does|will) (?:it|an? \\w+) fit"), w("(?:bang|bang size|kich co|kich thuoc|size nao|co nao)"), w("(?:\\d{2,3}) ?kg"), w("(?:\\d{2,3}) ?cm"), w("cao \\d ?m ?\\d{1,2}"), w("mac (?:size|sz|vua|co)"), w("(?:runs?|run) (?:small|large|big|true)"), w("true to size"), w("size (?:up|down)"), w("between sizes"), w("(?:petite|plus|kids?|european|us|eu|uk) sizes?"), w("form (?:rong|om|nho|to|chuan)"), w("(?:wear|am|usually wear) (?:a |an )?(?:small|medium|large|xs|xl)")],
    weak: [w("size"), w("sizes"), w("sz"), w("fit"), w("fits"), w("measurements?"), w("xs"), w("xl"), w("xxl"), w("small"), w("medium"), w("large"), w("vua"), w("rong"), w("chat"), w("om")],
  },
  {
    intent: "product_color",
    strong: [w("(?:what|which|other|any|more|brighter|darker|lighter) colou?rs?"), w("colou?rs? (?:available|options?|do you have|does it come in)"), w(`(?:come|comes|available) in (?:other |another |different |any )?(?:colou?rs?|${COLOR_WORDS})`), w(`(?:in|got|have) (?:a |an |the |all )?(?:${COLOR_WORDS})(?: one| colou?r| version)?`), w(`(?:is|are) the (?:${COLOR_WORDS}) (?:one )?(?:more|darker|lighter|brighter)`), w("(?:darker|lighter|brighter) (?:irl|in real life|than)"), w("shade"), w("mau (?:gi|nao|khac|sac|do|xanh|den|trang|hong|vang|xam|nau|be|tim|cam|kem)"), w("(?:co|con) mau"), w("may mau")],
    weak: [w("colou?r"), w("colou?rs"), w("mau"), w(COLOR_WORDS), w("den"), w("trang"), w("hong"), w("xanh")],
  },
  {
    intent: "thanks",
    strong: [w("thank you"), w("thanks a lot"), w("thank u"), w("many thanks"), w("cam on"), w("camon"), w("appreciate (?:it|the help|that)"), w("much appreciated")],
    weak: [w("thanks"), w("thx"), w("ty"), w("tks"), w("thank"), w("cm on"), w("cmon"), w("thanks!"), w("appreciated?")],
  },
  {
    intent: "greeting",
    strong: [w("good (?:morning|afternoon|evening)"), w("xin chao"), w("chao (?:shop|ban|anh|chi|em|ad|admin)"), w("hello there"), w("hi there"), w("hey there")],
    weak: [w("hi"), w("hello+"), w("hey+"), w("chao"), w("alo"), w("yo"), w("hii+"), w("helo"), w("hallo"), w("shop oi"), w("ad oi"), w("anyone there")],
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
  // "order 123", "order no. 123", "order number is 123", "order status 123", "mã đơn là 123"
  /(?:^|[^a-z0-9])(?:order|orders|oder|ordr|order no|don hang|don|ma don|ma don hang|ma van don|so don|madon|dh)\s?(?:number|num|no\.?|nr|id|code|so|ma|status|#)?\s?(?:is|la|=)?\s?[:#]?\s?([a-z]{0,4}-?\d{3,20})(?![a-z0-9])/,
];
const MAX_EMAIL_TOKEN = 254;
const EMAIL_TOKEN = /^[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}$/i;
// a number is a size only after "size" (or Vietnamese "cỡ", "mặc"): "a 20% off" is no size 20
const SIZE_PATTERN = /(?:^|[^a-z0-9])(?:size|sz|co|mac|size la)\s(xxxl|xxl|xl|xs|s|m|l|\d{2})(?![a-z0-9%])|(?:^|[^a-z0-9])(?:in|an|a)\s(xxxl|xxl|xl|xs|s|m|l)(?![a-z0-9'%])|(?:^|[^a-z0-9])(xxxl|xxl|xl|xs)(?![a-z0-9])/;
const SIZE_WORDS: Record<string, string> = { small: "S", medium: "M", large: "L" };
const COLORS: Record<string, string> = {
  red: "red", do: "red", blue: "blue", "xanh duong": "blue", "xanh navy": "navy", navy: "navy", "xanh la": "green", green: "green",
  black: "black", den: "black", white: "white", trang: "white", pink: "pink", hong: "pink", grey: "grey", gray: "grey", xam: "grey",
  beige: "beige", be: "beige", brown: "brown", nau: "brown", yellow: "yellow", vang: "yellow", purple: "purple", tim: "purple",
  orange: "orange", cam: "orange", cream: "cream", kem: "cream", xanh: "blue",
};
const COLOR_PATTERN = new RegExp(`(?:^|[^a-z0-9])(${Object.keys(COLORS).sort((x, y) => y.length - x.length).join("|")})(?![a-z0-9])`, "g");
// Vietnamese colour words that are everyday words too ("đỏ"/"do", "trang" in "tình trạng", "be",
// "cam", "kem", "tím", "vàng", "đen", "hồng"): a colour only after "màu" or a garment ("áo thun trắng").
const AMBIGUOUS_COLORS = new Set(["do", "be", "cam", "kem", "tim", "vang", "trang", "den", "hong"]);
const COLOR_CUE = /(?:^|[^a-z])(?:mau|ao|thun|mi|quan|vay|dam|giay|dep|tui|mu|non|khan|tat|vi|balo|khoac|len|hoodie|polo) $/;
// a colour word inside a name that is no colour
const NOT_A_COLOR_AFTER = /^ (?:friday)(?![a-z])/;
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

/** The first word of the message that names a colour, as its English name. */
function findColor(folded: string): string | undefined {
  for (const m of folded.matchAll(COLOR_PATTERN)) {
    const word = m[1];
    if (!word) continue;
    const start = m.index + m[0].length - word.length;
    const end = start + word.length;
    // the cue is at most the two words before: a bounded slice keeps this linear
    if (AMBIGUOUS_COLORS.has(word) && !COLOR_CUE.test(folded.slice(Math.max(0, start - 12), start))) continue;
    if (NOT_A_COLOR_AFTER.test(folded.slice(end, end + 12))) continue;
    return COLORS[word] ?? word;
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
  const color = findColor(folded);
  if (color) slots.color = color;
  const quantity = QUANTITY_PATTERN.exec(folded)?.[1];
  if (quantity) slots.quantity = quantity;
  return slots;
}

/** Every regular expression the NLU runs on a customer's words, named (for the linear-time test). */
export function nluPatterns(): Array<{ name: string; re: RegExp }> {
  return [
    ...RULES.flatMap((r) => [...r.strong.map((re, i) => ({ name: `${r.intent}.strong[${i}]`, re })), ...r.weak.map((re, i) => ({ name: `${r.intent}.weak[${i}]`, re }))]),
    ...RESPELLINGS.map(([re], i) => ({ name: `respelling[${i}]`, re })),
    ...ORDER_ID_PATTERNS.map((re, i) => ({ name: `orderId[${i}]`, re })),
    ...VI_MARKERS.map((re, i) => ({ name: `language[${i}]`, re })),
    { name: "email", re: EMAIL_TOKEN },
    { name: "size", re: SIZE_PATTERN },
    { name: "color", re: COLOR_PATTERN },
    { name: "colorCue", re: COLOR_CUE },
    { name: "notAColor", re: NOT_A_COLOR_AFTER },
    { name: "quantity", re: QUANTITY_PATTERN },
  ];
}

export interface Classification {
  intent: AiIntent;
  confidence: number;
}

/**
 * Intent of one message with a confidence from the match strength: the first rule (RULES' order)
 * with a whole-phrase match, else the rule with the most keywords. A phrase with keywords scores
 * 0.92, a phrase alone 0.88, two keywords or more 0.78, one 0.7; nothing matched is unknown (0.2).
 */
export function classify(text: string): Classification {
  const normalized = normalizeForIntent(text);
  let byKeywords: { intent: AiIntent; hits: number } = { intent: "unknown", hits: 0 };
  for (const rule of RULES) {
    const strong = rule.strong.some((re) => re.test(normalized));
    const weakHits = rule.weak.filter((re) => re.test(normalized)).length;
    if (strong) return { intent: rule.intent, confidence: weakHits > 0 ? 0.92 : 0.88 };
    if (weakHits > byKeywords.hits) byKeywords = { intent: rule.intent, hits: weakHits };
  }
  if (byKeywords.hits === 0) return { intent: "unknown", confidence: 0.2 };
  return { intent: byKeywords.intent, confidence: byKeywords.hits >= 2 ? 0.78 : 0.7 };
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
