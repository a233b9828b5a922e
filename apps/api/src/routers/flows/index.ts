import { router } from "../../trpc/init.ts";
import { createFlowProcedure } from "./create-flow.ts";
import { listFlowsProcedure } from "./list-flows.ts";
import { getFlowProcedure } from "./get-flow.ts";
import { updateFlowProcedure } from "./update-flow.ts";
import { activateFlowProcedure } from "./activate-flow.ts";
import { deactivateFlowProcedure } from "./deactivate-flow.ts";
import { deleteFlowProcedure } from "./delete-flow.ts";
import { flowExecutionsProcedure } from "./flow-executions.ts";
import { runFlowProcedure } from "./run-flow.ts";

export const flowsRouter = router({
  create: createFlowProcedure,
  list: listFlowsProcedure,
  get: getFlowProcedure,
  update: updateFlowProcedure,
  activate: activateFlowProcedure,
  deactivate: deactivateFlowProcedure,
  delete: deleteFlowProcedure,
  executions: flowExecutionsProcedure,
  run: runFlowProcedure,
});
