import { router } from "../../trpc/init.ts";
import { subscribeEventsProcedure } from "./subscribe-events.ts";

export const eventsRouter = router({
  subscribe: subscribeEventsProcedure,
});
