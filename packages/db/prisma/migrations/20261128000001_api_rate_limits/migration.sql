-- CreateTable
CREATE TABLE "api_rate_limits" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "api_rate_limits_pkey" PRIMARY KEY ("key","window_start")
);

-- CreateIndex
CREATE INDEX "api_rate_limits_expires_at_idx" ON "api_rate_limits"("expires_at");

-- Hand-written: no WAL for a counter that is rewritten on every API request.
ALTER TABLE "api_rate_limits" SET UNLOGGED;
