import type { TargetPolicy } from "@mkt-x/core/server";
import type { AppServices } from "../../trpc/context.ts";

/** The composition root's address policy for webhook targets; public targets only when it set none. */
export const targetPolicy = (services: Pick<AppServices, "webhookTargets">): TargetPolicy => services.webhookTargets ?? { allowPrivate: false };
