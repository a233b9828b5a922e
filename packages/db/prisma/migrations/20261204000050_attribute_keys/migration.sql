-- The custom attribute keys each account has used: the CSV export has a column per key, so their
-- number is bounded per account. The services that write attributes (the contacts API, the CSV
-- import) record the keys here in the same statement or transaction and check the bound against
-- it. A key stays counted after the last contact drops it.
CREATE TABLE "account_attribute_keys" (
    "account_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    CONSTRAINT "account_attribute_keys_pkey" PRIMARY KEY ("account_id", "key")
);

INSERT INTO account_attribute_keys (account_id, key)
SELECT DISTINCT c.account_id, k.key FROM contacts c, jsonb_object_keys(c.attributes) AS k(key)
ON CONFLICT DO NOTHING;
