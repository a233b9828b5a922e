import { AppError, notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { ScopedDb } from "../../scoped-db.ts";

/** Campaigns in these states are done with their template (or not yet committed to one). */
const RELEASING_STATUSES = ["draft", "completed", "cancelled"];

/**
 * Deletes a template unless a scheduled, running or paused campaign, or an active flow, uses it
 * (409 naming them).
 * Draft, completed and cancelled campaigns let go of it (template_id set to NULL: the foreign key
 * restricts deletes). The template row is locked first: no campaign can take it up meanwhile.
 */
export async function deleteTemplate(db: ScopedDb, opts: { merchantId: string; templateId: string }): Promise<null> {
  if (!isUuid(opts.templateId)) throw notFound("Template", opts.templateId);
  await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM templates WHERE id = ${opts.templateId}::uuid AND merchant_id = ${opts.merchantId} FOR UPDATE`;
    if (locked.length === 0) throw notFound("Template", opts.templateId);
    // any other status (scheduled, running, paused, or one added later) keeps the template
    await tx.campaign.updateMany({ where: { templateId: opts.templateId, status: { in: RELEASING_STATUSES } }, data: { templateId: null } });
    const blocking = await tx.campaign.findMany({ where: { templateId: opts.templateId }, select: { id: true }, orderBy: { id: "asc" } });
    // throwing rolls back the release above: a refused delete changes nothing
    if (blocking.length > 0) {
      throw new AppError("CONFLICT", "Template is being used by active campaigns", {
        field: "templateId",
        reason: `used by ${blocking.length} scheduled, running or paused campaign(s): complete or cancel them first`,
        campaignIds: blocking.map((c) => c.id),
      });
    }
    // an active flow would fail every execution at its send_message node
    const flows = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM flows WHERE merchant_id = ${opts.merchantId} AND status = 'active'
        AND nodes @> ${JSON.stringify([{ config: { templateId: opts.templateId } }])}::jsonb
      ORDER BY id`;
    if (flows.length > 0) {
      throw new AppError("CONFLICT", "Template is being used by active automation flows", {
        field: "templateId",
        reason: `used by ${flows.length} active flow(s): deactivate them or change their send_message nodes first`,
        flowIds: flows.map((f) => f.id),
      });
    }
    await tx.template.deleteMany({ where: { id: opts.templateId } });
  });
  return null;
}
