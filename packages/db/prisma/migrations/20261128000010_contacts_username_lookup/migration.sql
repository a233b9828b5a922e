-- CSV import rows that give only a username update the account's contact of that username,
-- matched case-insensitively: an expression index Prisma's schema cannot express.
CREATE INDEX "contacts_account_id_lower_username_idx" ON "contacts" ("account_id", lower("username"));
