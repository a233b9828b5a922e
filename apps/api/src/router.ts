import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { router } from "./trpc/init.ts";
import { accountsRouter } from "./routers/accounts/index.ts";

export const appRouter = router({
  accounts: accountsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
