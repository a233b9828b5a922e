// Injected failures for the X API routes: the next matching request(s) get an X error or a delay,
// all of them or a seeded share of them (`rate`), so a storm replays the same way in every run.
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
  /**
   * The share of matching requests it applies to (0 < rate <= 1), each drawn from a generator seeded
   * with `seed`: the same seed gives the same sequence of hits and misses. Every one when absent.
   * A request it spares goes on to the next matching fault, if any; `count` counts hits only.
   */
  rate?: number;
  /** The seed of `rate`'s draws (an integer); 1 when absent. */
  seed?: number;
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
  rate: number | null;
  seed: number;
  /** Matching requests drawn for so far (the next draw's position in the seeded sequence). */
  draws: number;
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
  if (input.rate !== undefined && !(Number.isFinite(input.rate) && input.rate > 0 && input.rate <= 1)) throw new SandboxError(400, "rate must be a number > 0 and <= 1");
  if (input.seed !== undefined && !Number.isSafeInteger(input.seed)) throw new SandboxError(400, "seed must be an integer");
  return {
    id,
    method: input.method ? input.method.toUpperCase() : null,
    path: input.path ?? null,
    status: input.status ?? null,
    remaining: sticky ? null : count,
    resetInSeconds: input.resetInSeconds ?? null,
    latencyMs: input.latencyMs ?? null,
    rate: input.rate ?? null,
    seed: input.seed ?? 1,
    draws: 0,
  };
}

/**
 * The n-th number in [0, 1) of mulberry32 seeded with `seed`: its state after n + 1 steps is
 * seed + (n + 1) * 0x6D2B79F5, so any position is computed directly, with no state to keep.
 */
export function seededDraw(seed: number, n: number): number {
  let t = (seed + Math.imul(n + 1, 0x6d2b79f5)) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Finds the first fault that matches the request and hits it (see `rate`), and uses one of its applications up. */
export function takeFault(faults: SandboxFault[], method: string, path: string): SandboxFault | undefined {
  const index = faults.findIndex((f) => {
    if ((f.method !== null && f.method !== method.toUpperCase()) || (f.path !== null && !path.includes(f.path))) return false;
    if (f.rate === null) return true;
    return seededDraw(f.seed, f.draws++) < f.rate;
  });
  const fault = faults[index];
  if (fault === undefined) return undefined;
  if (fault.remaining !== null) {
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
  }
  return { ...fault };
}
