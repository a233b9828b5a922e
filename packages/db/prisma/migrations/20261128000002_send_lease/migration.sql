-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "lease_until" TIMESTAMPTZ(3),
ADD COLUMN     "sending_started_at" TIMESTAMPTZ(3);
