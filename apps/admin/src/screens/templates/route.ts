import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { z } from "zod";
import { appRoute } from "../../app/routes-base.tsx";

export const templatesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/templates",
  validateSearch: z.object({ search: z.string().optional(), type: z.enum(["text", "quick_reply", "card"]).optional() }),
  component: lazyRouteComponent(() => import("./templates-screen.tsx"), "TemplatesScreen"),
});

export const templateRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/templates/$templateId",
  component: lazyRouteComponent(() => import("./template-editor.tsx"), "TemplateEditorScreen"),
});
