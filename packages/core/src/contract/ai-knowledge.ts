// The AI's knowledge of a shop (CONTRACT "AI knowledge"): FAQ entries, the product catalog, the
// sources an answer cites and the replies suggested to agents in draft mode.
import { z } from "zod";
import { EntityId, PageInput, Uuid } from "./common.ts";

// the contacts import's row error, restated here: importing contacts.ts would close an import cycle
// (contacts → conversations → this file)
const CsvImportRowError = z.object({ row: z.number().int(), field: z.string().nullable(), reason: z.string() });

export const MAX_FAQ_QUESTION_LENGTH = 1_000;
export const MAX_FAQ_ANSWER_LENGTH = 5_000;
export const MAX_PRODUCT_DESCRIPTION_LENGTH = 5_000;
export const MAX_KNOWLEDGE_TAGS = 20;
export const MAX_PRODUCT_VARIANTS = 100;
export const MAX_KNOWLEDGE_SEARCH_LENGTH = 200;

const Tag = z.string().trim().min(1).max(50);
const Tags = z.array(Tag).max(MAX_KNOWLEDGE_TAGS);
const HttpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), { message: "must be an http(s) URL" });
/** ISO 4217 code, stored upper case */
const Currency = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, { message: "must be a 3-letter ISO 4217 code" })
  .transform((v) => v.toUpperCase());
const Stock = z.number().int().min(0).max(10_000_000);

export const FaqEntry = z.object({
  id: Uuid,
  question: z.string(),
  answer: z.string(),
  tags: z.array(z.string()),
  language: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type FaqEntry = z.infer<typeof FaqEntry>;

const FaqFields = {
  question: z.string().trim().min(1).max(MAX_FAQ_QUESTION_LENGTH),
  answer: z.string().trim().min(1).max(MAX_FAQ_ANSWER_LENGTH),
  tags: Tags.optional(),
  language: z
    .string()
    .trim()
    .regex(/^[a-z]{2}(?:-[A-Za-z]{2})?$/, { message: "must be a language code such as en or vi" })
    .nullable()
    .optional(),
};
export const CreateFaqInput = z.object(FaqFields).strict();
export type CreateFaqInput = z.infer<typeof CreateFaqInput>;
export const FaqIdInput = z.object({ faqId: EntityId });
export const UpdateFaqInput = FaqIdInput.extend(z.object(FaqFields).partial().shape).strict();
export type UpdateFaqInput = z.infer<typeof UpdateFaqInput>;

export const KnowledgeSearchInput = PageInput.extend({
  search: z.string().trim().max(MAX_KNOWLEDGE_SEARCH_LENGTH).optional().meta({ description: "words to look for, accents and small typos forgiven; the best matches come first" }),
});
export type KnowledgeSearchInput = z.infer<typeof KnowledgeSearchInput>;

export const ProductVariant = z.object({
  size: z.string().trim().min(1).max(50).optional(),
  color: z.string().trim().min(1).max(50).optional(),
  stock: Stock,
});
export type ProductVariant = z.infer<typeof ProductVariant>;

export const Product = z.object({
  id: Uuid,
  sku: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  price: z.number(),
  currency: z.string(),
  variants: z.array(ProductVariant),
  stock: z.number().int().nullable().meta({ description: "the product's own stock; with variants, their sum when not given" }),
  url: z.string().nullable(),
  imageUrl: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Product = z.infer<typeof Product>;

const ProductFields = {
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(MAX_PRODUCT_DESCRIPTION_LENGTH).nullable().optional(),
  price: z.number().min(0).max(1_000_000_000_000).refine((v) => Math.round(v * 100) / 100 === v, { message: "at most 2 decimals" }),
  currency: Currency,
  variants: z.array(ProductVariant.strict()).max(MAX_PRODUCT_VARIANTS).optional(),
  stock: Stock.nullable().optional(),
  url: HttpUrl.nullable().optional(),
  imageUrl: HttpUrl.nullable().optional(),
  tags: Tags.optional(),
};
export const CreateProductInput = z.object(ProductFields).strict();
export type CreateProductInput = z.infer<typeof CreateProductInput>;
export const ProductIdInput = z.object({ productId: EntityId });
export const UpdateProductInput = ProductIdInput.extend(z.object(ProductFields).partial().shape).strict();
export type UpdateProductInput = z.infer<typeof UpdateProductInput>;

/** Same shape as the contacts import, without the account. */
export const ProductsCsvImportResult = z.object({
  rows: z.number().int().meta({ description: "data rows read" }),
  inserted: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  errors: z.array(CsvImportRowError).meta({ description: "one per failed row, in file order; the first 1,000 only" }),
  errorsTruncated: z.boolean(),
});
export type ProductsCsvImportResult = z.infer<typeof ProductsCsvImportResult>;
/** tRPC only (small files): the streaming REST route takes the CSV as the request body. */
export const ImportProductsCsvInput = z.object({ csv: z.string().max(5 * 1024 * 1024) });

export const AI_SOURCE_TYPES = ["faq", "product", "order"] as const;
export const AiSource = z.object({ type: z.enum(AI_SOURCE_TYPES), id: z.string() });
export type AiSource = z.infer<typeof AiSource>;

export const AI_REPLY_MODES = ["auto", "draft", "off"] as const;
export const AiReplyMode = z.enum(AI_REPLY_MODES);
export type AiReplyMode = z.infer<typeof AiReplyMode>;

export const AiSuggestion = z.object({
  id: Uuid,
  content: z.string(),
  intent: z.string(),
  confidence: z.number(),
  sources: z.array(AiSource),
  sourceMessageId: Uuid,
  createdAt: z.iso.datetime(),
});
export type AiSuggestion = z.infer<typeof AiSuggestion>;
export const DismissSuggestionInput = z.object({ conversationId: EntityId, suggestionId: EntityId });
