-- DM catch-up reads X's history back: it must not bring back what a GDPR erasure removed. An
-- erasure moves the account's catch-up window past its own moment (no trace of the person kept).
ALTER TABLE "x_accounts" ADD COLUMN "catchup_not_before" TIMESTAMPTZ(3);
-- Until when the account's DM history is known to be caught up: the next run reads back to shortly
-- before it instead of the whole window.
ALTER TABLE "x_accounts" ADD COLUMN "dm_caught_up_at" TIMESTAMPTZ(3);
