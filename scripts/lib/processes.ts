// Child processes for the dev and start launchers: prefixed output, and one stop for all.
import { spawn, type ChildProcess } from "node:child_process";

export interface Managed {
  name: string;
  child: ChildProcess;
  /** the child's exit code (only the child's: see `group` for what it started) */
  exited: Promise<number>;
  /** started with `group`: the child leads a process group of its own */
  group: boolean;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Start the child in a process group of its own, and have stopAll wait for every process of that
   * group. For launchers such as `tsx watch`, which may exit before the program they started has
   * finished its own shutdown.
   */
  group?: boolean;
}

export function run(name: string, command: string, args: string[], opts: RunOptions): Managed {
  const group = opts.group ?? false;
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], detached: group });
  const prefix = `[${name}] `;
  const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buffered = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) out.write(prefix + line + "\n");
    });
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  const exited = new Promise<number>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on("error", (err) => {
      process.stderr.write(`${prefix}could not start: ${err.message}\n`);
      resolve(127);
    });
  });
  return { name, child, exited, group };
}

/** Whether any process of the group led by pid is still alive. */
function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once the child has exited and, for a group, every process of its group is gone. */
async function gone(c: Managed): Promise<void> {
  await c.exited;
  while (c.group && groupAlive(c.child.pid)) await new Promise((r) => setTimeout(r, 100));
}

/**
 * SIGTERM to every child (only to the child itself: a launcher relays it to what it started), then
 * wait for all of them and their groups (SIGKILL to what is left after the grace period).
 */
export async function stopAll(children: Managed[], graceMs = 25_000): Promise<void> {
  for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const c of children) {
      if (c.child.exitCode === null) c.child.kill("SIGKILL");
      if (c.group && c.child.pid !== undefined && groupAlive(c.child.pid)) process.kill(-c.child.pid, "SIGKILL");
    }
  }, graceMs);
  await Promise.all(children.map(gone));
  clearTimeout(timer);
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
