-- Knowledge search that costs what the message's rare words cost, not what the catalog weighs.
-- Before, each customer message scored every product matching any of its words with
-- word_similarity over the whole text (about 25 µs a term and row) and to_tsvector per row: a
-- common word ("made", or a short Vietnamese word whose trigrams every text shares) meant the
-- whole catalog, seconds for 10,000 products. Now:
--  * `search_vector`, the stored tsvector of search_text, indexed with the merchant (btree_gin),
--  * `ai_knowledge_words`, each merchant's lexicon: the distinct words (tsvector lexemes) of its
--    products and of its FAQ entries with how many entries hold each, kept by statement triggers.
--    Typo tolerance is a trigram match of a term against these words (a few thousand short
--    strings, with a trigram index), and `ndoc` tells the search how many entries a word would
--    bring before any of them is read.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- a generated column cannot read another, so the search_text expression is repeated
ALTER TABLE "ai_products" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (to_tsvector('simple', mktx_fold("name" || ' ' || "sku" || ' ' || mktx_words("tags") || ' ' || coalesce("description", '')))) STORED;
ALTER TABLE "ai_faq_entries" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (to_tsvector('simple', mktx_fold("question" || ' ' || mktx_words("tags") || ' ' || "answer"))) STORED;
DROP INDEX "ai_products_fts_idx";
DROP INDEX "ai_products_trgm_idx";
DROP INDEX "ai_faq_entries_fts_idx";
DROP INDEX "ai_faq_entries_trgm_idx";
-- fastupdate off: a GIN index's pending list (new entries not yet merged, up to 4 MB) is read
-- through on every search until a vacuum merges it, and the bot searches right after an import
CREATE INDEX "ai_products_search_vector_idx" ON "ai_products" USING GIN ("merchant_id", "search_vector") WITH (fastupdate = off);
CREATE INDEX "ai_faq_entries_search_vector_idx" ON "ai_faq_entries" USING GIN ("merchant_id", "search_vector") WITH (fastupdate = off);

CREATE TABLE "ai_knowledge_words" (
    "merchant_id" TEXT NOT NULL,
    -- product | faq
    "source" TEXT NOT NULL,
    "word" TEXT NOT NULL,
    -- how many of the merchant's entries of that source hold the word
    "ndoc" INTEGER NOT NULL,
    -- the word first: a key led by the merchant would look, to a planner without statistics yet
    -- (a lexicon just filled), like the cheap way to a term's words, and read all of them
    CONSTRAINT "ai_knowledge_words_pkey" PRIMARY KEY ("word", "merchant_id", "source"),
    CONSTRAINT "ai_knowledge_words_source_check" CHECK ("source" IN ('product', 'faq'))
);
CREATE INDEX "ai_knowledge_words_trgm_idx" ON "ai_knowledge_words" USING GIN ("merchant_id", "source", "word" gin_trgm_ops) WITH (fastupdate = off);

-- The words of the rows a statement inserted, changed or deleted, counted in and out in one
-- set-based upsert per statement (a stock or price update changes no word and writes nothing
-- here). Rows are upserted in word order whatever the statement, so two writers of one merchant's
-- entries wait for each other rather than deadlock. A word no entry holds any more is removed.
CREATE FUNCTION mktx_count_knowledge_words() RETURNS trigger LANGUAGE plpgsql
-- The body is an escape string whose semicolons are written \073: the migration runner (Prisma's
-- pg adapter) cuts the script at every semicolon, even inside quotes.
AS E'
DECLARE
  src text := TG_ARGV[0]\073
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO ai_knowledge_words AS k (merchant_id, source, word, ndoc)
      SELECT r.merchant_id, src, w, count(*)::int FROM new_rows r, unnest(tsvector_to_array(r.search_vector)) AS w
      GROUP BY r.merchant_id, w ORDER BY r.merchant_id, w
    ON CONFLICT (merchant_id, source, word) DO UPDATE SET ndoc = k.ndoc + excluded.ndoc\073
    RETURN NULL\073
  END IF\073
  IF TG_OP = ''UPDATE'' THEN
    INSERT INTO ai_knowledge_words AS k (merchant_id, source, word, ndoc)
      SELECT merchant_id, src, w, sum(n)::int FROM (
        SELECT r.merchant_id, w, 1 AS n FROM new_rows r, unnest(tsvector_to_array(r.search_vector)) AS w
        UNION ALL
        SELECT r.merchant_id, w, -1 FROM old_rows r, unnest(tsvector_to_array(r.search_vector)) AS w
      ) d
      GROUP BY merchant_id, w HAVING sum(n) <> 0 ORDER BY merchant_id, w
    ON CONFLICT (merchant_id, source, word) DO UPDATE SET ndoc = k.ndoc + excluded.ndoc\073
  ELSE
    INSERT INTO ai_knowledge_words AS k (merchant_id, source, word, ndoc)
      SELECT r.merchant_id, src, w, -count(*)::int FROM old_rows r, unnest(tsvector_to_array(r.search_vector)) AS w
      GROUP BY r.merchant_id, w ORDER BY r.merchant_id, w
    ON CONFLICT (merchant_id, source, word) DO UPDATE SET ndoc = k.ndoc + excluded.ndoc\073
  END IF\073
  DELETE FROM ai_knowledge_words k
    USING (SELECT DISTINCT r.merchant_id, w FROM old_rows r, unnest(tsvector_to_array(r.search_vector)) AS w) d
    WHERE k.merchant_id = d.merchant_id AND k.source = src AND k.word = d.w AND k.ndoc <= 0\073
  RETURN NULL\073
END ';

CREATE TRIGGER "ai_products_words_insert" AFTER INSERT ON "ai_products" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mktx_count_knowledge_words('product');
CREATE TRIGGER "ai_products_words_update" AFTER UPDATE ON "ai_products" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mktx_count_knowledge_words('product');
CREATE TRIGGER "ai_products_words_delete" AFTER DELETE ON "ai_products" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mktx_count_knowledge_words('product');
CREATE TRIGGER "ai_faq_entries_words_insert" AFTER INSERT ON "ai_faq_entries" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mktx_count_knowledge_words('faq');
CREATE TRIGGER "ai_faq_entries_words_update" AFTER UPDATE ON "ai_faq_entries" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mktx_count_knowledge_words('faq');
CREATE TRIGGER "ai_faq_entries_words_delete" AFTER DELETE ON "ai_faq_entries" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mktx_count_knowledge_words('faq');

-- TRUNCATE has no transition table: the source's whole lexicon goes with it
CREATE FUNCTION mktx_clear_knowledge_words() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  DELETE FROM ai_knowledge_words WHERE source = TG_ARGV[0]\073
  RETURN NULL\073
END ';
CREATE TRIGGER "ai_products_words_truncate" AFTER TRUNCATE ON "ai_products" FOR EACH STATEMENT EXECUTE FUNCTION mktx_clear_knowledge_words('product');
CREATE TRIGGER "ai_faq_entries_words_truncate" AFTER TRUNCATE ON "ai_faq_entries" FOR EACH STATEMENT EXECUTE FUNCTION mktx_clear_knowledge_words('faq');

INSERT INTO ai_knowledge_words (merchant_id, source, word, ndoc)
  SELECT merchant_id, 'product', w, count(*)::int FROM ai_products, unnest(tsvector_to_array(search_vector)) AS w GROUP BY merchant_id, w;
INSERT INTO ai_knowledge_words (merchant_id, source, word, ndoc)
  SELECT merchant_id, 'faq', w, count(*)::int FROM ai_faq_entries, unnest(tsvector_to_array(search_vector)) AS w GROUP BY merchant_id, w;

-- The merchant's words a search term may mean, per source: words it begins (a prefix is always
-- at least 0.5 alike) and words within the typo threshold, the most alike first, at most 16 a
-- term. The threshold is set for this function's run only (the GIN index answers `<%` with it),
-- and so is the trigram index: reading every word of the merchant for each term (where it has
-- most of the table's words, a sequential scan looks cheap) costs tens of milliseconds.
CREATE FUNCTION mktx_knowledge_words(p_merchant_id text, p_terms text[])
  RETURNS TABLE (source text, term integer, word text, similarity real, ndoc integer)
  LANGUAGE sql STABLE PARALLEL SAFE
  SET pg_trgm.word_similarity_threshold = 0.5
  SET enable_seqscan = off
AS $$
  SELECT s.source, t.i::int, m.word, m.similarity, m.ndoc
  FROM unnest(p_terms) WITH ORDINALITY AS t(term, i)
  CROSS JOIN (VALUES ('product'), ('faq')) AS s(source)
  CROSS JOIN LATERAL (
    SELECT k.word, word_similarity(t.term, k.word) AS similarity, k.ndoc
    FROM ai_knowledge_words k
    WHERE k.merchant_id = p_merchant_id AND k.source = s.source AND t.term <% k.word
    ORDER BY 2 DESC, k.ndoc DESC, k.word
    LIMIT 16
  ) m
$$;
