import { router } from "../../trpc/init.ts";
import { createSegmentProcedure } from "./create-segment.ts";
import { listSegmentsProcedure } from "./list-segments.ts";
import { getSegmentProcedure } from "./get-segment.ts";
import { updateSegmentProcedure } from "./update-segment.ts";
import { deleteSegmentProcedure } from "./delete-segment.ts";
import { previewSegmentProcedure } from "./preview-segment.ts";

export const segmentsRouter = router({
  create: createSegmentProcedure,
  list: listSegmentsProcedure,
  get: getSegmentProcedure,
  update: updateSegmentProcedure,
  delete: deleteSegmentProcedure,
  preview: previewSegmentProcedure,
});
