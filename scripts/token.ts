// `pnpm run token --merchant <id> --role <owner|admin|agent|viewer> [--sub <userId>] [--expires 1h]`
// Prints a bearer token signed with JWT_SECRET (from the environment or .env, else the dev secret in .data/).
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { ROLES } from "@mkt-x/core";
import { devSecrets, ENV_FILE, DEMO_MERCHANT_ID } from "./lib/dev-secrets.ts";
import { mintToken } from "./lib/mint-token.ts";

const { values } = parseArgs({
  options: {
    merchant: { type: "string", default: DEMO_MERCHANT_ID },
    role: { type: "string", default: "owner" },
    sub: { type: "string" },
    expires: { type: "string", default: "12h" },
  },
});
const role = values.role ?? "owner";
if (!(ROLES as readonly string[]).includes(role)) {
  console.error(`--role must be one of ${ROLES.join(", ")}`);
  process.exit(1);
}
// the same JWT_SECRET `pnpm dev` gives the API: the shell's, else the .env's, else the dev secret
// (core's server entry takes seconds to load, so only when there is a .env to read)
if (existsSync(ENV_FILE)) (await import("@mkt-x/core/server")).loadDevEnvFile(ENV_FILE);
const secret = process.env.JWT_SECRET ?? devSecrets().JWT_SECRET;
console.log(await mintToken({ secret, merchantId: values.merchant ?? DEMO_MERCHANT_ID, role, sub: values.sub ?? randomUUID(), expiresIn: values.expires ?? "12h" }));
