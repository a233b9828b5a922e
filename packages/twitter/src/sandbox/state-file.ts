// A sandbox created with a stateDir keeps its state in <stateDir>/state.json: read once at creation,
// written after changes (debounced), atomically (a temporary file renamed over the old one), and
// once more on close. Without a stateDir the sandbox stays in memory (tests).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SandboxRequestToken } from "./oauth-store.ts";
import type { SandboxStoreSnapshot } from "./sandbox-store.ts";

export interface SandboxStateFile {
  store: SandboxStoreSnapshot;
  oauthRequests: SandboxRequestToken[];
}

export const STATE_FILE_NAME = "state.json";

/** The saved state, or null when there is none yet. A file that does not parse is an error: fix or delete it. */
export function readSandboxState(stateDir: string): SandboxStateFile | null {
  const file = join(stateDir, STATE_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`X sandbox: ${file} is not valid JSON; delete it to start the sandbox empty`);
  }
  const state = parsed as Partial<SandboxStateFile> | null;
  if (!state || typeof state !== "object" || state.store?.version !== 1 || !Array.isArray(state.oauthRequests)) {
    throw new Error(`X sandbox: ${file} is not a sandbox state file (version 1); delete it to start the sandbox empty`);
  }
  return state as SandboxStateFile;
}

export function writeSandboxState(stateDir: string, state: SandboxStateFile): void {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, STATE_FILE_NAME);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  renameSync(temporary, file);
}

/** Debounced saves: `changed()` after each change, `flush()` to write now (close). */
export function createStateSaver(save: () => void, delayMs = 250): { changed(): void; flush(): void } {
  let timer: NodeJS.Timeout | null = null;
  return {
    changed() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        save();
      }, delayMs);
      timer.unref();
    },
    flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      save();
    },
  };
}
