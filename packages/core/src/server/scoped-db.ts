// Tenant scoping made structural: API procedures get only this client, which adds the caller's
// merchant to every read, write and delete of a tenant model, in its transactions too (a
// transaction of a scoped client is scoped: the job queue and the shared writers such as
// enqueueOutboundMessage take it as any transaction). Raw SQL is written with merchant_id
// explicitly (services take merchantId as a parameter).
import type { Db } from "@mkt-x/db";

const TENANT_MODELS = new Set([
  "XAccount", "Contact", "Conversation", "Message", "MerchantSettings", "Template", "Segment", "Campaign",
  "CampaignSegment", "CampaignRecipient", "ShortLink", "Flow", "FlowExecution", "AiSettings", "AiSession",
  "XOAuthRequest",
  "WebhookSubscription", "WebhookDelivery",
  "AiFaqEntry", "AiProduct", "AiSuggestion",
  "User", "Invite", "ApiKey",
]);

const WHERE_OPS = new Set([
  "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate", "groupBy",
  "update", "updateMany", "updateManyAndReturn", "delete", "deleteMany", "upsert",
]);

type Args = Record<string, unknown>;

declare const scoped: unique symbol;
/**
 * A client whose every tenant-model query is the merchant's. It has the plain client's type (a
 * query extension changes no types), branded so that a plain client is never taken for it.
 */
export type ScopedDb = Db & { readonly [scoped]: true };

export function scopeToMerchant(db: Db, merchantId: string): ScopedDb {
  if (!merchantId) throw new Error("a merchant is required to reach the database");
  const extended = db.$extends({
    name: "merchant-scope",
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          if (!TENANT_MODELS.has(model)) return query(args);
          const a: Args = { ...(args as Args) };
          if (WHERE_OPS.has(operation)) a.where = { ...(a.where as Args | undefined), merchantId };
          if (operation === "create" || operation === "upsert") {
            const key = operation === "create" ? "data" : "create";
            a[key] = { ...(a[key] as Args | undefined), merchantId };
          }
          if (operation === "createMany" || operation === "createManyAndReturn") {
            const data = a.data;
            a.data = Array.isArray(data) ? data.map((d: Args) => ({ ...d, merchantId })) : { ...(data as Args), merchantId };
          }
          return query(a);
        },
      },
    },
  });
  return extended as unknown as ScopedDb;
}
