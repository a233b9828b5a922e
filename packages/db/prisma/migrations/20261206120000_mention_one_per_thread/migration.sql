-- One mention conversation per thread, as the contract says: everyone's posts in a thread are one
-- conversation (opened by, and shown with, the person who posted first), each message keeping its
-- author as its contact. Threads split per person before are merged into their oldest conversation.
CREATE TEMPORARY TABLE "mention_merge" AS
  SELECT "id", "contact_id", first_value("id") OVER (PARTITION BY "account_id", "thread_id" ORDER BY "started_at", "id") AS "keep"
  FROM "conversations" WHERE "channel" = 'mention';

UPDATE "messages" m SET "conversation_id" = r."keep" FROM "mention_merge" r WHERE m."conversation_id" = r."id" AND r."id" <> r."keep";

UPDATE "contacts" c SET "conversation_count" = GREATEST(c."conversation_count" - x."n", 0)
FROM (SELECT "contact_id", count(*)::int AS "n" FROM "mention_merge" WHERE "id" <> "keep" GROUP BY 1) x WHERE c."id" = x."contact_id";

DELETE FROM "conversations" c USING "mention_merge" r WHERE c."id" = r."id" AND r."id" <> r."keep";

UPDATE "conversations" c SET "message_count" = x."n", "last_message_at" = x."last"
FROM (SELECT "conversation_id", count(*)::int AS "n", max("created_at") AS "last" FROM "messages" GROUP BY 1) x
WHERE c."id" = x."conversation_id" AND c."channel" = 'mention';

DROP TABLE "mention_merge";

DROP INDEX "conversations_one_per_thread_key";
CREATE UNIQUE INDEX "conversations_one_per_thread_key" ON "conversations" ("account_id", "thread_id") WHERE "channel" = 'mention';
