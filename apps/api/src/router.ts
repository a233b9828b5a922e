import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { router } from "./trpc/init.ts";
import { accountsRouter } from "./routers/accounts/index.ts";
import { contactsRouter } from "./routers/contacts/index.ts";
import { conversationsRouter } from "./routers/conversations/index.ts";
import { templatesRouter } from "./routers/templates/index.ts";
import { segmentsRouter } from "./routers/segments/index.ts";
import { campaignsRouter } from "./routers/campaigns/index.ts";
import { flowsRouter } from "./routers/flows/index.ts";
import { aiRouter } from "./routers/ai/index.ts";
import { aiKnowledgeRouter } from "./routers/ai-knowledge/index.ts";
import { analyticsRouter } from "./routers/analytics/index.ts";
import { teamRouter } from "./routers/team/index.ts";
import { apiKeysRouter } from "./routers/api-keys/index.ts";
import { eventsRouter } from "./routers/events/index.ts";
import { webhooksRouter } from "./routers/webhooks/index.ts";

export const appRouter = router({
  accounts: accountsRouter,
  contacts: contactsRouter,
  conversations: conversationsRouter,
  templates: templatesRouter,
  segments: segmentsRouter,
  campaigns: campaignsRouter,
  flows: flowsRouter,
  ai: aiRouter,
  aiKnowledge: aiKnowledgeRouter,
  analytics: analyticsRouter,
  team: teamRouter,
  apiKeys: apiKeysRouter,
  events: eventsRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
