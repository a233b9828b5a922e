// The database holds the same state lists as the contract: each CHECK constraint of the migrations
// names exactly the values of the contract's list, so neither can drift from the other, and a write
// outside them fails in PostgreSQL.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { MESSAGE_DIRECTIONS, MESSAGE_ORIGINS, MESSAGE_STATUSES, MESSAGE_TYPES } from "../src/contract/messages.ts";
import { CAMPAIGN_RECIPIENT_STATUSES, CAMPAIGN_STATUSES, CAMPAIGN_TYPES } from "../src/contract/campaigns.ts";
import { FLOW_EXECUTION_STATUSES, FLOW_STATUSES } from "../src/contract/flows.ts";
import { CONVERSATION_STATUSES } from "../src/contract/conversations.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
});
afterAll(async () => {
  await database?.drop();
});

const LISTS: [constraint: string, values: readonly string[]][] = [
  ["messages_direction_check", MESSAGE_DIRECTIONS],
  ["messages_type_check", MESSAGE_TYPES],
  ["messages_status_check", MESSAGE_STATUSES],
  ["messages_origin_check", MESSAGE_ORIGINS],
  ["conversations_status_check", CONVERSATION_STATUSES],
  ["campaigns_status_check", CAMPAIGN_STATUSES],
  ["campaigns_type_check", CAMPAIGN_TYPES],
  ["campaign_recipients_status_check", CAMPAIGN_RECIPIENT_STATUSES],
  ["flows_status_check", FLOW_STATUSES],
  ["flow_executions_status_check", FLOW_EXECUTION_STATUSES],
];

describe("state lists in the database", () => {
  it.each(LISTS)("%s allows exactly the contract's values", async (constraint, values) => {
    const { rows } = await database.pool.query<{ def: string }>("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1", [constraint]);
    expect(rows).toHaveLength(1);
    const allowed = [...(rows[0]?.def ?? "").matchAll(/'([^']*)'::text/g)].map((m) => m[1]);
    expect(allowed.sort()).toEqual([...values].sort());
  });

  it("refuses a message whose origin no list has", async () => {
    const merchantId = randomUUID();
    const account = await database.db.xAccount.create({ data: { merchantId, twitterUserId: "9001", username: "shop", displayName: "Shop" } });
    const contact = await database.db.contact.create({ data: { merchantId, accountId: account.id, twitterUserId: "9002" } });
    const conversation = await database.db.conversation.create({ data: { merchantId, accountId: account.id, contactId: contact.id } });
    const message = { merchantId, accountId: account.id, conversationId: conversation.id, contactId: contact.id, direction: "inbound", content: "hi", status: "received" };
    await expect(database.db.message.create({ data: { ...message, origin: "robot" } })).rejects.toThrow(/messages_origin_check/);
    await expect(database.db.message.create({ data: { ...message, origin: "customer" } })).resolves.toMatchObject({ origin: "customer" });
  });
});
