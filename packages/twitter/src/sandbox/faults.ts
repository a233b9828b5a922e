// Injected failures for the X API routes: the next matching request(s) get an X error or a delay.
import { SandboxError } from "./sandbox-error.ts";

export const FAULT_STATUSES = [401, 403, 429, 500, 502, 503] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

export interface FaultInput {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Matches when the request path contains it, e.g. "/2/dm_conversations"; any when absent. */
  path?: string;
  /** The error to answer with; absent means only `latencyMs` applies and the request then proceeds. */
  status?: FaultStatus;
  /** How many matching requests it applies to; default 1. */
  count?: number;
  /** Applies until cleared (count is then ignored). */
  sticky?: boolean;
  /** For 429: x-rate-limit-* headers with reset = now + this many seconds. */
  resetInSeconds?: number;
  /** Delay before answering (or before proceeding, when there is no status). */
  latencyMs?: number;
}

export interface SandboxFault {
  id: string;
  method: string | null;
  path: string | null;
  status: FaultStatus | null;
  /** Matching requests left; null when sticky. */
  remaining: number | null;
  resetInSeconds: number | null;
  latencyMs: number | null;
}

const isFaultStatus = (value: unknown): value is FaultStatus => FAULT_STATUSES.some((s) => s === value);

export function createFault(id: string, input: FaultInput): SandboxFault {
  if (input.status !== undefined && !isFaultStatus(input.status)) {
    throw new SandboxError(400, `status must be one of ${FAULT_STATUSES.join(", ")}`);
  }
  if (input.status === undefined && !input.latencyMs) throw new SandboxError(400, "a fault needs a status or a latencyMs");
  const sticky = input.sticky === true;
  const count = input.count ?? 1;
  if (!sticky && (!Number.isInteger(count) || count < 1)) throw new SandboxError(400, "count must be an integer >= 1 (or sticky: true)");
  for (const [name, value] of [["resetInSeconds", input.resetInSeconds], ["latencyMs", input.latencyMs]] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw new SandboxError(400, `${name} must be a number >= 0`);
  }
  return {
    id,
    method: input.method ? input.method.toUpperCase() : null,
    path: input.path ?? null,
    status: input.status ?? null,
    remaining: sticky ? null : count,
    resetInSeconds: input.resetInSeconds ?? null,
    latencyMs: input.latencyMs ?? null,
  };
}

/** Finds the first fault matching the request and uses one of its applications up. */
export function takeFault(faults: SandboxFault[], method: string, path: string): SandboxFault | undefined {
  const index = faults.findIndex((f) => (f.method === null || f.method === method.toUpperCase()) && (f.path === null || path.includes(f.path)));
  const fault = faults[index];
  if (fault === undefined) return undefined;
  if (fault.remaining !== null) {
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
  }
  return { ...fault };
}
