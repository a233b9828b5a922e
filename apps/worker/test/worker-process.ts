// The real worker process (src/main.ts, the composition root `pnpm start` runs built), for tests
// that kill it: a crash is only a crash when the process dies with its sockets and timers.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { eventually } from "./harness.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

export interface WorkerProcess {
  child: ChildProcess;
  /** every JSON log line so far */
  logLines: { level?: number; msg?: string; err?: string }[];
  /** SIGKILL: no shutdown, in-flight jobs and leases are left as they are */
  kill(): Promise<void>;
  /** SIGTERM, as an operator stops it */
  stop(): Promise<void>;
}

/** Starts src/main.ts with `env` (on top of PATH and the like) and resolves once it consumes its queues. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  // production: a developer's .env must not leak into the test
  const { X_CONSUMER_KEY: _key, X_CONSUMER_SECRET: _secret, X_SANDBOX: _sandbox, DATABASE_URL: _db, ...inherited } = process.env;
  // node itself with tsx's loader: the tsx command is a wrapper that runs node as its own child, so a
  // SIGKILL to the wrapper would leave the real worker running
  const loader = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
  const child = spawn(process.execPath, ["--import", loader, "src/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    env: { ...inherited, NODE_ENV: "production", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logLines: WorkerProcess["logLines"] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("{")) logLines.push(JSON.parse(line) as WorkerProcess["logLines"][number]);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  await eventually(async () => logLines.some((l) => l.msg === "worker started") || child.exitCode !== null, Boolean, 60_000);
  if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}) before starting: ${stderr}`);
  return { child, logLines, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}
