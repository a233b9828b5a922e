-- X revoked the account's authorization (user_event.revoke, oauth.revoke, or a 401 on a call)
ALTER TYPE "account_status" ADD VALUE IF NOT EXISTS 'revoked';

-- why a campaign or a flow was paused by the service (account_revoked), null when a person did it
ALTER TABLE "campaigns" ADD COLUMN "pause_reason" TEXT;
ALTER TABLE "flows" ADD COLUMN "pause_reason" TEXT;
