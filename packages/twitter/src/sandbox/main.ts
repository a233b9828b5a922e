// Standalone X sandbox: `pnpm --filter @mkt-x/twitter sandbox` (SANDBOX_STATE_DIR keeps its state on disk).
import { createXSandbox } from "./create-x-sandbox.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required (the X app's consumer credential the service is configured with)`);
    process.exit(1);
  }
  return value;
}

const port = Number(process.env["SANDBOX_PORT"] ?? "5100");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`SANDBOX_PORT must be a port number, got ${process.env["SANDBOX_PORT"]}`);
  process.exit(1);
}

const sandbox = createXSandbox({
  consumerKey: required("X_CONSUMER_KEY"),
  consumerSecret: required("X_CONSUMER_SECRET"),
  ...(process.env["X_WEBHOOK_URL"] ? { webhookUrl: process.env["X_WEBHOOK_URL"] } : {}),
  ...(process.env["SANDBOX_STATE_DIR"] ? { stateDir: process.env["SANDBOX_STATE_DIR"] } : {}),
  logger: process.env["LOG_LEVEL"] === "debug",
});
const url = await sandbox.listen(port, process.env["SANDBOX_HOST"] ?? "127.0.0.1");
console.log(`X sandbox listening on ${url} (control API under ${url}/_sandbox)`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
