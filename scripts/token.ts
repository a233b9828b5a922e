// `pnpm token --merchant <id> --role <owner|admin|agent|viewer> [--sub <userId>] [--expires 1h]`
// Prints a bearer token signed with JWT_SECRET (or the dev secret in .data/).
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { ROLES } from "@mkt-x/core";
import { devSecrets, DEMO_MERCHANT_ID } from "./lib/dev-secrets.ts";
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
const secret = process.env.JWT_SECRET ?? devSecrets().JWT_SECRET;
console.log(await mintToken({ secret, merchantId: values.merchant ?? DEMO_MERCHANT_ID, role, sub: values.sub ?? randomUUID(), expiresIn: values.expires ?? "12h" }));
