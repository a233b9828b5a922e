// The merchant's facts for one customer message: the closest products and FAQ entries (search
// words without the filler of a question), and the order it names when the shop can be asked.
import type { AiKnowledge } from "../../../ports/ai-provider.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { knowledgeWords, rankFaqs, rankProducts, searchTerms } from "../ai-knowledge/search-knowledge.ts";
import { readVariants } from "../ai-knowledge/products.ts";

const CANDIDATES = 3;
/**
 * At most about this many entries of a kind are scored per message (three times it when every
 * word is common): the bot wants the best few, and a common word must not cost the whole catalog.
 */
export const SCORING_BUDGET = 100;

// Words of a question that say nothing about what is asked for (English and Vietnamese, folded).
const FILLER = new Set(
  ("a an the is are am do does did you your we our i me my it its this that these those of in on at to for with and or "
    + "have has got any can could would will please pls plz hi hello hey there what which how much many when where who why "
    + "still left available stock size sizes colour color colours colors price cost much sell selling buy want need about "
    + "shop ban minh toi em anh chi oi a ah nhe nha khong ko k co con cho hoi la gi nao bao nhieu duoc the nao size mau gia "
    + "hang san muon mua va voi cua thi ma vay sao dang ntn").split(" "),
);

/** The words of a message the knowledge is searched by. */
export const retrievalTerms = (message: string): string[] => searchTerms(message, FILLER);

export async function retrieveKnowledge(db: ScopedDb, opts: { merchantId: string; message: string }): Promise<AiKnowledge> {
  const terms = retrievalTerms(opts.message);
  if (terms.length === 0) return { faqs: [], products: [] };
  const words = await knowledgeWords(db, { merchantId: opts.merchantId, terms });
  const rank = { merchantId: opts.merchantId, terms, words, take: CANDIDATES, budget: SCORING_BUDGET };
  const [products, faqs] = await Promise.all([rankProducts(db, rank), rankFaqs(db, rank)]);
  return {
    products: products.map((p) => ({
      id: p.id, sku: p.sku, name: p.name, description: p.description, price: p.price.toNumber(), currency: p.currency,
      variants: readVariants(p.variants), stock: p.stock, url: p.url, score: p.score,
    })),
    faqs: faqs.map((f) => ({ id: f.id, question: f.question, answer: f.answer, score: f.score })),
  };
}
