// The real API process (src/main.ts, as `pnpm start` runs it built), for tests that need what only
// the composition root does: configuration, start-up, its own queue set-up, its logs.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..", "..");

export interface ApiProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  child: ChildProcess;
  /** every JSON log line so far */
  logLines: { level?: number; msg?: string }[];
  /** what it wrote to stderr so far (a crash's stack) */
  stderr(): string;
  /** everything written to stdout and stderr so far, as written */
  output(): string;
  stop(): Promise<void>;
}

/** Starts src/main.ts with `env` and resolves with its address once it listens. */
export function startApiProcess(env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), ["src/main.ts"], { cwd: join(import.meta.dirname, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
  const logLines: ApiProcess["logLines"] = [];
  let stderr = "";
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    output += chunk.toString("utf8");
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        logLines.push(entry);
        const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(entry.msg ?? "");
        if (listening?.[1]) resolve({ url: listening[1], child, logLines, stderr: () => stderr, output: () => output, stop });
      }
    });
    child.on("exit", (code) => reject(new Error(`the API exited (${code}) before listening: ${stderr}`)));
  });
}
