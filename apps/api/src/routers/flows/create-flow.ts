import { CreateFlowInput, Flow } from "@mkt-x/core";
import { createFlow } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const createFlowProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/automation/flows", tags: ["automation"], summary: "Create an automation flow (draft)", description: "trigger: new_follower, message_received (config.keywords: any of them, case-insensitive) or manual. nodes: send_message (templateId, delay seconds, variables), wait (duration seconds, up to 30 days), condition (field tags|optedOut|attributes.<key>, operator contains|equals, value; its connections carry condition \"true\"/\"false\"), add_tag, remove_tag (tag), end. Exactly one entry node, no cycles.", protect: true, errorResponses: { 400: "Invalid input, an unsound graph or an unknown template", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(CreateFlowInput)
  .output(Flow)
  .mutation(({ ctx, input }) => createFlow(ctx.db, { merchantId: ctx.merchantId, input }));
