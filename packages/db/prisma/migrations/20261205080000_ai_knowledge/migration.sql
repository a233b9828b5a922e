-- The AI's knowledge of a shop: FAQ entries and a product catalog per merchant, searched with
-- full text and trigrams over accent-folded text (Vietnamese typed without diacritics matches),
-- the reply mode and order endpoint of the AI settings, and the replies suggested to agents.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (its dictionary could change), so an index cannot use it directly.
-- Naming the dictionary makes the result depend on the argument alone: safe to declare IMMUTABLE.
-- It also folds the Vietnamese letter d-stroke to d, and lowercases.
CREATE FUNCTION mktx_fold(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) $$;
-- array_to_string is STABLE for arrays of any type, for text[] it depends on its argument alone
CREATE FUNCTION mktx_words(a text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT array_to_string(a, ' ') $$;

CREATE TABLE "ai_faq_entries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "merchant_id" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "tags" TEXT[] NOT NULL DEFAULT '{}',
    "language" TEXT,
    "search_text" TEXT GENERATED ALWAYS AS (mktx_fold("question" || ' ' || mktx_words("tags") || ' ' || "answer")) STORED,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "ai_faq_entries_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ai_faq_entries_merchant_id_created_at_idx" ON "ai_faq_entries" ("merchant_id", "created_at");
CREATE INDEX "ai_faq_entries_fts_idx" ON "ai_faq_entries" USING GIN (to_tsvector('simple', "search_text"));
CREATE INDEX "ai_faq_entries_trgm_idx" ON "ai_faq_entries" USING GIN ("search_text" gin_trgm_ops);

CREATE TABLE "ai_products" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "merchant_id" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "price" NUMERIC(14, 2) NOT NULL,
    "currency" TEXT NOT NULL,
    "variants" JSONB NOT NULL DEFAULT '[]',
    "stock" INTEGER,
    "url" TEXT,
    "image_url" TEXT,
    "tags" TEXT[] NOT NULL DEFAULT '{}',
    "search_text" TEXT GENERATED ALWAYS AS (mktx_fold("name" || ' ' || "sku" || ' ' || mktx_words("tags") || ' ' || coalesce("description", ''))) STORED,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "ai_products_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ai_products_merchant_id_sku_key" ON "ai_products" ("merchant_id", "sku");
CREATE INDEX "ai_products_merchant_id_created_at_idx" ON "ai_products" ("merchant_id", "created_at");
CREATE INDEX "ai_products_fts_idx" ON "ai_products" USING GIN (to_tsvector('simple', "search_text"));
CREATE INDEX "ai_products_trgm_idx" ON "ai_products" USING GIN ("search_text" gin_trgm_ops);

ALTER TABLE "ai_settings" ADD COLUMN "reply_mode" TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE "ai_settings" ADD CONSTRAINT "ai_settings_reply_mode_check" CHECK ("reply_mode" IN ('auto', 'draft', 'off'));
ALTER TABLE "ai_settings" ADD COLUMN "order_lookup_url" TEXT;
-- the signing secret of order lookups, as a TokenCipher ciphertext (shown once when the URL is set)
ALTER TABLE "ai_settings" ADD COLUMN "order_lookup_secret_enc" TEXT;

-- A reply the bot proposes to an agent (reply mode draft): pending until sent or dismissed.
CREATE TABLE "ai_suggestions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "merchant_id" TEXT NOT NULL,
    "conversation_id" UUID NOT NULL,
    "source_message_id" UUID NOT NULL,
    "content" TEXT NOT NULL,
    "intent" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "sources" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "message_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "ai_suggestions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ai_suggestions_status_check" CHECK ("status" IN ('pending', 'used', 'dismissed')),
    CONSTRAINT "ai_suggestions_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations" ("id") ON DELETE CASCADE
);
-- one suggestion per inbound message: a redelivered event suggests nothing twice
CREATE UNIQUE INDEX "ai_suggestions_merchant_id_source_message_id_key" ON "ai_suggestions" ("merchant_id", "source_message_id");
CREATE INDEX "ai_suggestions_conversation_id_status_idx" ON "ai_suggestions" ("conversation_id", "status");
