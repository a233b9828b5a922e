-- Connect with X (3-legged OAuth 1.0a): pending request tokens. The callback claims a row with
-- UPDATE ... WHERE used_at IS NULL RETURNING, so each request token connects at most once, and
-- rows older than 10 minutes are refused. The secret is AES-256-GCM ciphertext (TokenCipher).
CREATE TABLE "x_oauth_requests" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "merchant_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "oauth_token" TEXT NOT NULL,
    "oauth_token_secret_enc" TEXT NOT NULL,
    "return_to" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "used_at" TIMESTAMPTZ(3),
    CONSTRAINT "x_oauth_requests_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "x_oauth_requests_oauth_token_key" ON "x_oauth_requests" ("oauth_token");
CREATE INDEX "x_oauth_requests_created_at_idx" ON "x_oauth_requests" ("created_at");
