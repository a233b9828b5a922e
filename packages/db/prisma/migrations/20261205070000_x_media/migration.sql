-- media uploaded to X per account, reused while X keeps it (templates, retries)
CREATE TABLE "x_media" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "merchant_id" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "target" TEXT NOT NULL DEFAULT 'dm',
    "mime_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "media_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "x_media_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "x_media_account_id_target_type_url_key" ON "x_media"("account_id", "target", "type", "url");
CREATE INDEX "x_media_merchant_id_idx" ON "x_media"("merchant_id");

ALTER TABLE "x_media" ADD CONSTRAINT "x_media_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "x_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- a template's one attachment ({ type, url }), sent with each DM made from it
ALTER TABLE "templates" ADD COLUMN "attachment" JSONB;
