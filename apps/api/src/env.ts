// The API's configuration: the only place that reads process.env. Bad values fail at start with
// one line naming the variable.
import { z } from "zod";
import { metricsEnvShape, parseConfig, sharedEnvShape, signInEnvShape } from "@mkt-x/core/server";

export { ConfigError } from "@mkt-x/core/server";

const Env = z.object({
  ...sharedEnvShape,
  ...signInEnvShape,
  ...metricsEnvShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** connect with X: where the person authorizes (X's web, or the sandbox's page) */
  X_WEB_BASE_URL: z.string().url().default("https://api.x.com"),
  /** the admin app: default return after connecting with X, and an allowed returnTo origin */
  ADMIN_BASE_URL: z.string().url().optional(),
  ADMIN_DIST_DIR: z.string().min(1).optional(),
  JWT_SECRET: z.string().min(16, { message: "must be at least 16 characters" }).optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  /** `1` when X_API_BASE_URL is the built-in X sandbox (`pnpm dev`): POST /dev/simulate-dm is offered */
  X_SANDBOX: z.enum(["1"]).optional().catch(undefined),
});
export type ApiEnv = z.infer<typeof Env>;

export function loadEnv(source: Record<string, string | undefined> = process.env): ApiEnv {
  return parseConfig(Env, source, [(env) => (!env.JWT_SECRET && !env.JWT_JWKS_URL ? "JWT_SECRET or JWT_JWKS_URL is required" : null)]);
}
