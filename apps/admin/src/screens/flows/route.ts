import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { z } from "zod";
import { FLOW_EXECUTION_STATUSES, FLOW_STATUSES } from "@mkt-x/core";
import { appRoute } from "../../app/routes-base.tsx";

export const flowsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/flows",
  validateSearch: z.object({ status: z.enum(FLOW_STATUSES).optional().catch(undefined), page: z.number().int().min(1).optional().catch(undefined) }),
  component: lazyRouteComponent(() => import("./flows-screen.tsx"), "FlowsScreen"),
});

export const flowRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/flows/$flowId",
  validateSearch: z.object({
    tab: z.enum(["builder", "executions"]).optional().catch(undefined),
    status: z.enum(FLOW_EXECUTION_STATUSES).optional().catch(undefined),
    page: z.number().int().min(1).optional().catch(undefined),
  }),
  component: lazyRouteComponent(() => import("./flow-screen.tsx"), "FlowScreen"),
});
