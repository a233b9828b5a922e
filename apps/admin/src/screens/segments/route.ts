import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { appRoute } from "../../app/routes-base.tsx";

export const segmentsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/segments",
  component: lazyRouteComponent(() => import("./segments-screen.tsx"), "SegmentsScreen"),
});

export const segmentRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/segments/$segmentId",
  component: lazyRouteComponent(() => import("./segment-editor.tsx"), "SegmentEditorScreen"),
});
