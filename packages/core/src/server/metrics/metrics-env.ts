// The metrics' configuration, read by the API and the worker alike (README "Configuration").
import { z } from "zod";

const blankIsUnset = (v: unknown) => (v === "" ? undefined : v);

export const metricsEnvShape = {
  /** bearer token Prometheus presents on /metrics; unset: the API's /metrics answers 404 and the worker serves none */
  METRICS_TOKEN: z.preprocess(blankIsUnset, z.string().min(16, { message: "must be at least 16 characters" }).max(512).optional()),
};

/** The worker's metrics listener (only with METRICS_TOKEN): port 0 picks a free one (it is logged). */
export const workerMetricsEnvShape = {
  WORKER_METRICS_PORT: z.preprocess(blankIsUnset, z.coerce.number({ message: "must be a port number" }).int().min(0).max(65535).default(9464)),
  WORKER_METRICS_HOST: z.preprocess(blankIsUnset, z.string().default("0.0.0.0")),
};
